"""cabby's command-line tools (taxii-discovery, -collections, -push, -poll, -subscription) as
clients of taxiid, TAXII 1.1 and 1.0, over HTTP and HTTPS (client certificate required).

cabby's CLI logs failures as "ERROR: ..." on stderr and still exits 0, so every run is judged by
its stderr: a successful run has no ERROR, WARNING or Traceback line.
"""

import os
import re
import shutil
import xml.etree.ElementTree as ET

from harness import (CaseFail, CaseSkip, CaseXfail, HERE, PY, SUBTYPE, Taxiid, check, check_config_key, check_eq,
                     c14n, interop_config, make_pki, run, taxiid_healthy, write_stix_files)

V11, V10 = "1.1", "1.0"
B111, B12 = "urn:stix.mitre.org:xml:1.1.1", "urn:stix.mitre.org:xml:1.2"
UNSUPPORTED_NOTE = "subscriptions are not supported yet"
CABBY_10_DETAIL_BUG = "'str' object has no attribute 'items'"

# Basic authentication (issue #7): user "interop" / "interop-secret" in taxiid's `auth:` section
# (its password hash made with `taxiid user hash --password-stdin`), Basic allowed over plain HTTP
# for the http groups. TAXII_INTEROP_AUTH_YAML replaces the whole section (YAML appended to the
# configuration; it must define that user with that password).
AUTH_USER, AUTH_PASSWORD = "interop", "interop-secret"


def auth_yaml(taxiid_bin):
    """The auth section, or (None, why) when this taxiid cannot make one."""
    if os.environ.get("TAXII_INTEROP_AUTH_YAML"):
        return os.environ["TAXII_INTEROP_AUTH_YAML"], None
    rc, out, err = run([taxiid_bin, "user", "hash", "--password-stdin"], input_bytes=(AUTH_PASSWORD + "\n").encode(),
                       timeout=120)
    if rc != 0 or not out.strip():
        return None, "`taxiid user hash` is not available (%s)" % (err.strip().splitlines() or ["exit %d" % rc])[0]
    h = out.strip().splitlines()[-1]
    return ("auth:\n  allow_basic_over_http: true\n  users:\n    - {name: %s, password_hash: \"%s\"}\n"
            % (AUTH_USER, h)), None


def parse_raw_blocks(text):
    """Content blocks printed by `taxii-poll -r -x` (one Content_Block element each), in order:
    dicts with binding, subtypes, label, content (markup of the first element or the text)."""
    blocks = []
    for m in re.finditer(r"<(?:[\w.-]+:)?Content_Block\b.*?</(?:[\w.-]+:)?Content_Block>", text, re.S):
        el = ET.fromstring(m.group(0))
        b = {"binding": None, "subtypes": [], "label": None, "content": None}
        for c in el:
            name = c.tag.split("}")[-1]
            if name == "Content_Binding":
                b["binding"] = c.get("binding_id") or (c.text or "").strip()
                b["subtypes"] = [s.get("subtype_id") for s in c]
            elif name == "Content":
                kids = list(c)
                b["content"] = ET.tostring(kids[0], encoding="unicode").rstrip() if kids else (c.text or "")
            elif name == "Timestamp_Label":
                b["label"] = (c.text or "").strip()
        blocks.append(b)
    return blocks


def package_ids(blocks_or_texts):
    out = []
    for b in blocks_or_texts:
        text = b["content"] if isinstance(b, dict) else b
        m = re.search(r'id="example:Package-(\d+)"', text or "")
        out.append(int(m.group(1)) if m else None)
    return out


