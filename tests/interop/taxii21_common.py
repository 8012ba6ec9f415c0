"""Shared by the TAXII 2.1 interop scripts (taxii21_client.py, taxii21_own_client.py): STIX test
objects and running a group's cases against one taxiid."""
from harness import check_eq


def indicator(n, modified="2024-01-01T00:00:00.000Z", extra=None):
    """A STIX 2.1 indicator with a fixed id per n (one version per `modified`)."""
    o = {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-%012d" % n,
         "created": "2024-01-01T00:00:00.000Z", "modified": modified,
         "pattern": "[ipv4-addr:value = '10.0.0.%d']" % (n % 250), "pattern_type": "stix",
         "valid_from": "2024-01-01T00:00:00Z"}
    o.update(extra or {})
    return o


def run_against(results, server, cases, results_dir):
    """Runs cases() (which runs the group's cases), stops taxiid whatever happened and checks it
    exits cleanly, writes the results; returns the group's exit code."""
    try:
        cases()
    finally:
        rc = server.stop()
        results.run("taxiid-exits-cleanly", lambda: check_eq(rc, 0, "exit status"))
    results.write(results_dir)
    return results.exit_code()
