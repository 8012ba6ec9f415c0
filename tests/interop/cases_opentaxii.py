"""Our `taxii` CLI (client/) against OpenTAXII, TAXII 1.1 and 1.0, over HTTP and over HTTPS
(OpenTAXII runs plain HTTP under gunicorn here; HTTPS goes through a TLS-terminating reverse
proxy requiring a client certificate, the way OpenTAXII is deployed behind nginx); and the relay:
1,000 STIX blocks OpenTAXII -> taxiid -> OpenTAXII with `taxii poll -o` and `taxii push DIR`.

Every `taxii` run uses --json where it reads results, and checks the exit status
(docs/cli.md: 0 ok, 3 transport / HTTP / unusable answer, 4 TAXII error status).
"""

import json
import os
import re

from harness import (CaseFail, HttpProxy, OpenTaxii, Taxiid, check, check_eq, c14n, interop_config,
                     make_pki, run, taxiid_healthy, tls_server_context, write_stix_files)

V11, V10 = "1.1", "1.0"
B111, B12 = "urn:stix.mitre.org:xml:1.1.1", "urn:stix.mitre.org:xml:1.2"
OT_PAGE = 5


def package_ids(texts):
    out = []
    for t in texts:
        m = re.search(r'id="example:Package-(\d+)"', t or "")
        out.append(int(m.group(1)) if m else None)
    return out


class TaxiiCli:
    """Runs the built `taxii` binary."""

    def __init__(self, binary, version, tls=None):
        self.bin, self.v, self.tls = binary, version, tls  # tls: list of --ca/--cert/--key args

    def __call__(self, *args, json_out=False, expect_rc=0, timeout=600, extra=None):
        cmd = [self.bin, args[0]] + (["--taxii", self.v] if self.v == V10 else []) + list(args[1:])
        cmd += (self.tls or []) + (extra or []) + (["--json"] if json_out else [])
        rc, out, err = run(cmd, timeout=timeout)
        if expect_rc is not None and rc != expect_rc:
            raise CaseFail("%s: exit %d (want %d)\nstdout: %s\nstderr: %s" % (" ".join(cmd[1:]), rc, expect_rc,
                                                                             out[-3000:], err[-3000:]))
        if json_out:
            try:
                doc = json.loads(out)
            except ValueError as e:
                raise CaseFail("%s: not one JSON document (%s): %r" % (" ".join(cmd[1:]), e, out[:500]))
            return doc, err
        return out, err


