#!/usr/bin/python3
"""Interoperability tests of taxii against real TAXII 1.x software (issue #12; docs/interop.md).

  run_interop.py GROUP --taxiid PATH --taxii PATH [--results DIR] [--keep]
  run_interop.py --list                      the groups (one CTest test each)
  run_interop.py --summary DIR               the pass/fail/skip/xfail matrix of a results dir

Groups (CTest test interop_<group with - as _>):
  cabby-V-T                cabby's CLI against taxiid (V = v11 | v10, T = http | https)
  cabby-subscription-V-T   taxii-subscription against taxiid (issue #6)
  cabby-basicauth-V-T      cabby with --username/--password (issue #7)
  libtaxii-V-T             libtaxii's message classes parse every taxiid answer, field for field
  taxii-opentaxii-V-T      our `taxii` CLI against OpenTAXII (HTTPS through a TLS-terminating proxy)
  relay                    1,000 STIX blocks OpenTAXII -> taxiid -> OpenTAXII with `taxii poll`/`push`

Exit status: 0 every case passed (some may be SKIP / XFAIL), 1 a case failed, 77 nothing ran
(peers not installed, or every case skipped): CTest reports the test as skipped
(SKIP_RETURN_CODE 77). Each case prints one line: PASS / FAIL / SKIP / XFAIL name[: detail].
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Results, SKIP_RC, log  # noqa: E402

VERSIONS = {"v11": "1.1", "v10": "1.0"}
TRANSPORTS = ("http", "https")


def all_groups():
    g = []
    for kind in ("cabby", "cabby-subscription", "cabby-basicauth", "libtaxii", "taxii-opentaxii"):
        for v in VERSIONS:
            for t in TRANSPORTS:
                g.append("%s-%s-%s" % (kind, v, t))
    g.append("relay")
    return g


def split_group(group):
    if group == "relay":
        return "relay", "1.1", "http"
    kind, v, t = group.rsplit("-", 2)
    return kind, VERSIONS[v], t


PEER_OF = {"cabby": "cabby", "cabby-subscription": "cabby", "cabby-basicauth": "cabby", "libtaxii": "libtaxii",
           "taxii-opentaxii": "OpenTAXII", "relay": "OpenTAXII"}


def run_group(group, args, results):
    kind, version, transport = split_group(group)
    https = transport == "https"
    work = tempfile.mkdtemp(prefix="taxii-interop-%s-" % group)
    log("work directory: %s" % work)
    obj = None
    ok = False
    try:
        if kind == "cabby":
            from cases_cabby import CabbyGroup
            obj = CabbyGroup(results, args.taxiid, work, version, https)
        elif kind == "cabby-subscription":
            from cases_cabby import CabbySubscriptionGroup
            obj = CabbySubscriptionGroup(results, args.taxiid, work, version, https)
        elif kind == "cabby-basicauth":
            from cases_cabby import CabbyBasicAuthGroup
            why = CabbyBasicAuthGroup.unsupported_reason(args.taxiid, os.path.join(work, "probe"))
            if why:
                for c in CabbyBasicAuthGroup.CASES:
                    results.skip(c, why)
                ok = True
                return
            obj = CabbyBasicAuthGroup(results, args.taxiid, work, version, https)
        elif kind == "libtaxii":
            from cases_libtaxii import LibtaxiiGroup
            obj = LibtaxiiGroup(results, args.taxiid, work, version, https)
        elif kind == "taxii-opentaxii":
            from cases_opentaxii import OpenTaxiiGroup
            obj = OpenTaxiiGroup(results, args.taxii, work, version, https)
        elif kind == "relay":
            from cases_opentaxii import RelayGroup
            obj = RelayGroup(results, args.taxii, args.taxiid, work)
        else:
            raise SystemExit("unknown group %s" % group)
        obj.run_all()
        ok = True
    finally:
        if obj is not None:
            obj.close()
        if ok and not args.keep and not any(o == "FAIL" for _, o, _ in results.cases):
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("kept %s" % work)


def summary(results_dir):
    rows = {}
    for n in sorted(os.listdir(results_dir)):
        if not n.endswith(".json"):
            continue
        with open(os.path.join(results_dir, n)) as f:
            d = json.load(f)
        kind = split_group(d["group"])[0]
        key = (d["peer"], kind, d["version"], d["transport"])
        c = rows.setdefault(key, {"PASS": 0, "FAIL": 0, "SKIP": 0, "XFAIL": 0})
        for case in d["cases"]:
            c[case["outcome"]] += 1
    print("| peer | group | TAXII | transport | pass | fail | skip | xfail |")
    print("|---|---|---|---|---|---|---|---|")
    tot = {"PASS": 0, "FAIL": 0, "SKIP": 0, "XFAIL": 0}
    for (peer, kind, v, t), c in sorted(rows.items()):
        print("| %s | %s | %s | %s | %d | %d | %d | %d |" % (peer, kind, v, t, c["PASS"], c["FAIL"], c["SKIP"],
                                                             c["XFAIL"]))
        for k in tot:
            tot[k] += c[k]
    print("| **total** | | | | %d | %d | %d | %d |" % (tot["PASS"], tot["FAIL"], tot["SKIP"], tot["XFAIL"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("group", nargs="?")
    ap.add_argument("--taxiid", default=os.environ.get("TAXIID"))
    ap.add_argument("--taxii", default=os.environ.get("TAXII_CLI"))
    ap.add_argument("--results", default=os.environ.get("TAXII_INTEROP_RESULTS"))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--summary", metavar="DIR")
    args = ap.parse_args()
    if args.list:
        print("\n".join(all_groups()))
        return 0
    if args.summary:
        summary(args.summary)
        return 0
    if args.group not in all_groups():
        ap.error("unknown group %r (see --list)" % args.group)
    name = "interop_" + args.group.replace("-", "_")
    kind, version, transport = split_group(args.group)
    results = Results(args.group, PEER_OF[kind], version, transport)

    why = harness.load_peers()
    if why:
        # CTest shows the test as skipped (SKIP_RETURN_CODE 77); the reason names it.
        log("SKIP %s: %s" % (name, why))
        results.cases.append((name, "SKIP", why))
        results.write(args.results)
        return SKIP_RC
    for what, path in (("--taxiid", args.taxiid), ("--taxii", args.taxii)):
        if not path or not os.access(path, os.X_OK):
            ap.error("%s: executable required (got %r)" % (what, path))

    t0 = time.monotonic()
    try:
        run_group(args.group, args, results)
    except harness.CaseSkip as e:
        results.skip(name, str(e))
    except Exception as e:  # noqa: BLE001 - a broken set-up fails the group, visibly
        import traceback
        results.cases.append((name + " (set-up)", "FAIL", "%s: %s" % (type(e).__name__, e)))
        log("FAIL  %s set-up: %s\n%s" % (name, e, traceback.format_exc()))
    results.write(args.results)
    log("%s took %.1f s" % (name, time.monotonic() - t0))
    rc = results.exit_code()
    if rc == SKIP_RC:
        log("SKIP %s: no case ran (see the SKIP / XFAIL lines above)" % name)
    return rc


if __name__ == "__main__":
    sys.exit(main())
