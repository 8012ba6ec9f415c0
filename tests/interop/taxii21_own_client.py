#!/usr/bin/python3
"""TAXII 2.1 end to end with taxii's own tools: the `taxii2` CLI drives taxiid's TAXII 2.1 API
(issue #22; docs/taxii21.md) over HTTP: discover, collections, add (with the status wait), get
with a filter and every page, manifest, versions, delete. Needs no peer; label interop because it
runs both programs as a user would.

  taxii21_own_client.py --taxiid BIN --taxii2 BIN [--results DIR]
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Results, Taxiid, check, check_eq, interop_config, run  # noqa: E402
from taxii21_common import indicator, run_against  # noqa: E402

C1 = "2a1b5c9e-7d43-4c1e-9f0a-0b1c2d3e4f51"
TAXII2 = ("taxii2:\n  title: own client\n  default_root: /api1/\n  max_page: 4\n"
          "  api_roots:\n    - path: /api1/\n      title: root\n      collections:\n"
          "        - {id: %s, alias: one, title: c1}\n" % C1)


class Cases:
    def __init__(self, taxii2, server, workdir):
        self.taxii2, self.dir = taxii2, workdir
        self.root = server.url("/api1/")
        self.discovery = server.url("/taxii2/")

    def cli(self, *args):
        rc, out, err = run([self.taxii2] + list(args), timeout=120)
        check_eq(rc, 0, "taxii2 %s exit status (%s)" % (args[0], err.strip()[:300]))
        return out

    def discover(self):
        out = self.cli("discover", "--url", self.discovery)
        check("/api1/" in out and "own client" in out, out)

    def collections(self):
        out = self.cli("collections", "--url", self.root)
        check(C1 in out and "alias one" in out and "read, write" in out, out)

    def add(self):
        path = os.path.join(self.dir, "env.json")
        with open(path, "w") as f:
            json.dump({"objects": [indicator(i) for i in range(1, 11)] +
                       [indicator(1, "2024-02-01T00:00:00.000Z")]}, f)
        out = self.cli("add", "--url", self.root, "--collection", "one", path)
        check("11 succeeded, 0 failed" in out, out)

    def get_every_page(self):
        out = self.cli("get", "--url", self.root, "--collection", "one", "--type", "indicator")
        objs = json.loads(out)["objects"]
        check_eq(len(objs), 10, "latest versions over pages of 4")
        check_eq(len({o["id"] for o in objs}), 10, "each object once")

    def manifest(self):
        out = self.cli("manifest", "--url", self.root, "--collection", "one")
        check_eq(len([l for l in out.splitlines() if "indicator--" in l]), 10, "manifest records")

    def versions(self):
        out = self.cli("versions", "--url", self.root, "--collection", "one", "--id", indicator(1)["id"])
        check_eq(out.split(), ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"], "versions")

    def delete(self):
        self.cli("delete", "--url", self.root, "--collection", "one", "--id", indicator(2)["id"])
        out = self.cli("get", "--url", self.root, "--collection", "one")
        check(indicator(2)["id"] not in out, "the deleted object is still served")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--taxiid", required=True)
    ap.add_argument("--taxii2", required=True)
    ap.add_argument("--results")
    a = ap.parse_args()
    results = Results("taxii21-own-client", "taxii2", "v21", "http")
    with tempfile.TemporaryDirectory(prefix="taxii21-own-") as d:
        server = Taxiid(a.taxiid, os.path.join(d, "taxiid"), interop_config(extra=TAXII2))
        cases = Cases(a.taxii2, server, d)
        return run_against(results, server, lambda: results.run_each(
            cases, "discover collections add get-every-page manifest versions delete"), a.results)


if __name__ == "__main__":
    sys.exit(main())