class CabbyGroup:
    def __init__(self, results, taxiid_bin, workdir, version, https):
        self.r, self.bin, self.dir, self.v, self.https = results, taxiid_bin, workdir, version, https
        self.pki = make_pki(os.path.join(workdir, "pki")) if https else None
        self.server = Taxiid(taxiid_bin, os.path.join(workdir, "taxiid"),
                             interop_config(self.pki, client_certificates="required", part_size=5))
        self.files = os.path.join(workdir, "files")
        self.pushed = {}  # collection -> package ids in push order

    def close(self):
        self.server.stop()

    # ---------------------------------------------------------------- plumbing
    def url(self, path):
        return self.server.url(path, self.https)

    def tls_args(self, cert=True):
        if not self.https:
            return []
        a = ["--ca-cert", self.pki.ca]
        if cert:
            a += ["--cert", self.pki.client_cert, "--key", self.pki.client_key]
        return a

    def tool(self, name, *args, cert=True, version=None):
        cmd = [shutil.which(name), "-t", version or self.v] + list(args) + self.tls_args(cert)
        rc, out, err = run(cmd, timeout=300)
        return rc, out, err

    @staticmethod
    def problems(err):
        return [ln for ln in err.splitlines() if re.search(r"\b(ERROR|WARNING|CRITICAL)\b|Traceback", ln)]

    def ok(self, name, *args, **kw):
        rc, out, err = self.tool(name, *args, **kw)
        bad = self.problems(err)
        check(rc == 0 and not bad, "%s %s failed (rc %d): %s" % (name, " ".join(args), rc, "\n".join(bad) or err))
        return out, err

    def fails(self, name, *args, expect, **kw):
        """Runs a tool that must report an error whose text contains `expect`."""
        rc, out, err = self.tool(name, *args, **kw)
        errors = [ln for ln in err.splitlines() if "ERROR" in ln]
        check(errors, "%s %s: expected an error containing %r, got none:\n%s" % (name, " ".join(args), expect, err))
        alternatives = expect if isinstance(expect, tuple) else (expect,)
        if self.v == V10 and any(CABBY_10_DETAIL_BUG in ln for ln in errors):
            return self.cabby_10_detail_bug(alternatives[0])
        check(any(x in ln for ln in errors for x in alternatives),
              "%s: expected %s in the error, got:\n%s" % (name, " or ".join(map(repr, alternatives)), "\n".join(errors)))
        hit = [x for x in alternatives if any(x in ln for ln in errors)][0]
        return None if hit == alternatives[0] else "reported as %r" % hit

    def cabby_10_detail_bug(self, expect):
        """cabby cannot print a TAXII 1.0 Status_Message that has a Status_Detail: it formats the
        detail as a 1.1 dict (cabby/exceptions.py _status_to_message) and dies with AttributeError.
        What taxiid answered is then checked in its log."""
        last = self.server.request_lines()[-1]
        check_eq(last.get("status"), expect, "status taxiid answered (its log)")
        return ("taxiid answered %s; cabby bug: a 1.0 Status_Detail is a string, cabby formats it as a dict "
                "and reports \"%s\" instead" % (expect, CABBY_10_DETAIL_BUG))

    def requests_of_type(self, since):
        return [x.get("type") for x in self.server.request_lines(since)]

    def push(self, path, file, binding, dest=None, subtypes=()):
        if self.v == V10:
            cmd = [PY, os.path.join(HERE, "cabby_push.py"), "-t", V10, "--path", self.url(path), "-f", file,
                   "--binding", binding] + self.tls_args()
            rc, out, err = run(cmd, timeout=120)
            check(rc == 0, "cabby (library) 1.0 push of %s failed: %s" % (file, err))
            return
        args = ["--path", self.url(path), "-f", file, "--binding", binding]
        for d in dest or []:
            args += ["--dest", d]
        for s in subtypes:
            args += ["--subtype", s]
        out, err = self.ok("taxii-push", *args)
        check("successfully pushed" in err, "taxii-push did not confirm: " + err)

    def poll_raw(self, collection, *extra):
        out, err = self.ok("taxii-poll", "--path", self.url("/services/poll"), "-c", collection, "-r", "-x",
                           *extra)
        m = re.search(r"(\d+) blocks polled", err)
        blocks = parse_raw_blocks(out)
        check(m and int(m.group(1)) == len(blocks),
              "taxii-poll said %r but printed %d blocks" % (m and m.group(0), len(blocks)))
        return blocks

    # ---------------------------------------------------------------- cases
    def run_all(self):
        r = self.r
        push_cli = " push-cli-1.0=push_cli_10" if self.v == V10 else ""
        r.run_each(self, "discovery discovery-unknown-path collections collections-via-discovery" + push_cli +
                   " push-stix")
        if self.v == V11:
            r.run_each(self, "push-destination push-subtype push-unknown-destination")
        r.run_each(self, "push-unsupported-binding")
        r.run("poll-all" if self.v == V11 else "poll-all-capped-1.0", self.poll_all)
        r.run_each(self, "poll-dest-dir poll-window-begin poll-window-end poll-window-both poll-window-inverted "
                         "poll-count-only poll-binding-filter poll-binding-unsupported poll-unknown-collection "
                         "poll-via-discovery")
        if self.https:
            r.run_each(self, "tls-no-client-certificate=tls_no_client_cert "
                             "tls-untrusted-client-certificate=tls_rogue_cert tls-server-not-trusted")
        r.run("taxiid-healthy", taxiid_healthy, self.server)

    def expected_instances(self):
        """(type, scheme, path) of every instance taxiid's Discovery lists for this version."""
        types = [("DISCOVERY", "/services/discovery"),
                 ("COLLECTION_MANAGEMENT" if self.v == V11 else "FEED_MANAGEMENT", "/services/collection-management"),
                 ("INBOX", "/services/inbox"), ("INBOX", "/services/inbox-named"), ("POLL", "/services/poll")]
        schemes = ["https" if self.https else "http"]
        # Discovery lists each service once per listener of the requester's transport, in the
        # requester's version only (docs/server.md, docs/decisions.md).
        return sorted((t, s, p, self.v) for t, p in types for s in schemes)

    def discovery(self):
        out, err = self.ok("taxii-discovery", "--path", self.url("/services/discovery"))
        got = []
        for block in re.split(r"=== Service Instance ?===", out)[1:]:
            f = dict(re.findall(r"^\s+([\w ]+): (.*)$", block, re.M))
            addr = f.get("Service Address") or f.get("Address")
            version = (f.get("Service Version") or f.get("Services Version", "")).rsplit(":", 1)[-1]
            proto = f.get("Protocol Binding", "")
            scheme = addr.split(":", 1)[0]
            check(proto.endswith(":%s:1.0" % scheme), "protocol %s for address %s" % (proto, addr))
            mb = re.findall(r"Message Binding: (\S+)", block)
            check(mb == ["urn:taxii.mitre.org:message:xml:%s" % version],
                  "instance %s %s: message bindings %s" % (addr, version, mb))
            port = self.server.https_port if scheme == "https" else self.server.http_port
            check(addr.startswith("%s://127.0.0.1:%d/" % (scheme, port)), "address %s" % addr)
            got.append((f.get("Service Type"), scheme, "/" + addr.split("/", 3)[3], version))
        check_eq(sorted(got), self.expected_instances(), "service instances")
        check(re.search(r"(\d+) services discovered", err).group(1) == str(len(got)), "count line")

    def discovery_unknown_path(self):
        # taxiid answers HTTP 404 + NOT_FOUND (a Status_Message); cabby raises on any non-200.
        return self.fails("taxii-discovery", "--path", self.url("/services/nosuch"), expect="404")

    def collection_names(self, out):
        names = re.findall(r"Collection Name: (\S+)", out) + re.findall(r"Feed Name: (\S+)", out)
        return names

    def collections(self):
        out, _ = self.ok("taxii-collections", "--path", self.url("/services/collection-management"))
        names = self.collection_names(out)
        if self.v == V11:
            check_eq(sorted(names), ["default", "second", "set", "typed"], "collections")
            check("Collection Type: DATA_SET" in out, "the data set is listed as DATA_SET")
            check(SUBTYPE in out, "the subtype of 'typed' is listed:\n" + out)
        else:
            # A 1.0 Feed_Information_Response cannot express a Data Set: taxiid leaves it out.
            check_eq(sorted(names), ["default", "second", "typed"], "feeds")
        check(out.count(self.url("/services/poll")) >= 4 if self.v == V11 else True, "polling instances listed")

    def collections_via_discovery(self):
        # Without --path cabby asks Discovery for every (Collection|Feed) Management instance and
        # queries each one: every advertised address must work with this client's version.
        out, err = self.ok("taxii-collections", "--discovery", self.url("/services/discovery"))
        names = self.collection_names(out)
        check(names and set(names) == ({"default", "second", "set", "typed"} if self.v == V11
                                       else {"default", "second", "typed"}), "collections %s" % names)

    def push_cli_10(self):
        f = write_stix_files(self.files + "-cli10", 900, 1)[0]
        rc, out, err = self.tool("taxii-push", "--path", self.url("/services/inbox"), "-f", f, "--binding", B111)
        if "unexpected keyword argument 'collection_names'" in err:
            raise CaseSkip("cabby bug: `taxii-push -t 1.0` passes collection_names to Client10.push() "
                           "(cabby/cli/push.py) and fails before sending; 1.0 pushes use cabby's library "
                           "(tests/interop/cabby_push.py)")
        check(not self.problems(err), err)

    def push_stix(self):
        # 12 STIX 1.1.1 packages (some pretty-printed) and 3 STIX 1.2 ones into `default`
        # through the inbox's default collection (no Destination_Collection_Name).
        before = len(self.server.request_lines())
        files = write_stix_files(self.files, 1, 12, "1.1.1", pretty_every=4)
        files12 = write_stix_files(self.files, 101, 3, "1.2")
        for f in files:
            self.push("/services/inbox", f, B111)
        for f in files12:
            self.push("/services/inbox", f, B12)
        self.pushed["default"] = list(range(1, 13)) + [101, 102, 103]
        statuses = [x.get("status") for x in self.server.request_lines(before) if x.get("type") == "Inbox_Message"]
        check_eq(statuses, ["SUCCESS"] * 15, "inbox answers")

    def push_destination(self):
        f = write_stix_files(self.files, 201, 1, "1.2")[0]
        self.push("/services/inbox-named", f, B12, dest=["second"])
        self.pushed["second"] = [201]
        blocks = self.poll_raw("second")
        check_eq(package_ids(blocks), [201], "content of `second`")
        check_eq(blocks[0]["binding"], B12, "binding")

    def push_subtype(self):
        f = write_stix_files(self.files, 301, 1, "1.2")[0]
        self.push("/services/inbox", f, B12, dest=["typed"], subtypes=[SUBTYPE])
        blocks = self.poll_raw("typed")
        check_eq(package_ids(blocks), [301], "content of `typed`")
        check_eq(blocks[0]["subtypes"], [SUBTYPE], "subtype")

    def push_unknown_destination(self):
        f = write_stix_files(self.files, 401, 1)[0]
        return self.fails("taxii-push", "--path", self.url("/services/inbox"), "-f", f, "--binding", B111,
                          "--dest", "nosuch", expect="DESTINATION_COLLECTION_ERROR")

    def push_unsupported_binding(self):
        f = write_stix_files(self.files, 402, 1)[0]
        if self.v == V10:
            cmd = [PY, os.path.join(HERE, "cabby_push.py"), "-t", V10, "--path", self.url("/services/inbox"), "-f",
                   f, "--binding", "urn:example:not-stix"] + self.tls_args()
            rc, out, err = run(cmd, timeout=120)
            check(rc == 1, "expected a failure: " + err)
            if CABBY_10_DETAIL_BUG in err:
                return self.cabby_10_detail_bug("UNSUPPORTED_CONTENT")
            check("UNSUPPORTED_CONTENT" in err, "expected UNSUPPORTED_CONTENT: " + err)
            return None
        return self.fails("taxii-push", "--path", self.url("/services/inbox"), "-f", f, "--binding",
                          "urn:example:not-stix", expect="UNSUPPORTED_CONTENT")

    def poll_all(self):
        before = len(self.server.request_lines())
        blocks = self.poll_raw("default")
        self.labels = [b["label"] for b in blocks]
        types = self.requests_of_type(before)
        if self.v == V11:
            # 15 blocks, part_size 5: a Poll_Request and two Poll_Fulfillment requests.
            check_eq(package_ids(blocks), self.pushed["default"], "blocks (in label order)")
            check_eq(types, ["Poll_Request", "Poll_Fulfillment", "Poll_Fulfillment"], "requests cabby sent")
        else:
            # TAXII 1.0 has no multi-part results: taxiid answers part_size blocks and states the end
            # of what it sent; cabby has no way to continue but a new window (next case).
            check_eq(package_ids(blocks), self.pushed["default"][:5], "blocks (first 5)")
            check_eq(types, ["Poll_Request"], "requests")
        for b in blocks:
            check(b["binding"] in (B111, B12), "binding %s" % b["binding"])
        # Content survives field for field: canonical XML equal to what was pushed.
        for b, i in zip(blocks, package_ids(blocks)):
            name = "stix-%06d.xml" % i
            with open(os.path.join(self.files, name), encoding="utf-8") as f:
                check_eq(c14n(b["content"]), c14n(f.read()), "content of %s" % name)
        check(all(self.labels[i] < self.labels[i + 1] for i in range(len(self.labels) - 1)), "labels increase")

    def poll_dest_dir(self):
        d = os.path.join(self.dir, "dest-%s" % self.v)
        os.makedirs(d, exist_ok=True)
        self.ok("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "--dest-dir", d)
        texts = []
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), encoding="utf-8") as f:
                texts.append(f.read())
        want = self.pushed["default"] if self.v == V11 else self.pushed["default"][:5]
        check_eq(sorted(package_ids(texts)), sorted(want), "files written")

    def all_labels(self):
        """Labels of every block of `default`, in order (1.0: polled window by window)."""
        if self.v == V11:
            return self.labels
        labels, begin = [], None
        while True:
            blocks = self.poll_raw("default", *(["--begin", begin] if begin else []))
            if not blocks:
                return labels
            labels += [b["label"] for b in blocks]
            begin = blocks[-1]["label"]

    def window(self, begin=None, end=None):
        args = (["--begin", begin] if begin else []) + (["--end", end] if end else [])
        return package_ids(self.poll_raw("default", *args))

    def poll_window_begin(self):
        labels, ids = self.all_labels(), self.pushed["default"]
        check_eq(len(labels), len(ids), "labels of all blocks")
        if self.v == V11:
            check_eq(self.window(begin=labels[2]), ids[3:], "after label 3 (exclusive)")
        else:
            # The 1.0 way through a long feed: windows of part_size blocks, each starting at the
            # end of the last (Exclusive_Begin = last label seen).
            check_eq(self.window(begin=labels[4]), ids[5:10], "after label 5")
            check_eq(self.window(begin=labels[9]), ids[10:15], "after label 10")
            check_eq(self.window(begin=labels[14]), [], "after the last label")

    def poll_window_end(self):
        labels, ids = self.all_labels(), self.pushed["default"]
        check_eq(self.window(end=labels[2]), ids[:3], "up to label 3 (inclusive)")
        if self.v == V11:
            check_eq(self.window(end=labels[6]), ids[:7], "up to label 7 (2 parts)")

    def poll_window_both(self):
        labels, ids = self.all_labels(), self.pushed["default"]
        check_eq(self.window(begin=labels[2], end=labels[5]), ids[3:6], "(label 3, label 6]")
        check_eq(self.window(begin=labels[1], end=labels[2]), ids[2:3], "one block")

    def poll_window_inverted(self):
        labels = self.all_labels()
        return self.fails("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "--begin",
                          labels[5], "--end", labels[2], expect="BAD_MESSAGE")

    def poll_count_only(self):
        if self.v == V10:
            rc, out, err = self.tool("taxii-poll", "--path", self.url("/services/poll"), "-c", "default",
                                     "--count-only")
            check("Not supported in version" in err, "cabby refuses count-only for 1.0: " + err)
            raise CaseSkip("TAXII 1.0 has no COUNT_ONLY poll (cabby refuses it locally: 'Not supported in version')")
        out, err = self.ok("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "--count-only")
        m = re.search(r"Content blocks count: (\d+), is partial: (\w+)", err)
        check(m, "no count in: " + err)
        check_eq((int(m.group(1)), m.group(2)), (len(self.pushed["default"]), "False"), "count")
        labels = self.all_labels()
        out, err = self.ok("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "--count-only",
                           "--begin", labels[9])
        m = re.search(r"Content blocks count: (\d+)", err)
        check_eq(int(m.group(1)), 5, "count after label 10")

    def poll_binding_filter(self):
        blocks = self.poll_raw("default", "-b", B12)
        check_eq(package_ids(blocks), [101, 102, 103], "STIX 1.2 blocks only")
        check(all(b["binding"] == B12 for b in blocks), "bindings")
        blocks = self.poll_raw("default", "-b", "%s,%s" % (B12, "urn:stix.mitre.org:xml:1.0"))
        check_eq(package_ids(blocks), [101, 102, 103], "two bindings listed")

    def poll_binding_unsupported(self):
        return self.fails("taxii-poll", "--path", self.url("/services/poll"), "-c", "second", "-b",
                          "urn:stix.mitre.org:xml:1.0", expect="UNSUPPORTED_CONTENT")

    def poll_unknown_collection(self):
        return self.fails("taxii-poll", "--path", self.url("/services/poll"), "-c", "nosuch", expect="NOT_FOUND")

    def poll_via_discovery(self):
        # cabby picks the Poll service from Discovery by service type alone and refuses two or
        # more candidates. taxiid lists every service once per listener of the requester's
        # transport, in the requester's version (docs/server.md), so with one HTTP and one
        # HTTPS listener cabby sees one; two listeners of one transport would make it refuse.
        rc, out, err = self.tool("taxii-poll", "--discovery", self.url("/services/discovery"), "-c", "default",
                                 "-r", "-x")
        if "services found with type 'POLL'" in err:
            n = re.search(r"(\d+) services found with type 'POLL'", err).group(1)
            raise CaseXfail("cabby limitation: %s Poll instances advertised (one per listener); "
                            "cabby's auto-discovery refuses more than one (AmbiguousServicesError) - use --path"
                            % n)
        check(not self.problems(err), err)
        want = self.pushed["default"] if self.v == V11 else self.pushed["default"][:5]
        check_eq(package_ids(parse_raw_blocks(out)), want, "blocks")

    # ---------------------------------------------------------------- TLS
    def tls_no_client_cert(self):
        rc, out, err = self.tool("taxii-discovery", "--path", self.url("/services/discovery"), cert=False)
        errors = [ln for ln in err.splitlines() if "ERROR" in ln]
        check(errors and any(re.search(r"SSL|alert|certificate|Connection", ln, re.I) for ln in errors),
              "expected a TLS refusal, got: " + err)

    def tls_rogue_cert(self):
        cmd = [shutil.which("taxii-discovery"), "-t", self.v, "--path", self.url("/services/discovery"),
               "--ca-cert", self.pki.ca, "--cert", self.pki.rogue_cert, "--key", self.pki.rogue_key]
        rc, out, err = run(cmd)
        check(any("ERROR" in ln for ln in err.splitlines()) and "Service Instance" not in out,
              "an untrusted client certificate must be refused: " + err)

    def tls_server_not_trusted(self):
        # Without --ca-cert cabby verifies against the system CAs and must refuse the test CA.
        cmd = [shutil.which("taxii-discovery"), "-t", self.v, "--path", self.url("/services/discovery"),
               "--cert", self.pki.client_cert, "--key", self.pki.client_key]
        rc, out, err = run(cmd)
        check(any("ERROR" in ln and re.search(r"certificate|SSL", ln) for ln in err.splitlines()),
              "server certificate must not verify: " + err)


class CabbySubscriptionGroup(CabbyGroup):
    """taxii-subscription: subscribe / status / pause / resume / unsubscribe (issue #6)."""

    def run_all(self):
        self.sub_id = None
        r = self.r
        r.run_each(self, "subscribe subscribe-count-only status pause resume poll-subscription unsubscribe")
        r.run("taxiid-healthy", taxiid_healthy, self.server)

    def sub(self, action, *extra):
        args = ["--path", self.url("/services/collection-management"), "-a", action, "-c", "default"] + list(extra)
        rc, out, err = self.tool("taxii-subscription", *args)
        errors = [ln for ln in err.splitlines() if "ERROR" in ln]
        if errors and UNSUPPORTED_NOTE in " ".join(errors):
            raise CaseXfail("taxiid answers FAILURE '%s' (issue #6): %s" % (UNSUPPORTED_NOTE, errors[0].strip()))
        if errors and "not supported in TAXII v1.0" in " ".join(errors):
            raise CaseSkip("TAXII 1.0 has no %s action (cabby refuses it locally)" % action)
        check(not self.problems(err), "taxii-subscription -a %s: %s" % (action, err))
        return out

    @staticmethod
    def field(out, name):
        m = re.search(r"%s: (\S+)" % name, out)
        return m.group(1) if m else None

    def subscribe(self):
        out = self.sub("subscribe")
        self.sub_id = self.field(out, "Subscription ID")
        check(self.sub_id, "no Subscription ID in:\n" + out)
        if self.v == V11:  # a 1.0 Manage_Feed_Subscription_Response has no status
            check_eq(self.field(out, "Status"), "ACTIVE", "status")
        check(re.search(r"Poll (Instance|Address)|Address: ", out), "poll instances listed:\n" + out)

    def subscribe_count_only(self):
        if self.v == V10:
            raise CaseSkip("TAXII 1.0 subscriptions have no response type")
        out = self.sub("subscribe", "--count-only")
        check("COUNT_ONLY" in out, "response type COUNT_ONLY in:\n" + out)

    def need_id(self):
        return self.sub_id or "urn:uuid:00000000-0000-4000-8000-000000000000"

    def status(self):
        out = self.sub("status")
        if self.sub_id:
            check(self.sub_id in out, "status lists the subscription:\n" + out)

    def pause(self):
        out = self.sub("pause", "-s", self.need_id())
        check_eq(self.field(out, "Status"), "PAUSED", "status after pause")

    def resume(self):
        out = self.sub("resume", "-s", self.need_id())
        check_eq(self.field(out, "Status"), "ACTIVE", "status after resume")

    def poll_subscription(self):
        if not self.sub_id:
            rc, out, err = self.tool("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "-s",
                                     self.need_id())
            if "NOT_FOUND" in err:
                raise CaseXfail("no subscription to poll (subscribe failed); taxiid answers NOT_FOUND for an "
                                "unknown Subscription_ID (issue #6)")
            raise CaseFail("poll with an unknown subscription: " + err)
        self.ok("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "-s", self.sub_id)

    def unsubscribe(self):
        out = self.sub("unsubscribe", "-s", self.need_id())
        check_eq(self.field(out, "Subscription ID"), self.need_id(), "subscription unsubscribed")
        if self.v == V11:
            check_eq(self.field(out, "Status"), "UNSUBSCRIBED", "status after unsubscribe")
        out = self.sub("status")
        check(self.need_id() not in out, "gone from STATUS:\n" + out)


class CabbyBasicAuthGroup(CabbyGroup):
    """HTTP Basic authentication (issue #7): runs once taxiid's configuration accepts users."""

    CASES = ["basic-auth-discovery", "basic-auth-poll", "basic-auth-push", "basic-auth-wrong-password",
             "basic-auth-missing"]

    @classmethod
    def unsupported_reason(cls, taxiid_bin, workdir):
        yaml, why = auth_yaml(taxiid_bin)
        if yaml is None:
            return "taxiid does not support users yet (issue #7): " + why
        ok, out = check_config_key(taxiid_bin, workdir, interop_config(part_size=5, extra=yaml))
        if ok:
            return None
        first = out.splitlines()[0] if out else "rejected"
        return ("taxiid does not support users yet (issue #7): --check-config rejects the auth configuration: %s"
                % first.split(": ", 1)[-1])

    def __init__(self, results, taxiid_bin, workdir, version, https):
        self.r, self.bin, self.dir, self.v, self.https = results, taxiid_bin, workdir, version, https
        self.pki = make_pki(os.path.join(workdir, "pki")) if https else None
        yaml, _ = auth_yaml(taxiid_bin)
        self.server = Taxiid(taxiid_bin, os.path.join(workdir, "taxiid"),
                             interop_config(self.pki, client_certificates="optional", part_size=5, extra=yaml))
        self.files = os.path.join(workdir, "files")
        self.pushed = {}

    def creds(self, password=AUTH_PASSWORD):
        return ["--username", AUTH_USER, "--password", password]

    def run_all(self):
        r = self.r
        r.run("basic-auth-discovery", lambda: self.ok("taxii-discovery", "--path", self.url("/services/discovery"),
                                                       *self.creds()))
        r.run("basic-auth-push", self.auth_push)
        r.run("basic-auth-poll", self.auth_poll)
        r.run("basic-auth-wrong-password", lambda: self.fails(
            "taxii-poll", "--path", self.url("/services/poll"), "-c", "default", *self.creds("wrong"),
            expect=("UNAUTHORIZED", "status code 401")))
        r.run("basic-auth-missing", lambda: self.fails(
            "taxii-poll", "--path", self.url("/services/poll"), "-c", "default",
            expect=("UNAUTHORIZED", "status code 401")))
        # The wrong password is logged (level=warn event=login_failed), as it should be.
        r.run("taxiid-healthy", taxiid_healthy, self.server, ("http", "login_failed"))

    def auth_push(self):
        f = write_stix_files(self.files, 1, 1)[0]
        if self.v == V10:
            cmd = [PY, os.path.join(HERE, "cabby_push.py"), "-t", V10, "--path", self.url("/services/inbox"), "-f",
                   f, "--binding", B111] + self.tls_args() + self.creds()
            rc, out, err = run(cmd)
            check(rc == 0, err)
            return
        self.ok("taxii-push", "--path", self.url("/services/inbox"), "-f", f, "--binding", B111, *self.creds())

    def auth_poll(self):
        out, err = self.ok("taxii-poll", "--path", self.url("/services/poll"), "-c", "default", "-r", "-x",
                           *self.creds())
        check_eq(package_ids(parse_raw_blocks(out)), [1], "blocks")
