#!/usr/bin/python3
"""Slow clients cannot starve taxiid (docs/security.md "Slow clients"; label adversarial).

  slow_clients.py MODE --taxiid PATH [--slowhttptest PATH] [--seconds N] [--connections N]
                  [--rate N] [--p99-ms N] [--threads N] [--keep]

MODE is one of
  slowloris   slowhttptest -H: request heads sent a few bytes at a time, never finished
  slow-body   slowhttptest -B: complete heads (Content-Length: 100000) to the Inbox, then a
              byte or two of body every second (R-U-D-Y)
  slow-read   slowhttptest -X: answers read a byte a second through a 1-4 byte receive
              window, 10 pipelined requests per connection

A real taxiid is started on 127.0.0.1 with a configuration like samples/taxiid.yaml but few
worker threads (limits.threads, default 4), so that a few slow connections would be enough to
hold every worker. While slowhttptest attacks it with many times that many connections, a
well-behaved TAXII 1.1 client (its own keep-alive connection, bound to 127.0.0.2 so that a
per-address connection cap aimed at the attacker does not hit it) loops over
  Inbox_Message (one STIX package with a unique id) -> Status_Message SUCCESS
  Poll_Request of that collection since the previous poll's Inclusive_End_Timestamp
  Discovery_Request -> Discovery_Response
and the run asserts: no request of that client failed (HTTP 200 and the expected message,
each within --timeout s), the p99 of its latencies during the attack is under --p99-ms, and
after the attack a full poll of the collection returns every package it pushed exactly once.

slowhttptest always sends GET in slow-read mode, and taxiid answers GET with a short 405 (68
bytes of body): the slow reader cannot ask for a large Poll_Response here, and 10 pipelined
answers (slowhttptest's maximum) fit in the socket buffers, so this mode checks that 400 such
connections hold no worker. The slow reader of a real Poll_Response is covered by
tests/wire/wire_slow_clients_test.cpp.

Exit status: 0 passed, 1 failed, 77 slowhttptest is not installed (CTest: skipped).
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

SKIP_RC = 77

TAXII11 = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"
STIX = "http://stix.mitre.org/stix-1"
HEADERS = {
    "Content-Type": "application/xml",
    "Accept": "application/xml",
    "X-TAXII-Content-Type": "urn:taxii.mitre.org:message:xml:1.1",
    "X-TAXII-Accept": "urn:taxii.mitre.org:message:xml:1.1",
    "X-TAXII-Services": "urn:taxii.mitre.org:services:1.1",
    "X-TAXII-Protocol": "urn:taxii.mitre.org:protocol:http:1.0",
}

# Extra `limits:` keys for the server under attack, as YAML lines indented by two spaces (e.g.
# the minimum data rate or the per-address connection cap of a newer engine). Empty: the
# sample's keys only, which every taxiid accepts (unknown keys stop start-up).
EXTRA_LIMITS = os.environ.get("TAXII_ADVERSARIAL_LIMITS", "")

# slowhttptest arguments per mode (besides -c, -r, -l, -u and -p).
MODES = {
    # Heads never finished: a header line of up to 24 bytes every 2 s.
    "slowloris": (["-H", "-t", "POST", "-i", "2", "-x", "24"], "/services/discovery"),
    # Complete heads, Content-Length 100000, then up to 2 bytes of body every second.
    "slow-body": (["-B", "-t", "POST", "-s", "100000", "-i", "1", "-x", "2"], "/services/inbox"),
    # A 1-4 byte receive window, 1 byte read per second, 10 pipelined requests per connection
    # (slowhttptest's maximum).
    "slow-read": (["-X", "-w", "1", "-y", "4", "-n", "1", "-z", "1", "-k", "10"], "/services/poll"),
}


def log(*a):
    print(*a, flush=True)


def config(threads, part_size):
    return (
        "listeners:\n"
        "  - address: 127.0.0.1\n"
        "    port: 0\n"
        "storage: sqlite://data/taxii.db\n"
        "limits:\n"
        "  max_body_bytes: 10485760\n"
        "  max_connections: 10000\n"
        "  threads: %d\n"
        "  keep_alive_timeout: 15\n"
        "  request_timeout: 60\n"
        "%s"
        "poll:\n"
        "  part_size: %d\n"
        "  result_ttl: 86400\n"
        "services:\n"
        "  - {id: discovery, type: discovery, path: /services/discovery}\n"
        "  - {id: collection-management, type: collection_management, path: /services/collection-management}\n"
        "  - {id: inbox, type: inbox, path: /services/inbox, default_collections: [default]}\n"
        "  - {id: poll, type: poll, path: /services/poll}\n"
        "collections:\n"
        "  - name: default\n"
        "    type: DATA_FEED\n"
        "    content_bindings: [urn:stix.mitre.org:xml:1.1.1, urn:stix.mitre.org:xml:1.2]\n"
        "    service_ids: [inbox, poll]\n" % (threads, EXTRA_LIMITS, part_size)
    )


class Taxiid:
    def __init__(self, binary, workdir, threads, part_size):
        self.dir = workdir
        os.makedirs(os.path.join(workdir, "data"), exist_ok=True)
        self.config = os.path.join(workdir, "taxiid.yaml")
        self.logfile = os.path.join(workdir, "taxiid.log")
        with open(self.config, "w") as f:
            f.write(config(threads, part_size))
        self.out = open(self.logfile, "wb")
        self.proc = subprocess.Popen([binary, "--config", self.config], stdout=self.out, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = self.log()
            if "event=ready" in text:
                m = re.search(r"event=listening address=\S+ port=(\d+) protocol=http\b", text)
                if m:
                    self.port = int(m.group(1))
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("taxiid exited during start-up:\n" + text)
            time.sleep(0.05)
        raise RuntimeError("taxiid not ready within 30 s:\n" + self.log())

    def log(self):
        with open(self.logfile, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -1
        return self.proc.returncode


class Failure(Exception):
    pass


class WellBehaved:
    """A TAXII 1.1 client on one keep-alive connection from 127.0.0.2 (or 127.0.0.1)."""

    def __init__(self, port, run_id, timeout):
        self.port = port
        self.run_id = run_id
        self.timeout = timeout
        self.conn = None
        self.n = 0
        self.pushed = []             # package ids acknowledged with SUCCESS
        self.unacknowledged = []     # package ids whose push failed (may or may not be stored)
        self.latencies = []          # (seconds, kind) during the measured window
        self.errors = []             # (kind, description)
        self.polled = 0              # blocks received by the incremental polls
        self.since = None            # the last Inclusive_End_Timestamp
        self.measuring = False
        self.stop = threading.Event()
        self.source = ("127.0.0.2", 0)
        try:
            s = socket.socket()
            s.bind(self.source)
            s.close()
        except OSError:
            self.source = None

    def message_id(self):
        self.n += 1
        return "%s-%d" % (self.run_id, self.n)

    def post(self, kind, path, body):
        t0 = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                       source_address=self.source)
            self.conn.request("POST", path, body=body.encode("utf-8"), headers=HEADERS)
            r = self.conn.getresponse()
            data = r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as e:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            took = time.monotonic() - t0
            raise Failure("%s: %s after %.3f s" % (kind, type(e).__name__ + (": " + str(e) if str(e) else ""), took))
        took = time.monotonic() - t0
        if self.measuring:
            self.latencies.append((took, kind))
        if status != 200:
            raise Failure("%s: HTTP %d after %.3f s: %r" % (kind, status, took, data[:200]))
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            raise Failure("%s: unparseable answer (%s): %r" % (kind, e, data[:200]))
        return root, took

    def push(self):
        pid = "example:Package-%s-%d" % (self.run_id, len(self.pushed) + len(self.unacknowledged) + 1)
        body = (
            '<taxii_11:Inbox_Message xmlns:taxii_11="%s" message_id="%s">'
            '<taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.2"/>'
            '<taxii_11:Content><stix:STIX_Package xmlns:stix="%s" xmlns:example="http://taxii.example.org/samples"'
            ' id="%s" version="1.2"><stix:STIX_Header><stix:Title>well-behaved client</stix:Title>'
            "</stix:STIX_Header></stix:STIX_Package></taxii_11:Content></taxii_11:Content_Block>"
            "</taxii_11:Inbox_Message>" % (TAXII11, self.message_id(), STIX, pid)
        )
        try:
            root, _ = self.post("inbox", "/services/inbox", body)
        except Failure:
            self.unacknowledged.append(pid)
            raise
        if root.tag != "{%s}Status_Message" % TAXII11 or root.get("status_type") != "SUCCESS":
            self.unacknowledged.append(pid)
            raise Failure("inbox: %s %s" % (root.tag, root.get("status_type")))
        self.pushed.append(pid)

    def poll_request(self, since):
        begin = "<taxii_11:Exclusive_Begin_Timestamp>%s</taxii_11:Exclusive_Begin_Timestamp>" % since if since else ""
        return (
            '<taxii_11:Poll_Request xmlns:taxii_11="%s" message_id="%s" collection_name="default">%s'
            '<taxii_11:Poll_Parameters allow_asynch="false"><taxii_11:Response_Type>FULL</taxii_11:Response_Type>'
            "</taxii_11:Poll_Parameters></taxii_11:Poll_Request>" % (TAXII11, self.message_id(), begin)
        )

    def poll_all_parts(self, since, kind):
        """Package ids of every block of the collection after `since` (all parts) and the end timestamp."""
        root, _ = self.post(kind, "/services/poll", self.poll_request(since))
        ids, end = [], None
        part = 1
        while True:
            if root.tag != "{%s}Poll_Response" % TAXII11:
                raise Failure("%s: %s %s %s" % (kind, root.tag, root.get("status_type"),
                                                root.findtext("{%s}Message" % TAXII11)))
            for p in root.iter("{%s}STIX_Package" % STIX):
                ids.append(p.get("id"))
            end = root.findtext("{%s}Inclusive_End_Timestamp" % TAXII11) or end
            if root.get("more") not in ("true", "1"):
                return ids, end
            part += 1
            body = (
                '<taxii_11:Poll_Fulfillment xmlns:taxii_11="%s" message_id="%s" collection_name="default"'
                ' result_id="%s" result_part_number="%d"/>' % (TAXII11, self.message_id(), root.get("result_id"), part)
            )
            root, _ = self.post(kind, "/services/poll", body)

    def poll(self):
        ids, end = self.poll_all_parts(self.since, "poll")
        self.polled += len(ids)
        if end:
            self.since = end

    def discovery(self):
        root, _ = self.post("discovery", "/services/discovery",
                            '<taxii_11:Discovery_Request xmlns:taxii_11="%s" message_id="%s"/>'
                            % (TAXII11, self.message_id()))
        if root.tag != "{%s}Discovery_Response" % TAXII11:
            raise Failure("discovery: %s %s" % (root.tag, root.get("status_type")))

    def run(self):
        while not self.stop.is_set():
            for step in (self.push, self.poll, self.discovery):
                try:
                    step()
                except Failure as e:
                    if self.measuring:
                        self.errors.append(str(e))
            self.stop.wait(0.05)


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=sorted(MODES))
    ap.add_argument("--taxiid", required=True)
    ap.add_argument("--slowhttptest", default=shutil.which("slowhttptest"))
    ap.add_argument("--seconds", type=int, default=25, help="length of the attack")
    ap.add_argument("--connections", type=int, default=400)
    ap.add_argument("--rate", type=int, default=100, help="new attack connections per second")
    ap.add_argument("--threads", type=int, default=4, help="taxiid's limits.threads")
    ap.add_argument("--p99-ms", type=float, default=500.0)
    ap.add_argument("--timeout", type=float, default=5.0, help="s the well-behaved client waits for an answer")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    args = ap.parse_args()

    if not args.slowhttptest or not os.access(args.slowhttptest, os.X_OK):
        log("SKIP %s: slowhttptest is not installed (Debian package slowhttptest)" % args.mode)
        return SKIP_RC

    work = tempfile.mkdtemp(prefix="taxii-adversarial-")
    server = None
    attack = None
    failures = []
    try:
        server = Taxiid(args.taxiid, work, args.threads, part_size=1000)
        run_id = "%s-%d" % (args.mode, os.getpid())
        client = WellBehaved(server.port, run_id, args.timeout)
        log("taxiid on 127.0.0.1:%d, limits.threads %d; well-behaved client from %s"
            % (server.port, args.threads, client.source[0] if client.source else "127.0.0.1"))

        # Warm up: the client alone, once round its loop, so that the baseline works at all.
        client.measuring = True
        for step in (client.push, client.poll, client.discovery):
            try:
                step()
            except Failure as e:
                failures.append("before the attack: %s" % e)
        if failures:
            raise Failure("; ".join(failures))
        client.latencies.clear()

        flags, path = MODES[args.mode]
        log("attack: %s ... -c %d -r %d -l %d -u http://127.0.0.1:%d%s (in waves until %d s have passed: a wave "
            "ends early when taxiid has cut all of its connections)"
            % (args.slowhttptest + " " + " ".join(flags), args.connections, args.rate, args.seconds, server.port,
               path, args.seconds))
        t0 = time.monotonic()
        worker = threading.Thread(target=client.run, daemon=True)
        worker.start()
        waves = []  # (seconds, exit status, last status lines)
        while True:
            left = args.seconds - (time.monotonic() - t0)
            if left < 2:
                break
            cmd = [args.slowhttptest, *flags, "-c", str(args.connections), "-r", str(args.rate), "-l",
                   str(int(left)), "-p", "3", "-u", "http://127.0.0.1:%d%s" % (server.port, path)]
            wave_log = os.path.join(work, "slowhttptest-%d.log" % len(waves))
            w0 = time.monotonic()
            with open(wave_log, "wb") as attack_log:
                attack = subprocess.Popen(cmd, stdout=attack_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                try:
                    attack.wait(left + 30)
                except subprocess.TimeoutExpired:
                    attack.kill()
                    attack.wait()
                    failures.append("slowhttptest ran past its -l %d s" % int(left))
            with open(wave_log, "rb") as f:
                attack_text = re.sub(r"\x1b\[[0-9;]*m", "", f.read().decode("utf-8", "replace"))
            last = attack_text.rfind("slow HTTP test status on")
            keep = []
            if last >= 0:
                lines = [x.strip() for x in attack_text[last:].splitlines() if x.strip()]
                keep = [x for x in lines if re.match(r"(slow HTTP|connected|pending|error|closed|service available|"
                                                      r"Exit status)", x)]
            waves.append((time.monotonic() - w0, attack.returncode, keep))
            log("slowhttptest wave %d (%.1f s, exit %s): %s" % (len(waves), waves[-1][0], attack.returncode,
                                                                 "; ".join(keep)))
            attack = None
            cut = "No open connections left" in attack_text
            if waves[-1][1] != 0 or (time.monotonic() - w0 < left * 0.8 and not cut):
                failures.append("slowhttptest wave %d ended with status %s after %.1f s without taxiid cutting its "
                                "connections: %s" % (len(waves), waves[-1][1], waves[-1][0], attack_text.strip()[:300]))
                break
            if re.search(r"connected:\s+0\b", "; ".join(keep)) and not re.search(r"closed:\s+[1-9]", "; ".join(keep)):
                failures.append("slowhttptest wave %d never connected" % len(waves))
                break
        client.stop.set()
        worker.join(args.timeout * 4 + 10)
        elapsed = time.monotonic() - t0
        client.measuring = False
        log("attack: %d wave(s) over %.1f s" % (len(waves), elapsed))
        if elapsed < args.seconds * 0.8:
            failures.append("the attack lasted %.1f s, not %d" % (elapsed, args.seconds))

        lat = [t for t, _ in client.latencies]
        p50, p99, worst = (percentile(lat, 50) * 1000, percentile(lat, 99) * 1000, max(lat, default=0) * 1000)
        per_kind = {}
        for t, k in client.latencies:
            per_kind.setdefault(k, []).append(t)
        log("well-behaved client during %.1f s of attack: %d requests answered, %d errors; latency p50 %.1f ms, "
            "p99 %.1f ms, max %.1f ms" % (elapsed, len(lat), len(client.errors), p50, p99, worst))
        for k in sorted(per_kind):
            v = per_kind[k]
            log("  %-9s %4d  p99 %.1f ms  max %.1f ms" % (k, len(v), percentile(v, 99) * 1000, max(v) * 1000))
        for e in client.errors[:5]:
            log("  error: " + e)
        if len(client.errors) > 5:
            log("  ... %d more errors" % (len(client.errors) - 5))

        if client.errors:
            failures.append("%d requests of the well-behaved client failed (first: %s)"
                            % (len(client.errors), client.errors[0]))
        if len(lat) < 20:
            failures.append("only %d requests of the well-behaved client were answered during the attack" % len(lat))
        if p99 > args.p99_ms:
            failures.append("p99 latency %.1f ms over %.0f ms" % (p99, args.p99_ms))

        # Nothing pushed is lost: a full poll (a new connection, generous deadline) returns every
        # acknowledged package exactly once.
        final = WellBehaved(server.port, run_id + "-final", 60.0)
        ids, _ = final.poll_all_parts(None, "final poll")
        counts = {}
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
        missing = [p for p in client.pushed if counts.get(p, 0) == 0]
        doubled = [p for p in client.pushed if counts.get(p, 0) > 1]
        stored_unacked = [p for p in client.unacknowledged if counts.get(p, 0) > 0]
        strangers = [i for i in counts if i not in set(client.pushed) | set(client.unacknowledged)]
        log("pushed %d (acknowledged) + %d (failed); final poll: %d blocks, %d missing, %d twice or more, "
            "%d stored without acknowledgement; the incremental polls saw %d blocks"
            % (len(client.pushed), len(client.unacknowledged), len(ids), len(missing), len(doubled),
               len(stored_unacked), client.polled))
        if missing:
            failures.append("%d acknowledged packages missing from the final poll (first %s)" % (len(missing), missing[0]))
        if doubled:
            failures.append("%d packages polled back more than once (first %s)" % (len(doubled), doubled[0]))
        if strangers:
            failures.append("%d packages nobody pushed (first %s)" % (len(strangers), strangers[0]))
        if len(client.pushed) < 10:
            failures.append("only %d pushes were acknowledged" % len(client.pushed))

        status = server.stop()
        server = None
        if status != 0:
            failures.append("taxiid exit status %s" % status)
    except (Failure, RuntimeError, OSError) as e:
        failures.append(str(e))
    finally:
        if attack is not None and attack.poll() is None:
            attack.kill()
            attack.wait()
        if server is not None:
            server.stop()

    if failures:
        for f in failures:
            log("FAIL %s: %s" % (args.mode, f))
        log("logs kept in %s" % work)
        return 1
    log("PASS %s" % args.mode)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        log("logs kept in %s" % work)
    return 0


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(main())
