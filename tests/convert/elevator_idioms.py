#!/usr/bin/python3
"""Runs `taxii convert` on every STIX 1.x idiom of the OASIS stix2-elevator and compares each
result with the elevator's expected STIX 2.1 output, by the rules of the elevator's own idiom
test (docs/bridge.md, "Measuring against the elevator"):

- both documents are walked path by path (keys sorted, list items by index) and the walks are
  compared pair by pair; dicts and lists themselves are not compared, only their leaves;
- leaves under object_marking_refs / granular_markings are skipped;
- leaves whose path contains an ignored property (created, modified, first_seen, valid_from,
  valid_until, last_seen, first_observed, last_observed, published, external_references,
  created_by_ref, marking_ref, object_marking_refs, where_sighted_refs, source_ref,
  target_ref, x_elevator_contacts, contacts) are skipped when the last names agree;
- an id or *_ref(s) value is skipped when the expected one is a random UUIDv4 (the elevator
  made it up on its run) and ours is a v4 or a name-based v5 (ours is derived, not random:
  a random expected value cannot be matched by anyone, docs/bridge.md);
- "Placeholder for ..." names on both sides are equal.

Every converted document is also parsed by the OASIS stix2 library (strictly: no custom
content) and checked by the OASIS STIX validator when $PEERS2_HOME provides them; any
document either rejects fails the test.

The elevator's test zips the two walks, so a conversion that stops early, or adds objects at
the end, still passes there. This script reports that ("elevator rule") and the stricter
"complete" result (same number of leaves as well). Exit status 1 when either pass count is
below its floor, 77 (skipped) when the elevator's idioms are not installed.
"""
import argparse
import json
import os
import re
import subprocess
import sys

IGNORED = ("created", "modified", "first_seen", "valid_from", "valid_until", "last_seen",
           "first_observed", "last_observed", "published", "external_references",
           "created_by_ref", "marking_ref", "object_marking_refs", "where_sighted_refs",
           "source_ref", "target_ref", "x_elevator_contacts", "contacts")


def walk(obj, path=()):
    for key in sorted(obj):
        value = obj[key]
        p = path + (key,)
        yield p, value
        if isinstance(value, dict):
            yield from walk(value, p)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                q = p + ("[%d]" % i,)
                yield q, item
                if isinstance(item, dict):
                    yield from walk(item, q)


def is_id_property(path):
    name = path[-1]
    if "[" in name and len(path) > 1:
        name = path[-2]
    return name == "id" or name.endswith("ref") or name.endswith("refs")


def uuid_version(stix_id):
    if not isinstance(stix_id, str) or "--" not in stix_id:
        return None
    parts = stix_id.split("--", 1)[1].split("-")
    return parts[2][:1] if len(parts) == 5 else None


def differences(expected, actual):
    out = []
    exp = list(walk(expected))
    act = list(walk(actual))
    for (gp, gv), (cp, cv) in zip(exp, act):
        if isinstance(gv, (dict, list)):
            continue
        if any(s in ("object_marking_refs", "granular_markings") for s in gp):
            continue
        if any(x in IGNORED for x in gp) and gp[-1] == cp[-1]:
            continue
        if is_id_property(gp) and is_id_property(cp):
            if uuid_version(gv) == "4" and uuid_version(cv) in ("4", "5"):
                continue
        if gp[-1] == "name" and cp[-1] == "name" and str(gv).startswith("Placeholder for") \
                and str(cv).startswith("Placeholder for"):
            continue
        if (gp, gv) != (cp, cv):
            out.append(("/".join(gp), gv, "/".join(cp), cv))
    return out, len(exp), len(act)


def load_checkers(peers_home):
    """The OASIS stix2 parser and STIX validator from the peers' env.sh PYTHONPATH, or None."""
    try:
        with open(os.path.join(peers_home, "env.sh")) as f:
            m = re.search(r"PYTHONPATH='([^']*)'", f.read())
        if m:
            sys.path[:0] = m.group(1).split(":")
        import stix2
        from stix2validator import ValidationOptions, validate_string
    except Exception as e:  # noqa: BLE001 - any failure means "not available here"
        print("validation skipped: %s" % e)
        return None
    options = ValidationOptions(version="2.1")

    def check(text):
        try:
            stix2.parse(text, allow_custom=False, version="2.1")
        except Exception as e:  # noqa: BLE001
            return "stix2 rejects it: %s" % str(e)[:200]
        result = validate_string(text, options)
        if not result.is_valid:
            return "validator: %s" % "; ".join(str(e) for e in result.errors)[:200]
        return None
    return check


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--taxii", required=True)
    ap.add_argument("--elevator", default=os.environ.get("PEERS2_HOME", "/tmp/taxii-peers2") + "/cti-stix-elevator")
    ap.add_argument("--expected", default="idioms-json-2.1-ignore")
    ap.add_argument("--floor", type=int, default=0, help="fewest idioms that must pass (elevator rule)")
    ap.add_argument("--complete-floor", type=int, default=0, help="fewest that must pass complete")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    xml_dir = os.path.join(args.elevator, "idioms-xml")
    json_dir = os.path.join(args.elevator, args.expected)
    if not os.path.isdir(xml_dir) or not os.path.isdir(json_dir):
        print("SKIP convert_elevator_idioms: the stix2-elevator idioms are not installed (%s)" % xml_dir)
        return 77
    names = sorted(f[:-4] for f in os.listdir(xml_dir) if f.endswith(".xml"))
    checker = load_checkers(os.path.dirname(os.path.abspath(args.elevator)))
    passed = complete = valid = 0
    for name in names:
        proc = subprocess.run([args.taxii, "convert", "--timestamp", "2020-01-01T00:00:00Z",
                               os.path.join(xml_dir, name + ".xml")], capture_output=True)
        with open(os.path.join(json_dir, name + ".json"), encoding="utf-8") as f:
            expected = json.load(f)
        if proc.returncode != 0:
            print("FAIL %s: taxii convert exit %d: %s" % (name, proc.returncode, proc.stderr.decode()[-300:]))
            continue
        actual = json.loads(proc.stdout)
        if checker is not None:
            problem = checker(proc.stdout.decode())
            valid += problem is None
            if problem:
                print("INVALID %s: %s" % (name, problem))
        diffs, n_exp, n_act = differences(expected, actual)
        ok = not diffs
        whole = ok and n_exp == n_act
        passed += ok
        complete += whole
        status = "PASS" if whole else "PASS(elevator rule; %d vs %d leaves)" % (n_act, n_exp) if ok else "FAIL"
        print("%s %s" % (status, name) + ("" if ok else ": %d differences, first %s = %r, ours %s = %r"
                                         % ((len(diffs),) + diffs[0]))[:400])
        if args.verbose and diffs:
            for d in diffs[:10]:
                print("    expected %s = %r\n    actual   %s = %r" % d)
    total = len(names)
    print("elevator idioms (%s): %d/%d pass by the elevator's rule (%.1f %%), %d/%d complete (%.1f %%)"
          % (args.expected, passed, total, 100.0 * passed / total, complete, total, 100.0 * complete / total))
    if checker is not None:
        print("STIX 2.1 validity (stix2 strict parse + OASIS validator): %d/%d" % (valid, total))
        if valid < total:
            print("some converted documents are not valid STIX 2.1")
            return 1
    if passed < args.floor or complete < args.complete_floor:
        print("below the floor: %d < %d or %d < %d" % (passed, args.floor, complete, args.complete_floor))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
