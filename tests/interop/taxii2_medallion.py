#!/usr/bin/python3
"""Interoperability of `taxii2` (TAXII 2.1 CLI, issue #22) with medallion, the OASIS TAXII 2.1
reference server (docs/cli.md, "TAXII 2.1"; docs/interop.md).

  taxii2_medallion.py --taxii2 PATH [--peers2 DIR] [--results DIR]

Starts medallion with ../shared/peers2/run-medallion.sh (memory backend, its own test data,
admin/Password0) on a free port and drives every command of taxii2 against it, asserting on the
--json output: discover, collections, get with each filter (added_after, match[id|type|version|
spec_version]) and paging with small limits, add (bundle split into envelopes) with status,
manifest, versions, delete, the error resources (401, 403, 404); and, through a TLS proxy that
requires a client certificate, --ca/--cert/--key/--insecure.

Exit status: 0 every case passed, 1 a case failed, 77 nothing ran (medallion not installed:
$PEERS2_HOME/env.sh, default /tmp/taxii-peers2/env.sh, or run-medallion.sh missing), which
CTest reports as skipped. One line per case: PASS / FAIL / SKIP name[: detail].
"""

import argparse
import http.client
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Results, SKIP_RC, check, check_eq, log  # noqa: E402

NAME = "interop_taxii2_medallion"
ROOT = "trustgroup1"
RW = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"      # read+write, 8 object versions of 5 ids
EMPTY = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"   # read+write, empty
READ_ONLY = "52892447-4d7e-4f70-b94d-d7f22742ff63"
WRITE_ONLY = "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4"
NO_ACCESS = "64993447-4d7e-4f70-b94d-d7f33742ee63"
MULTI = "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"  # three versions
MALWARE = "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"  # a STIX 2.0 and a 2.1 version


def peers2_missing(peers2_dir):
    home = os.environ.get("PEERS2_HOME") or "/tmp/taxii-peers2"
    if not os.path.isfile(os.path.join(home, "env.sh")):
        return "medallion not installed (no %s/env.sh)" % home
    if not os.access(os.path.join(peers2_dir, "run-medallion.sh"), os.X_OK):
        return "medallion launcher %s/run-medallion.sh not found" % peers2_dir
    if not os.path.exists(os.path.join(home, "bin", "medallion")):
        return "medallion not installed (no %s/bin/medallion)" % home
    return None


class TlsProxy:
    """HTTPS on 127.0.0.1 in front of medallion (plain HTTP): any method, client certificate
    required (verified against the test CA)."""

    def __init__(self, backend_port, ctx):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def forward(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n) if n else None
                hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                c = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=60)
                c.request(self.command, self.path, body, hdrs)
                r = c.getresponse()
                data = r.read()
                self.send_response_only(r.status, r.reason)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                c.close()

            do_GET = do_POST = do_DELETE = forward  # noqa: N815 - http.server naming

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, addr = self.socket.accept()
                return ctx.wrap_socket(sock, server_side=True), addr

            def handle_error(self, request, client_address):
                pass  # refused handshakes: the client reports them

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Medallion:
    def __init__(self, peers2_dir, work):
        self.script = os.path.join(peers2_dir, "run-medallion.sh")
        self.dir = os.path.join(work, "medallion")
        for _ in range(5):
            self.port = harness.free_port()
            env = dict(os.environ, MEDALLION_LOG_LEVEL="WARN")
            p = subprocess.run(["bash", self.script, str(self.port), self.dir], capture_output=True, env=env,
                               timeout=120, check=False)
            if p.returncode == 0:
                return
            last = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
            if "already in use" not in last:
                break
        raise RuntimeError("run-medallion.sh failed:\n" + last)

    def stop(self):
        subprocess.run(["bash", self.script, "--stop", self.dir], capture_output=True, timeout=60, check=False)