class OpenTaxiiGroup:
    def __init__(self, results, taxii_bin, workdir, version, https):
        self.r, self.dir, self.v, self.https = results, workdir, version, https
        self.ot = OpenTaxii(os.path.join(workdir, "opentaxii"), page_size=OT_PAGE)
        self.proxies = []
        self.pki = None
        tls = None
        if https:
            self.pki = make_pki(os.path.join(workdir, "pki"))
            p = HttpProxy(self.ot.port, tls=tls_server_context(self.pki, require_client_cert=True))
            self.proxies.append(p)
            self.base = "https://127.0.0.1:%d" % p.port
            tls = ["--ca", self.pki.ca, "--cert", self.pki.client_cert, "--key", self.pki.client_key]
        else:
            self.base = self.ot.base
        self.taxii = TaxiiCli(taxii_bin, version, tls)
        self.files = os.path.join(workdir, "files")
        self.pushed = []

    def close(self):
        for p in self.proxies:
            p.stop()
        self.ot.stop()

    def url(self, path):
        return self.base + path

    def proxied(self, rewrite=None):
        """A plain-HTTP proxy to OpenTAXII that rewrites request headers; returns it and its URL."""
        p = HttpProxy(self.ot.port, rewrite=rewrite)
        self.proxies.append(p)
        return p, "http://127.0.0.1:%d" % p.port

    # ---------------------------------------------------------------- cases
    def run_all(self):
        r = self.r
        r.run_each(self, "discover collections push")
        if self.v == V11:
            r.run_each(self, "push-no-destination")
        r.run_each(self, "push-unsupported-binding")
        r.run("poll-multipart" if self.v == V11 else "poll-all-1.0", self.poll_all)
        if self.v == V11:
            r.run_each(self, "poll-no-follow-then-fulfill=poll_no_follow")
        r.run_each(self, "poll-window")
        if self.v == V11:
            r.run_each(self, "poll-count-only")
        r.run_each(self, "poll-binding-filter poll-unknown-collection subscribe-lifecycle")
        if self.https:
            r.run_each(self, "tls-no-client-certificate=tls_no_client_cert tls-server-not-trusted")
        if not self.https:
            r.run_each(self, "header-error-FAILURE=header_error_failure")
            if self.v == V11:
                r.run_each(self, "header-error-mid-result")
            r.run_each(self, "extra-response-headers http-406-no-body=http_406")

    def discover(self):
        doc, _ = self.taxii("discover", "--url", self.url("/services/discovery"), json_out=True)
        check(doc["ok"], doc)
        types = sorted(s["type"] for s in doc["services"])
        # 4 services x (http, https). taxii reports a 1.0 FEED_MANAGEMENT instance with the 1.1
        # name COLLECTION_MANAGEMENT (docs/cli.md: 1.0 answers are read into the same output).
        check_eq(types, sorted(["DISCOVERY", "COLLECTION_MANAGEMENT", "INBOX", "POLL"] * 2), "service types")
        if self.https:
            # Behind the TLS proxy OpenTAXII labels its answers X-TAXII-Protocol http (it saw
            # plain HTTP) and advertises its own addresses (its `domain`): taxii accepts both.
            proto = self.proxies[0].seen[-1][2].get("X-TAXII-Protocol")
            check_eq(proto, "urn:taxii.mitre.org:protocol:http:1.0", "X-TAXII-Protocol OpenTAXII sent over TLS")
            return "accepted over TLS: X-TAXII-Protocol %s; advertised %s" % (proto, doc["services"][0]["address"])
        return None

    def collections(self):
        if self.v == V10:
            # OpenTAXII's 1.0 Feed_Information_Response describes `default` (accepts any content)
            # without Content_Binding, which XML 1.0 requires (Content_Binding+): taxii refuses the
            # answer (exit 3) and says where; taxiid itself leaves such feeds out.
            out, err = self.taxii("collections", "--url", self.url("/services/collection-management"), expect_rc=3)
            check("cannot parse" in err and "Feed_Information_Response" not in out, "clear refusal: " + err)
            return "refused as specified: " + err.strip().splitlines()[-1]
        doc, _ = self.taxii("collections", "--url", self.url("/services/collection-management"), json_out=True)
        names = {c["name"]: c for c in doc["collections"]}
        check_eq(sorted(names), ["default", "stix111"], "collections")
        check_eq([b["id"] for b in names["stix111"]["content_bindings"]], [B111], "stix111 bindings")
        check_eq(names["default"]["content_bindings"], [], "default accepts anything")
        check(names["default"]["polling_services"] and names["default"]["subscription_services"], "services")
        return None

    def push(self):
        files = write_stix_files(self.files, 1, 12, "1.1.1", pretty_every=4)
        files12 = write_stix_files(self.files + "-12", 101, 3, "1.2")
        dest = ["--dest", "default"] if self.v == V11 else []
        doc, _ = self.taxii("push", "--url", self.url("/services/inbox"), *dest, "--batch", "5", *files,
                            json_out=True)
        check_eq((doc["ok"], doc["blocks"], doc["messages"]), (True, 12, 3), "push 1.1.1")
        doc, _ = self.taxii("push", "--url", self.url("/services/inbox"), *dest, "--binding", B12, *files12,
                            json_out=True)
        check_eq((doc["ok"], doc["blocks"]), (True, 3), "push 1.2")
        self.pushed = list(range(1, 13)) + [101, 102, 103]
        self.file_of = dict(zip(self.pushed, files + files12))

    def push_no_destination(self):
        f = write_stix_files(self.files + "-x", 401, 1)[0]
        doc, err = self.taxii("push", "--url", self.url("/services/inbox"), f, json_out=True, expect_rc=4)
        e = doc["error"]
        check_eq((e["origin"], e["status_type"]), ("server", "DESTINATION_COLLECTION_ERROR"), "error")
        check_eq(sorted(d["value"] for d in e["details"] if d["name"] == "ACCEPTABLE_DESTINATION"),
                 ["default", "stix111"], "ACCEPTABLE_DESTINATION")
        check("DESTINATION_COLLECTION_ERROR" in err, "one-line message: " + err)

    def poll(self, collection, *extra, expect_rc=0):
        return self.taxii("poll", "--url", self.url("/services/poll"), "-c", collection, *extra, json_out=True,
                          expect_rc=expect_rc)[0]

    def all_blocks_10(self, collection):
        """TAXII 1.0 has no multi-part results: every block, window after window, each window
        starting at the label of the last block received."""
        blocks, begin = [], None
        for _ in range(100):
            d = self.poll(collection, *(["--begin", begin] if begin else []))
            if not d["blocks"]:
                return blocks
            blocks += d["blocks"]
            begin = d["blocks"][-1]["timestamp_label"]
        raise CaseFail("no end of %s after 100 windows" % collection)

    def push_unsupported_binding(self):
        # OpenTAXII skips a block whose binding its collection does not take and still answers
        # SUCCESS (OpenTAXII inbox_message_handlers.py "FIXME: is it correct to skip ...";
        # Services 1.1 §3.2 wants UNSUPPORTED_CONTENT). A client cannot notice; the block is lost.
        f = write_stix_files(self.files + "-y", 402, 1, "1.2")[0]
        dest = ["--dest", "stix111"] if self.v == V11 else []
        if self.v == V10:
            # A 1.0 Inbox_Message goes to every collection of the inbox that takes its binding:
            # `default` stores the STIX 1.2 block, `stix111` drops it without a word.
            before = len(self.all_blocks_10("stix111"))
            doc, _ = self.taxii("push", "--url", self.url("/services/inbox"), "--binding", B12, f, json_out=True)
            check(doc["ok"], "OpenTAXII answers SUCCESS")
            check_eq(len(self.all_blocks_10("stix111")), before, "stix111 (STIX 1.1.1 only) dropped it")
            self.pushed.append(402)
            self.file_of[402] = f
            return "1.0: stored in default, dropped by stix111, SUCCESS"
        before = self.poll("stix111")["block_count"]
        doc, _ = self.taxii("push", "--url", self.url("/services/inbox"), *dest, "--binding", B12, f, json_out=True)
        check(doc["ok"], "OpenTAXII answers SUCCESS")
        after = self.poll("stix111")
        check_eq(after["block_count"], before, "the block was dropped silently")
        return "OpenTAXII answered SUCCESS and dropped the block (tolerated: nothing to detect)"

    def poll_all(self):
        d = self.poll("default")
        check(d["ok"], d)
        blocks = [b["content"] for b in d["blocks"]]
        if self.v == V11:
            # OpenTAXII: 5 blocks per part; taxii follows with Poll_Fulfillment.
            check_eq((d["block_count"], d["parts"], d["record_count"]), (15, 3, 15), "blocks, parts, count")
            check_eq(package_ids(blocks), self.pushed, "blocks in order")
            check(d["inclusive_end"] is None, "OpenTAXII states no Inclusive_End_Timestamp")
        else:
            # OpenTAXII answers a 1.0 poll with its first page only (max_result_size) but states
            # Inclusive_End_Timestamp = now: a client that continues from the stated end (as
            # Services 1.0 §3.4.2 intends) never sees the rest. taxii reports what it got; the
            # rest is reachable only by continuing from the last block's label.
            check_eq(package_ids(blocks), self.pushed[:OT_PAGE], "first page only")
            check(d["inclusive_end"] and d["inclusive_end"] > d["blocks"][-1]["timestamp_label"],
                  "stated end beyond the last block sent")
            rest = self.poll("default", "--begin", d["inclusive_end"])
            lost = len(self.pushed) - OT_PAGE - rest["block_count"]
            every = self.all_blocks_10("default")
            check_eq(package_ids([b["content"] for b in every]), self.pushed, "all blocks, window by window")
            d = {"blocks": every}
            note = ("OpenTAXII 1.0 poll: %d of %d blocks, stated end %s; continuing from it loses %d blocks"
                    % (OT_PAGE, len(self.pushed), "now", lost))
        # Content: OpenTAXII pretty-prints Poll_Responses, so XML content arrives wrapped in the
        # indentation of <Content> ("\n      <stix:...>...\n    "): the same XML, other bytes.
        for b in d["blocks"]:
            i = package_ids([b["content"]])[0]
            if i in self.pushed:
                with open(self.file_of[i], encoding="utf-8") as f:
                    check_eq(c14n(b["content"]), c14n(f.read()), "content of %d" % i)
                check(b["content"].startswith("\n") and b["is_xml"], "indentation kept as content")
        self.labels = [b["timestamp_label"] for b in d["blocks"]]
        return "Inclusive_End_Timestamp missing in every OpenTAXII Poll_Response (Services 1.1 §4.4.9 MUST)" \
            if self.v == V11 else note

    def poll_no_follow(self):
        d = self.poll("default", "--no-follow")
        check_eq((d["block_count"], d["more"], d["parts"]), (5, True, 1), "first part only")
        rid = d["result_id"]
        check(rid, "result id")
        doc, _ = self.taxii("fulfill", "--url", self.url("/services/poll"), "-c", "default", "--result-id", rid,
                            "--part", "2", "--follow", json_out=True)
        check_eq(package_ids([b["content"] for b in doc["blocks"]]), self.pushed[5:], "parts 2 and 3")
        doc, err = self.taxii("fulfill", "--url", self.url("/services/poll"), "-c", "default", "--result-id", rid,
                              "--part", "9", json_out=True, expect_rc=None)
        # Past the end OpenTAXII returns an empty part (no INVALID_RESPONSE_PART).
        return "part 9 of 3: exit %d, %s" % (
            0 if doc["ok"] else 4, "%d blocks" % doc.get("block_count", 0) if doc["ok"] else doc["error"]["status_type"])

    def poll_window(self):
        L, ids = self.labels, self.pushed
        got = package_ids([b["content"] for b in self.poll("default", "--begin", L[2])["blocks"]])
        check_eq(got, ids[3:] if self.v == V11 else ids[3:3 + OT_PAGE], "after label 3 (exclusive)")
        got = package_ids([b["content"] for b in self.poll("default", "--end", L[6])["blocks"]])
        check_eq(got, ids[:7] if self.v == V11 else ids[:OT_PAGE], "up to label 7 (inclusive)")
        d = self.poll("default", "--begin", L[2], "--end", L[5])
        check_eq(package_ids([b["content"] for b in d["blocks"]]), ids[3:6], "(label 3, label 6]")
        check_eq(d["inclusive_end"], L[5], "stated end = the requested end")
        if self.v == V10:
            # OpenTAXII copies the exclusive begin into the 1.0 Inclusive_Begin_Timestamp
            # ("FIXME: exclusive/inclusive clash"); taxii reports a 1.0 inclusive begin B as B - 1 us.
            return "1.0 exclusive_begin reported as %s for --begin %s" % (d["exclusive_begin"], L[2])
        check_eq(d["exclusive_begin"], L[2], "exclusive begin echoed")
        return None

    def poll_count_only(self):
        out, _ = self.taxii("poll", "--url", self.url("/services/poll"), "-c", "default", "--count-only")
        check_eq(out.strip(), "15 records", "count")

    def poll_binding_filter(self):
        d = self.poll("default", "--binding", B12)
        want = [101, 102, 103] + ([402] if self.v == V10 else [])
        check_eq(sorted(package_ids([b["content"] for b in d["blocks"]])), want, "STIX 1.2 only")

    def poll_unknown_collection(self):
        d = self.poll("nosuch", expect_rc=4)
        check_eq(d["error"]["status_type"], "NOT_FOUND", "status")

    def subscribe_lifecycle(self):
        cm = self.url("/services/collection-management")
        d, _ = self.taxii("subscribe", "--url", cm, "-c", "default", json_out=True)
        check(d["ok"] and d["subscriptions"], d)
        sid = d["subscriptions"][0]["id"]
        check_eq(d["subscriptions"][0]["status"], "ACTIVE", "subscribe")
        d, _ = self.taxii("subscribe", "--url", cm, "-c", "default", "--action", "status", "--id", sid, json_out=True)
        check_eq([s["id"] for s in d["subscriptions"]], [sid], "status")
        if self.v == V11:
            d, _ = self.taxii("subscribe", "--url", cm, "-c", "default", "--action", "pause", "--id", sid,
                              json_out=True)
            check_eq(d["subscriptions"][0]["status"], "PAUSED", "pause")
            d, _ = self.taxii("subscribe", "--url", cm, "-c", "default", "--action", "resume", "--id", sid,
                              json_out=True)
            check_eq(d["subscriptions"][0]["status"], "ACTIVE", "resume")
            p = self.poll("default", "--subscription", sid)
            check_eq(p["block_count"], len(self.pushed), "poll for the subscription")
        d, _ = self.taxii("subscribe", "--url", cm, "-c", "default", "--action", "unsubscribe", "--id", sid,
                          json_out=True)
        # TAXII 1.0 states no subscription status; taxii derives UNSUBSCRIBED from the action
        # (client/v10_compat.hpp complete_v10_subscription_response).
        check_eq(d["subscriptions"][0]["status"], "UNSUBSCRIBED", "unsubscribe")

    def tls_no_client_cert(self):
        rc, out, err = run([self.taxii.bin, "discover", "--url", self.url("/services/discovery"), "--ca", self.pki.ca,
                            "--retries", "0", "--json"], timeout=120)
        check_eq(rc, 3, "exit status (%s)" % err)
        e = json.loads(out)["error"]
        # HTTP 1.0 §5.2 Table 3: a TLS alert refusing the client certificate is UNAUTHORIZED. With
        # TLS 1.3 the server refuses after the client's handshake is done; when the server's
        # close overtakes its alert (a reset) the client only sees a broken connection.
        check_eq(e["origin"], "transport", "origin")
        check(e["status_type"] in ("UNAUTHORIZED", "NETWORK_ERROR"), "error %s: %s" % (e["status_type"],
                                                                                      e["message"]))
        return "%s: %s" % (e["status_type"], err.strip().splitlines()[0])

    def tls_server_not_trusted(self):
        rc, out, err = run([self.taxii.bin, "discover", "--url", self.url("/services/discovery"), "--cert",
                            self.pki.client_cert, "--key", self.pki.client_key, "--retries", "0", "--json"],
                           timeout=120)
        check_eq(rc, 3, "exit status (%s)" % err)
        check_eq(json.loads(out)["error"]["origin"], "transport", "origin")
        check(re.search(r"certificate|verif", err, re.I), "says why: " + err)
        return err.strip().splitlines()[0]

    # ------------------------------------------------ OpenTAXII outside the spec
    def header_error_failure(self):
        # A middlebox drops X-TAXII-Services: OpenTAXII answers FAILURE (not BAD_MESSAGE) with
        # in_response_to="0" (docs/spec-notes.md P10, docs/spec-notes.md P12). taxii reports it as a server status
        # (exit 4) with a hint, and the next command works.
        def drop(h, _body):
            return {k: v for k, v in h.items() if k.lower() != "x-taxii-services"}
        proxy, base = self.proxied(rewrite=drop)
        doc, err = self.taxii("discover", "--url", base + "/services/discovery", json_out=True, expect_rc=4)
        check_eq((doc["error"]["origin"], doc["error"]["status_type"]), ("server", "FAILURE"), "error")
        check("FAILURE" in err, "one line naming the status: " + err)
        doc, _ = self.taxii("discover", "--url", self.url("/services/discovery"), json_out=True)
        check(doc["ok"], "works again without the middlebox")
        return err.strip().splitlines()[0]

    def header_error_mid_result(self):
        # The middlebox breaks only the Poll_Fulfillment for part 2: taxii has the first part,
        # reports FAILURE, lists the blocks it got, exits 4. (Parts 2 and 3 may be asked for at
        # once over two connections, in either order, so the broken request is picked by its
        # body, not by its arrival.)
        def second(h, body):
            if re.search(rb"Poll_Fulfillment\b[^>]*\bresult_part_number=[\"']2[\"']", body):
                h = {k: v for k, v in h.items() if k.lower() != "x-taxii-services"}
            return h
        proxy, base = self.proxied(rewrite=second)
        rc, out, err = run([self.taxii.bin, "poll", "--url", base + "/services/poll", "-c", "default", "--json"],
                           timeout=120)
        check_eq(rc, 4, "exit status (%s)" % err)
        doc = json.loads(out)
        check_eq((doc["ok"], doc["error"]["status_type"], len(doc["blocks"])), (False, "FAILURE", OT_PAGE),
                 "partial result")
        return err.strip().splitlines()[0]

    def extra_response_headers(self):
        # Headers a response SHOULD NOT carry (X-TAXII-Accept) and OpenTAXII's non-standard
        # X-TAXII-Content-Types (its OPTIONS answer) are ignored.
        proxy, base = self.proxied()
        proxy.add_response_headers = [("X-TAXII-Accept", "urn:taxii.mitre.org:message:xml:1.1"),
                                      ("X-TAXII-Content-Types", "urn:taxii.mitre.org:message:xml:1.0,"
                                                                "urn:taxii.mitre.org:message:xml:1.1"),
                                      ("X-Unknown-Extension", "1")]
        d = self.taxii("poll", "--url", base + "/services/poll", "-c", "default", json_out=True)[0]
        check_eq(d["block_count"], len(self.pushed) if self.v == V11 else OT_PAGE, "blocks")

    def http_406(self):
        # OpenTAXII's error handlers answer HTTP 406 with no body when Accept excludes XML.
        def accept_html(h, _body):
            h = dict(h)
            for k in list(h):
                if k.lower() == "accept":
                    del h[k]
            h["Accept"] = "text/html"
            return h
        proxy, base = self.proxied(rewrite=accept_html)
        doc, err = self.taxii("discover", "--url", base + "/services/discovery", json_out=True, expect_rc=None)
        check(not doc["ok"], doc)
        e = doc["error"]
        return "OpenTAXII with Accept: text/html -> %s (origin %s, HTTP %s): %s" % (
            e["status_type"], e["origin"], e["http_status"], err.strip().splitlines()[0])


