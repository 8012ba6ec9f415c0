#!/usr/bin/python3
"""`taxii convert` end to end on small documents written here: output streams, --output DIR,
stdin, --json warnings, --strict, and the exit codes of docs/bridge.md."""
import json
import os
import subprocess
import sys
import tempfile

DOC = """<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2"
 xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:URIObj="http://cybox.mitre.org/objects#URIObject-2" xmlns:ex="http://example.com/"
 id="ex:Package-%(n)s1111111-2222-4333-8444-555555555555" timestamp="2014-05-08T09:00:00Z" version="1.2">
 <stix:Indicators><stix:Indicator xsi:type="indicator:IndicatorType" id="ex:Indicator-%(n)s2222222-2222-4333-8444-555555555555">
  <indicator:Producer>not converted</indicator:Producer>
  <indicator:Observable><cybox:Object><cybox:Properties xsi:type="URIObj:URIObjectType" type="URL">
   <URIObj:Value condition="Equals">http://x.example/%(n)s</URIObj:Value></cybox:Properties></cybox:Object></indicator:Observable>
 </stix:Indicator></stix:Indicators></stix:STIX_Package>"""


def run(taxii, *args, stdin=None):
    return subprocess.run([taxii, "convert"] + list(args), input=stdin, capture_output=True)


def main():
    taxii = sys.argv[1]
    failures = []

    def check(cond, what):
        print(("PASS " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as d:
        files = []
        for n in ("a", "b"):
            path = os.path.join(d, n + ".xml")
            with open(path, "w") as f:
                f.write(DOC % {"n": n})
            files.append(path)
        r = run(taxii, files[0])
        bundle = json.loads(r.stdout)
        check(r.returncode == 0 and bundle["type"] == "bundle", "one file: bundle on stdout, exit 0")
        check(bundle["objects"][0]["pattern"] == "[url:value = 'http://x.example/a']", "pattern of a URL indicator")
        check(b"warning 101 at /STIX_Package/Indicators/Indicator/Producer" in r.stderr, "loss reported with path")
        r2 = run(taxii, "-", stdin=open(files[0], "rb").read())
        check(r2.returncode == 0 and r2.stdout == r.stdout, "stdin gives the same bundle (stable ids)")
        r = run(taxii, "--json", files[0])
        w = json.loads(r.stderr.decode().splitlines()[0])
        check(w["converted"] and w["warnings"][0]["code"] == 101, "--json warnings")
        r = run(taxii, "--strict", files[0])
        check(r.returncode == 1 and r.stdout == b"" and b"refused" in r.stderr, "--strict refuses a lossy document")
        check(run(taxii, *files).returncode == 2, "several files without --output: usage error")
        out = os.path.join(d, "out")
        os.mkdir(out)
        r = run(taxii, "--output", out, *files)
        check(r.returncode == 0 and sorted(os.listdir(out)) == ["a.json", "b.json"], "--output DIR writes one file each")
        with open(os.path.join(out, "b.json")) as f:
            check(json.load(f)["id"] == "bundle--b1111111-2222-4333-8444-555555555555", "bundle id from the package id")
        check(run(taxii, "--to", "1.2", files[0]).returncode == 2, "--to 1.2 not implemented: usage error")
        check(run(taxii, os.path.join(d, "missing.xml")).returncode == 5, "unreadable file: exit 5")
        r = run(taxii, "-", stdin=b"<x/>")
        check(r.returncode == 1 and b"not a STIX 1.x document" in r.stderr, "not STIX: exit 1 with the reason")
        check(run(taxii, "--help").returncode == 0, "--help")
        check(run(taxii, "--timestamp", "yesterday", files[0]).returncode == 2, "bad --timestamp: usage error")
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
