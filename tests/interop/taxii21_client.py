#!/usr/bin/python3
"""TAXII 2.1 interoperability: the OASIS taxii2-client (taxii2client.v21) drives taxiid's
TAXII 2.1 API (issue #22; docs/taxii21.md): discovery, API root, collections, add_objects with a
status wait, get_objects with each filter and paging (as_pages), manifest, object, versions,
delete. One group per transport:

  taxii21_client.py http  --taxiid BIN [--results DIR]   plain HTTP, anonymous
  taxii21_client.py https --taxiid BIN [--results DIR]   HTTPS, Basic auth and a client certificate

Without the peers (PEERS2_HOME/env.sh, default /tmp/taxii-peers2/env.sh: tools/test.sh sources
it) it prints "SKIP <group>: taxii2-client not installed" and exits 77 (CTest: skipped).
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SKIP_RC, Results, Taxiid, check, check_eq, interop_config, log, make_pki  # noqa: E402
from taxii21_common import indicator, run_against  # noqa: E402

C1 = "2a1b5c9e-7d43-4c1e-9f0a-0b1c2d3e4f51"
MEDIA = "application/taxii+json;version=2.1"
USER, PASSWORD = "alice", "alice-interop-pw"


def load_client():
    home = os.environ.get("PEERS2_HOME", "/tmp/taxii-peers2")
    for p in os.environ.get("PYTHONPATH", "").split(":"):
        if p and p not in sys.path:
            sys.path.append(p)
    if not any("taxii2-client" in p for p in sys.path) and os.path.isdir(os.path.join(home, "src")):
        for d in sorted(os.listdir(os.path.join(home, "src"))):
            sys.path.append(os.path.join(home, "src", d))
    try:
        import taxii2client.v21 as v21  # noqa: F401
        return v21
    except ImportError:
        return None


def taxii2_section(https):
    perms = ("          permissions: {read: [alice], write: [alice]}\n" if https else "")
    return ("taxii2:\n  title: interop taxiid\n  default_root: /api1/\n  max_page: 7\n"
            "  api_roots:\n    - path: /api1/\n      title: interop root\n      collections:\n"
            "        - id: %s\n          alias: one\n          title: interop collection\n%s" % (C1, perms))


class Cases:
    def __init__(self, v21, server, https, pki):
        self.v21, self.https, self.pki = v21, https, pki
        self.kw = {}
        if https:
            self.kw = {"user": USER, "password": PASSWORD, "verify": pki.ca, "cert": (pki.client_cert, pki.client_key)}
        self.base = server.url("", https)

    def coll(self):
        return self.v21.Collection(self.base + "/api1/collections/%s/" % C1, **self.kw)

    def discovery(self):
        s = self.v21.Server(self.base + "/taxii2/", **self.kw)
        check_eq(s.title, "interop taxiid", "title")
        check_eq([r.url for r in s.api_roots], [self.base + "/api1/"], "api_roots")
        check(s.default is not None and s.default.url == self.base + "/api1/", "default root")

    def api_root(self):
        r = self.v21.ApiRoot(self.base + "/api1/", **self.kw)
        check_eq(r.title, "interop root", "title")
        check_eq(r.versions, [MEDIA], "versions")
        check(r.max_content_length > 0, "max_content_length")

    def collections(self):
        r = self.v21.ApiRoot(self.base + "/api1/", **self.kw)
        check_eq([c.id for c in r.collections], [C1], "collection ids")
        c = r.collections[0]
        check(c.can_read and c.can_write, "can_read and can_write")
        check_eq(c.alias, "one", "alias")

    def add_objects(self):
        env = {"objects": [indicator(i) for i in range(1, 13)] +
               [indicator(1, "2024-02-01T00:00:00.000Z", {"x_interop_note": "custom"})]}
        st = self.coll().add_objects(env, wait_for_completion=True)
        check_eq(st.status, "complete", "status")
        check_eq((st.total_count, st.success_count, st.failure_count), (13, 13, 0), "counts")
        again = self.coll().add_objects(env, wait_for_completion=True)
        check_eq(again.success_count, 13, "duplicates are successes")
        status = self.v21.Status(self.base + "/api1/status/%s/" % st.id, **self.kw)
        check_eq(status.status, "complete", "GET status")

    def get_objects_filters(self):
        c = self.coll()
        check_eq(len(c.get_objects()["objects"]), 7, "first page capped at max_page")
        check_eq(len(c.get_objects(type="indicator", limit=3)["objects"]), 3, "limit")
        all_v = c.get_objects(id=indicator(1)["id"], version="all")["objects"]
        check_eq(len(all_v), 2, "match[version]=all")
        first = c.get_objects(id=indicator(1)["id"], version="first")["objects"]
        check_eq(first[0]["modified"], "2024-01-01T00:00:00.000Z", "match[version]=first")
        check_eq(c.get_objects(spec_version="2.0").get("objects"), None, "match[spec_version]=2.0")
        resp = c.get_objects(limit=2)
        check(resp.get("more") is True and resp.get("next"), "more and next")

    def get_objects_pages(self):
        seen = []
        for env in self.v21.as_pages(self.coll().get_objects, per_request=5):
            seen += [o["id"] for o in env.get("objects", [])]
        check_eq(len(seen), 12, "every object once over the pages (latest versions)")
        check_eq(len(set(seen)), 12, "no object twice")

    def manifest(self):
        m = self.coll().get_manifest(version="all", limit=50)
        check_eq(len(m["objects"]), 7, "manifest page capped at max_page")
        rec = m["objects"][0]
        check(rec["date_added"].endswith("Z") and len(rec["date_added"]) == 27, "TAXII timestamp")
        check_eq(rec["media_type"], "application/stix+json;version=2.1", "media_type")
        total = sum(len(p.get("objects", [])) for p in self.v21.as_pages(self.coll().get_manifest, per_request=4,
                                                                        version="all"))
        check_eq(total, 13, "manifest records over the pages")

    def get_object_and_versions(self):
        oid = indicator(1)["id"]
        env = self.coll().get_object(oid, version="all")
        check_eq(len(env["objects"]), 2, "both versions")
        v = self.coll().object_versions(oid)
        check_eq(v["versions"], ["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"], "versions")

    def certificate_only(self):
        """The client certificate alone authenticates (mapped to alice), no Basic."""
        r = self.v21.ApiRoot(self.base + "/api1/", verify=self.pki.ca, cert=(self.pki.client_cert, self.pki.client_key))
        check_eq([c.id for c in r.collections], [C1], "collections seen with the certificate")

    def wrong_password_is_401(self):
        try:
            self.v21.ApiRoot(self.base + "/api1/", user=USER, password="wrong", verify=self.pki.ca).refresh()
        except Exception as e:  # noqa: BLE001 - taxii2-client raises on 401
            check("401" in str(e), "401: %s" % e)
            return
        check(False, "a wrong password was accepted")

    def delete(self):
        oid = indicator(2)["id"]
        self.coll().delete_object(oid)
        try:
            self.coll().get_object(oid)
        except Exception as e:  # noqa: BLE001 - taxii2-client raises on 404
            check("404" in str(e), "404 after delete: %s" % e)
            return
        check(False, "the deleted object is still served")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("group", choices=["http", "https"])
    ap.add_argument("--taxiid", required=True)
    ap.add_argument("--results")
    a = ap.parse_args()
    name = "taxii21-client-" + a.group
    v21 = load_client()
    results = Results(name, "taxii2-client", "v21", a.group)
    if v21 is None:
        log("SKIP %s: taxii2-client not installed (. /tmp/taxii-peers2/env.sh)" % name)
        return SKIP_RC
    https = a.group == "https"
    # requests prefers these to the session's own `verify` (the test CA): drop them here.
    for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(k, None)
    with tempfile.TemporaryDirectory(prefix="taxii21-interop-") as d:
        pki = make_pki(os.path.join(d, "pki")) if https else None
        extra = taxii2_section(https)
        if https:
            import subprocess
            h = subprocess.run([a.taxiid, "user", "hash", "--password-stdin", "--iterations", "1000"],
                               input=PASSWORD.encode(), capture_output=True, check=True).stdout.decode().strip()
            extra += ("auth:\n  users:\n    - {name: alice, password_hash: '%s'}\n"
                      "  client_certificates:\n    map: [{subject: 'O=taxii, CN=interop client', user: alice}]\n" % h)
        server = Taxiid(a.taxiid, os.path.join(d, "taxiid"),
                        interop_config(tls_pki=pki, client_certificates="optional", extra=extra))
        cases = Cases(v21, server, https, pki)

        def run_all():
            results.run_each(cases, "discovery api-root collections add-objects get-objects-filters "
                                    "get-objects-pages manifest get-object-and-versions delete")
            if https:
                results.run_each(cases, "certificate-only wrong-password-is-401")
        return run_against(results, server, run_all, a.results)


if __name__ == "__main__":
    sys.exit(main())