class Cases:
    def __init__(self, taxii2, med, work):
        self.taxii2, self.work = taxii2, work
        self.base = "http://127.0.0.1:%d" % med.port
        self.root = "%s/%s/" % (self.base, ROOT)
        self.auth = ["--user", "admin", "--password", "Password0"]
        self.added = []  # ids added by add-bundle

    # ------------------------------------------------------------------------------ helpers
    def run(self, *args, auth=True, json_out=True):
        cmd = [self.taxii2] + list(args) + (self.auth if auth else []) + (["--json"] if json_out else [])
        rc, out, err = harness.run(cmd, timeout=300)
        doc = None
        if json_out:
            try:
                doc = json.loads(out)
            except ValueError:
                raise harness.CaseFail("%s: --json output is not one JSON document (rc %d): %r %r"
                                       % (" ".join(args[:1]), rc, out[:500], err[:500]))
        return rc, doc, err

    def ok(self, *args, **kw):
        rc, doc, err = self.run(*args, **kw)
        check(rc == 0 and doc.get("ok") is True, "%s: rc %d, %r, stderr %r" % (args[0], rc, doc, err))
        return doc

    def get(self, *args, collection=RW):
        return self.ok("get", "--url", self.root, "--collection", collection, *args)

    def fails(self, want_rc, want_http, *args, **kw):
        rc, doc, err = self.run(*args, **kw)
        check_eq(rc, want_rc, "exit code of %s (stderr %r)" % (args[0], err))
        check(doc["ok"] is False, "ok is false")
        check_eq(doc["error"]["http_status"], want_http, "http_status")
        check(err.startswith("taxii2 %s: " % args[0]), "one line on stderr: %r" % err)
        return doc["error"]

    @staticmethod
    def ids(doc):
        return [o["id"] for o in doc["objects"]]

    # -------------------------------------------------------------------------------- cases
    def discover(self):
        d = self.ok("discover", "--url", self.base + "/")
        check_eq(d["default"], self.root, "default API root")
        check_eq(sorted(r["url"] for r in d["api_roots"]),
                 sorted("%s/%s/" % (self.base, r) for r in ("api1", "api2", ROOT)), "api_roots")
        for r in d["api_roots"]:
            check(r["ok"] and r["max_content_length"] > 0, "API root information: %r" % r)
            check("application/taxii+json;version=2.1" in r["versions"], "versions: %r" % r)

    def collections(self):
        d = self.ok("collections", "--url", self.base + "/taxii2/")  # the default API root
        check_eq(d["api_root"], self.root, "api_root")
        access = {c["id"]: (c["can_read"], c["can_write"]) for c in d["collections"]}
        check_eq(access, {RW: (True, True), EMPTY: (True, True), READ_ONLY: (True, False),
                          WRITE_ONLY: (False, True), NO_ACCESS: (False, False)}, "can_read/can_write")

    def get_default(self):
        d = self.get()
        check_eq(d["count"], 5, "objects (latest version of each of 5 ids)")
        check_eq(len(set(self.ids(d))), 5, "distinct ids")
        multi = [o for o in d["objects"] if o["id"] == MULTI]
        check_eq(multi[0]["modified"], "2017-01-27T13:49:53.935Z", "match[version]=last by default")
        check(d["date_added_first"] and d["date_added_last"], "X-TAXII-Date-Added-First/Last kept")

    def get_versions(self):
        check_eq(self.get("--version", "all")["count"], 7, "match[version]=all (2.0 version left out)")
        first = self.get("--version", "first", "--match-id", MULTI)
        check_eq([o["modified"] for o in first["objects"]], ["2016-11-03T12:30:59.000Z"], "match[version]=first")
        exact = self.get("--version", "2016-12-25T12:30:59.444Z", "--match-id", MULTI)
        check_eq([o["modified"] for o in exact["objects"]], ["2016-12-25T12:30:59.444Z"], "match[version]=<modified>")

    def get_filters(self):
        d = self.get("--type", "indicator")
        check_eq(sorted(set(o["type"] for o in d["objects"])), ["indicator"], "match[type]")
        check_eq(d["count"], 2, "indicators")
        d = self.get("--type", "malware,relationship")
        check_eq(sorted(o["type"] for o in d["objects"]), ["malware", "relationship"], "match[type] list")
        d = self.get("--match-id", MALWARE)
        check_eq(self.ids(d), [MALWARE], "match[id]")
        d = self.get("--spec-version", "2.0")
        check_eq(self.ids(d), [MALWARE], "match[spec_version]=2.0")
        check("spec_version" not in d["objects"][0], "the STIX 2.0 version")
        d = self.get("--added-after", "2016-11-02T00:00:00Z")
        check_eq(sorted(self.ids(d)), sorted([MULTI, MALWARE, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]),
                 "added_after")
        check(d["date_added_first"] > "2016-11-02", "date_added_first after added_after")
        check_eq(self.get("--added-after", d["date_added_last"])["count"], 0, "nothing after the last date_added")

    def get_paging(self):
        whole = self.get("--version", "all")
        paged = self.get("--version", "all", "--limit", "2")
        check_eq(self.ids(paged), self.ids(whole), "limit 2: the same objects in the same order")
        check(paged["pages"] >= 4, "pages: %d" % paged["pages"])
        one = self.get("--limit", "1")
        check_eq(one["pages"], 5, "limit 1: five pages")
        page = self.get("--limit", "2", "--no-follow")
        check(page["more"] is True and page["count"] == 2, "--no-follow: one page, more")
        rest = self.get("--limit", "2", "--next", page["next"]) if page["next"] else None
        if rest is not None:
            check_eq(self.ids(page) + self.ids(rest), self.ids(self.get()), "continued with --next")
        d = self.get("--id", MULTI, "--version", "all", "--limit", "1")
        check_eq(d["count"], 3, "Get an Object, all versions, paged")

    def manifest(self):
        d = self.ok("manifest", "--url", self.root, "--collection", RW, "--version", "all")
        check_eq(d["count"], 7, "manifest records")
        paged = self.ok("manifest", "--url", self.root, "--collection", RW, "--version", "all", "--limit", "3")
        check_eq([r["id"] for r in paged["records"]], [r["id"] for r in d["records"]], "paged manifest")
        d = self.ok("manifest", "--url", self.root, "--collection", RW, "--type", "indicator")
        check_eq(sorted(r["id"] for r in d["records"]),
                 sorted([MULTI, "indicator--cd981c25-8042-4166-8945-51178443bdac"]), "manifest match[type]")
        check(all(r["date_added"] and r["version"] for r in d["records"]), "manifest-record fields")

    def versions(self):
        d = self.ok("versions", "--url", self.root, "--collection", RW, "--id", MULTI)
        check_eq(sorted(d["versions"]), ["2016-11-03T12:30:59.000Z", "2016-12-25T12:30:59.444Z",
                                         "2017-01-27T13:49:53.935Z"], "versions")
        paged = self.ok("versions", "--url", self.root, "--collection", RW, "--id", MULTI, "--limit", "1")
        check_eq(sorted(paged["versions"]), sorted(d["versions"]), "versions, limit 1")
        check_eq(paged["pages"], 3, "versions pages")

    def add_bundle(self):
        objs = []
        for i in range(7):
            objs.append({"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid4(),
                         "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                         "name": "taxii2 interop %d" % i, "pattern": "[ipv4-addr:value = '10.9.0.%d']" % i,
                         "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"})
        path = os.path.join(self.work, "bundle.json")
        with open(path, "w") as f:
            json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": objs}, f)
        d = self.ok("add", "--url", self.root, "--collection", EMPTY, "--batch", "3", path)
        check_eq([e["total_count"] for e in d["envelopes"]], [3, 3, 1], "envelopes of --batch 3")
        check_eq((d["success_count"], d["failure_count"], d["pending_count"]), (7, 0, 0), "status counts")
        check(all(e["status"] == "complete" for e in d["envelopes"]), "complete")
        self.added = [o["id"] for o in objs]
        got = self.get(collection=EMPTY)
        check_eq(sorted(self.ids(got)), sorted(self.added), "the added objects come back")
        st = self.ok("status", "--url", self.root, "--id", d["envelopes"][0]["id"])["status"]
        check_eq((st["status"], st["total_count"], st["success_count"]), ("complete", 3, 3), "status resource")
        check_eq(sorted(s["id"] for s in st["successes"]), sorted(self.added[:3]), "status successes")
        # The envelope file `get` writes is taken back by `add` (a duplicate: success, §5.5).
        out = os.path.join(self.work, "envelope.json")
        self.ok("get", "--url", self.root, "--collection", EMPTY, "-o", out)
        d = self.ok("add", "--url", self.root, "--collection", EMPTY, out)
        check_eq(d["total_count"], 7, "re-added from get's output")

    def manifest_versions_of_added(self):
        if not self.added:
            raise harness.CaseSkip("add-bundle did not run")
        d = self.ok("manifest", "--url", self.root, "--collection", EMPTY)
        check_eq(sorted(r["id"] for r in d["records"]), sorted(self.added), "manifest of the added objects")
        d = self.ok("versions", "--url", self.root, "--collection", EMPTY, "--id", self.added[0])
        check_eq(d["versions"], ["2024-01-01T00:00:00.000Z"], "versions of an added object")

    def delete(self):
        if not self.added:
            raise harness.CaseSkip("add-bundle did not run")
        victim = self.added[0]
        self.ok("delete", "--url", self.root, "--collection", EMPTY, "--id", victim)
        check_eq(self.get("--match-id", victim, collection=EMPTY)["count"], 0, "gone after delete")
        check_eq(self.get(collection=EMPTY)["count"], 6, "the others stay")
        e = self.fails(4, 404, "delete", "--url", self.root, "--collection", EMPTY, "--id", victim)
        check("resource" in e and e["resource"]["title"], "404 error resource: %r" % e)

    def bulk_incremental(self):
        """500 objects in envelopes of 125, read back in pages of 50 from the previous run's
        date_added_last (the incremental sync of §3.4 / §3.2)."""
        before = self.get(collection=EMPTY)
        objs = [{"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid4(),
                 "created": "2024-02-01T00:00:00.000Z", "modified": "2024-02-01T00:00:00.000Z",
                 "name": "bulk %d" % i, "pattern": "[ipv4-addr:value = '10.8.%d.%d']" % (i // 256, i % 256),
                 "pattern_type": "stix", "valid_from": "2024-02-01T00:00:00Z"} for i in range(500)]
        path = os.path.join(self.work, "bulk.json")
        with open(path, "w") as f:
            json.dump({"objects": objs}, f)
        d = self.ok("add", "--url", self.root, "--collection", EMPTY, "--batch", "125", path)
        check_eq((len(d["envelopes"]), d["success_count"]), (4, 500), "4 envelopes, all succeeded")
        since = before["date_added_last"]
        args = ["--limit", "50"] + (["--added-after", since] if since else [])
        got = self.get(*args, collection=EMPTY)
        check_eq(sorted(self.ids(got)), sorted(o["id"] for o in objs), "exactly the new objects")
        check(got["pages"] >= 10, "pages of 50: %d" % got["pages"])

    def errors(self):
        e = self.fails(4, 403, "get", "--url", self.root, "--collection", NO_ACCESS)
        check("resource" in e and NO_ACCESS in e["resource"].get("description", ""), "403 error resource: %r" % e)
        self.fails(4, 403, "add", "--url", self.root, "--collection", READ_ONLY,
                   os.path.join(self.work, "bundle.json"))
        self.fails(4, 404, "status", "--url", self.root, "--id", str(uuid.uuid4()))
        self.fails(4, 404, "get", "--url", self.root, "--collection", str(uuid.uuid4()))
        e = self.fails(4, 400, "get", "--url", self.root, "--collection", RW, "--next", "bogus")
        check("next" in e["resource"].get("description", ""), "400 names the bad parameter: %r" % e)
        rc, doc, err = self.run("collections", "--url", self.root, "--user", "admin", "--password", "wrong",
                                auth=False)
        check_eq(rc, 4, "wrong password")
        check_eq(doc["error"]["http_status"], 401, "401")
        check("--user" in err, "hint on stderr: %r" % err)

    def https_client_certificate(self, proxy_port, pki):
        url = "https://127.0.0.1:%d/%s/" % (proxy_port, ROOT)
        d = self.ok("collections", "--url", url, "--ca", pki.ca, "--cert", pki.client_cert, "--key", pki.client_key)
        check_eq(len(d["collections"]), 5, "collections over HTTPS with a client certificate")
        d = self.ok("get", "--url", url, "--collection", RW, "--limit", "2", "--insecure", "--cert", pki.client_cert,
                    "--key", pki.client_key)
        check_eq(d["count"], 5, "get over HTTPS (--insecure), paged")
        rc, _, err = self.run("collections", "--url", url, "--ca", pki.ca)  # no client certificate
        check_eq(rc, 3, "refused without a client certificate (stderr %r)" % err)
        rc, _, err = self.run("collections", "--url", url, "--cert", pki.client_cert, "--key", pki.client_key)
        check_eq(rc, 3, "server certificate not verified without --ca (stderr %r)" % err)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--taxii2", required=True)
    ap.add_argument("--peers2", default=os.environ.get("TAXII_SHARED_PEERS2") or
                    os.path.join(harness.SOURCE_DIR, "..", "shared", "peers2"))
    ap.add_argument("--results")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    results = Results("taxii2-medallion", "medallion", "2.1", "http+https")
    why = peers2_missing(os.path.abspath(args.peers2))
    if why:
        log("SKIP %s: %s" % (NAME, why))
        results.cases.append((NAME, "SKIP", why))
        results.write(args.results)
        return SKIP_RC
    work = tempfile.mkdtemp(prefix="taxii-interop-taxii2-")
    med = proxy = None
    try:
        med = Medallion(os.path.abspath(args.peers2), work)
        c = Cases(os.path.abspath(args.taxii2), med, work)
        results.run_each(c, "discover collections get-default get-versions get-filters get-paging manifest versions "
                            "add-bundle manifest-versions-of-added delete bulk-incremental errors")
        pki = harness.make_pki(os.path.join(work, "pki"))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(pki.server_cert, pki.server_key)
        ctx.load_verify_locations(pki.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
        proxy = TlsProxy(med.port, ctx)
        results.run("https-client-certificate", c.https_client_certificate, proxy.port, pki)
    except Exception as e:  # noqa: BLE001 - a broken set-up fails the test, visibly
        results.cases.append((NAME + " (set-up)", "FAIL", "%s: %s" % (type(e).__name__, e)))
        log("FAIL  %s set-up: %s" % (NAME, e))
    finally:
        if proxy:
            proxy.stop()
        if med:
            med.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results.write(args.results)
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