class RelayGroup:
    """1,000 STIX blocks: OpenTAXII -> `taxii poll -o A` -> `taxii push A` -> taxiid ->
    `taxii poll -o B` -> `taxii push B` -> OpenTAXII (another collection) -> `taxii poll -o C`."""

    N = 1000

    def __init__(self, results, taxii_bin, taxiid_bin, workdir):
        self.r, self.dir = results, workdir
        self.ot = OpenTaxii(os.path.join(workdir, "opentaxii"), page_size=100)
        self.server = Taxiid(taxiid_bin, os.path.join(workdir, "taxiid"), interop_config(part_size=250))
        self.taxii = TaxiiCli(taxii_bin, V11)

    def close(self):
        self.server.stop()
        self.ot.stop()

    def run_all(self):
        self.r.run("relay-1000-blocks", self.relay)
        self.r.run("taxiid-healthy", taxiid_healthy, self.server)

    @staticmethod
    def read_dir(d):
        out = []
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), "rb") as f:
                out.append((n, f.read()))
        return out

    def relay(self):
        src = os.path.join(self.dir, "source")
        files = write_stix_files(src, 1, self.N, "1.1.1", pretty_every=7)
        ot_inbox, ot_poll = self.ot.url("/services/inbox"), self.ot.url("/services/poll")
        d, _ = self.taxii("push", "--url", ot_inbox, "--dest", "default", "--batch", "50", src, json_out=True)
        check_eq((d["blocks"], d["messages"]), (self.N, self.N // 50), "seed push to OpenTAXII")

        a = os.path.join(self.dir, "A-from-opentaxii")
        d, _ = self.taxii("poll", "--url", ot_poll, "-c", "default", "-o", a, json_out=True)
        check_eq((d["block_count"], d["parts"]), (self.N, self.N // 100), "poll OpenTAXII (100 per part)")
        A = self.read_dir(a)
        check_eq(package_ids([x.decode() for _, x in A]), list(range(1, self.N + 1)), "order of A")
        # What one pass through OpenTAXII does to the bytes: the XML declaration is dropped and
        # the markup is wrapped in the indentation of its pretty-printed <Content> element.
        for (name, data), f in zip(A, files):
            with open(f, encoding="utf-8") as fh:
                check_eq(c14n(data.decode()), c14n(fh.read()), "A %s is the same XML as %s" % (name, f))

        d, _ = self.taxii("push", "--url", self.server.url("/services/inbox"), "--batch", "50", a, json_out=True)
        check_eq(d["blocks"], self.N, "push A to taxiid")
        b = os.path.join(self.dir, "B-from-taxiid")
        d, _ = self.taxii("poll", "--url", self.server.url("/services/poll"), "-c", "default", "-o", b,
                          json_out=True)
        check_eq((d["block_count"], d["parts"]), (self.N, 4), "poll taxiid (250 per part)")
        B = self.read_dir(b)
        bad = [na for (na, x), (nb, y) in zip(A, B) if x != y]
        check(not bad, "taxiid changed %d blocks, first %s" % (len(bad), bad[:3]))

        d, _ = self.taxii("push", "--url", ot_inbox, "--dest", "stix111", "--batch", "50", b, json_out=True)
        check_eq(d["blocks"], self.N, "push B to OpenTAXII")
        c = os.path.join(self.dir, "C-from-opentaxii")
        d, _ = self.taxii("poll", "--url", ot_poll, "-c", "stix111", "-o", c, json_out=True)
        check_eq(d["block_count"], self.N, "poll OpenTAXII stix111")
        C = self.read_dir(c)
        bad = [na for (na, x), (nc, y) in zip(A, C) if x != y]
        check(not bad, "the second pass through OpenTAXII changed %d blocks, first %s" % (len(bad), bad[:3]))
        total = sum(len(x) for _, x in A)
        return "%d blocks (%d bytes) byte-identical in A (OpenTAXII) = B (taxiid) = C (OpenTAXII again)" % (
            self.N, total)
