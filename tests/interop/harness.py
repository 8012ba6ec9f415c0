"""Process and result plumbing for the interoperability tests (tests/interop, issue #12).

Everything here runs on Debian's /usr/bin/python3 with the standard library only; the peers
(libtaxii, cabby, OpenTAXII) are imported or started only after `load_peers()` found them.

  Results       one case = one PASS / FAIL / SKIP / XFAIL line, collected per group
  load_peers    finds $PEERS_HOME/env.sh (or /tmp/taxii-peers/env.sh) and applies it
  make_pki      throwaway CA, server (127.0.0.1) and client certificates (openssl CLI)
  Taxiid        the built taxiid on 127.0.0.1, port 0, temp dir config + SQLite store
  OpenTaxii     ../shared/peers/run-opentaxii.sh on a free port, stopped by its data dir
  HttpProxy     a small reverse proxy: TLS termination and/or header rewriting in front of a
                plain HTTP server (OpenTAXII has no HTTPS listener of its own here)
"""

import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback

PY = "/usr/bin/python3"
SKIP_RC = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def log(msg):
    print(msg, flush=True)


class CaseSkip(Exception):
    """Raised inside a case: the case is reported SKIP with this reason."""


class CaseXfail(Exception):
    """Raised inside a case: a known, documented gap (the server does not support it yet)."""


class CaseFail(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise CaseFail(msg)


def check_eq(got, want, what):
    if got != want:
        raise CaseFail("%s: got %r, want %r" % (what, got, want))


class Results:
    """Cases of one group (one CTest test). Prints one line per case as it finishes."""

    def __init__(self, group, peer, version, transport):
        self.group, self.peer, self.version, self.transport = group, peer, version, transport
        self.cases = []  # (name, outcome, detail)

    def run(self, name, fn, *args, **kw):
        t0 = time.monotonic()
        try:
            note = fn(*args, **kw)
            outcome, detail = "PASS", note if isinstance(note, str) else ""
        except CaseSkip as e:
            outcome, detail = "SKIP", str(e)
        except CaseXfail as e:
            outcome, detail = "XFAIL", str(e)
        except Exception as e:  # noqa: BLE001 - every error is a failed case
            outcome = "FAIL"
            detail = "%s: %s" % (type(e).__name__, e)
            if not isinstance(e, CaseFail):
                detail += "\n" + traceback.format_exc()
        ms = (time.monotonic() - t0) * 1000
        self.cases.append((name, outcome, detail))
        line = "%-5s %s (%.0f ms)" % (outcome, name, ms)
        if detail:
            line += ": " + detail.rstrip().replace("\n", "\n      ")
        log(line)
        return outcome == "PASS"

    def run_each(self, obj, cases):
        """Runs cases of obj in order. `cases` is whitespace-separated: "name" runs the method
        of that name with '-' read as '_' (case "poll-window" is obj.poll_window), and
        "name=method" one whose method is named otherwise."""
        for case in cases.split():
            name, _, method = case.partition("=")
            self.run(name, getattr(obj, (method or name).replace("-", "_")))

    def skip(self, name, reason):
        self.cases.append((name, "SKIP", reason))
        log("SKIP  %s: %s" % (name, reason))

    def counts(self):
        c = {"PASS": 0, "FAIL": 0, "SKIP": 0, "XFAIL": 0}
        for _, o, _ in self.cases:
            c[o] += 1
        return c

    def write(self, results_dir):
        if not results_dir:
            return
        os.makedirs(results_dir, exist_ok=True)
        with open(os.path.join(results_dir, self.group + ".json"), "w") as f:
            json.dump({"group": self.group, "peer": self.peer, "version": self.version,
                       "transport": self.transport,
                       "cases": [{"name": n, "outcome": o, "detail": d} for n, o, d in self.cases]},
                      f, indent=1)

    def exit_code(self):
        c = self.counts()
        log("== %s: %d pass, %d fail, %d skip, %d xfail" % (
            self.group, c["PASS"], c["FAIL"], c["SKIP"], c["XFAIL"]))
        if c["FAIL"]:
            return 1
        if c["PASS"] == 0:
            return SKIP_RC  # nothing ran: CTest shows the whole test as skipped
        return 0


# ------------------------------------------------------------------------------------- peers

def peers_env_file():
    """$PEERS_HOME/env.sh if PEERS_HOME is set, else /tmp/taxii-peers/env.sh; None if absent."""
    home = os.environ.get("PEERS_HOME") or "/tmp/taxii-peers"
    f = os.path.join(home, "env.sh")
    return f if os.path.isfile(f) else None


def load_peers():
    """Applies env.sh to os.environ and sys.path. Returns None, or why the peers are unusable."""
    env_sh = peers_env_file()
    if env_sh is None:
        return "peers not installed"
    for _ in range(10):
        # run-opentaxii.sh (another test) may be rewriting env.sh right now: retry a partial read.
        out = subprocess.run(["bash", "-c", '. "$1" >/dev/null && env -0', "_", env_sh],
                             capture_output=True, check=False)
        if out.returncode == 0 and b"\0PEERS_HOME=" in b"\0" + out.stdout:
            break
        time.sleep(0.5)
    else:
        return "peers not installed (%s unusable: %s)" % (env_sh, out.stderr.decode(errors="replace").strip())
    for item in out.stdout.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            k, v = k.decode(), v.decode(errors="replace")
            if k in ("PEERS_HOME", "PEERS_PYTHON", "PYTHONPATH", "PATH"):
                os.environ[k] = v
    # requests (under cabby) lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's own CA
    # file (cabby --ca-cert); some machines export them. The tests name their CA explicitly.
    for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(k, None)
    for p in reversed(os.environ.get("PYTHONPATH", "").split(":")):
        if p and p not in sys.path:
            sys.path.insert(0, p)
    try:
        import libtaxii  # noqa: F401
        import cabby  # noqa: F401
    except Exception as e:  # noqa: BLE001
        return "peers not installed (import failed: %s)" % e
    for tool in ("taxii-discovery", "taxii-poll", "taxii-push"):
        if shutil.which(tool) is None:
            return "peers not installed (%s not on PATH)" % tool
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, timeout=300, env=None, input_bytes=None, cwd=None):
    """Runs a command; returns (rc, stdout str, stderr str without ANSI colours)."""
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, input=input_bytes, cwd=cwd,
                       check=False)
    return (p.returncode, p.stdout.decode("utf-8", errors="replace"),
            ANSI.sub("", p.stderr.decode("utf-8", errors="replace")))


# --------------------------------------------------------------------------------------- PKI

class Pki:
    def __init__(self, d):
        self.dir = d
        self.ca = os.path.join(d, "ca.pem")
        self.server_cert, self.server_key = os.path.join(d, "server.pem"), os.path.join(d, "server.key")
        self.client_cert, self.client_key = os.path.join(d, "client.pem"), os.path.join(d, "client.key")
        self.rogue_cert, self.rogue_key = os.path.join(d, "rogue.pem"), os.path.join(d, "rogue.key")


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1/localhost, a client certificate signed by the
    CA and a self-signed (untrusted) 'rogue' client certificate; EC P-256, valid 2 days."""
    os.makedirs(d, exist_ok=True)
    p = Pki(d)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def ossl(*args):
        rc, out, err = run(["openssl"] + list(args), timeout=60)
        if rc != 0:
            raise RuntimeError("openssl %s failed: %s%s" % (args[0], out, err))

    ossl("req", "-x509", *ec, "-keyout", os.path.join(d, "ca.key"), "-out", p.ca, "-days", "2",
         "-subj", "/CN=taxii interop test CA")
    for name, subj, ext in (
            ("server", "/CN=127.0.0.1",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"),
            ("client", "/O=taxii/CN=interop client", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext)
        ossl("req", *ec, "-keyout", os.path.join(d, name + ".key"), "-out", os.path.join(d, name + ".csr"),
             "-subj", subj)
        ossl("x509", "-req", "-in", os.path.join(d, name + ".csr"), "-CA", p.ca, "-CAkey",
             os.path.join(d, "ca.key"), "-CAcreateserial", "-days", "2", "-out", os.path.join(d, name + ".pem"),
             "-extfile", os.path.join(d, name + ".ext"))
    ossl("req", "-x509", *ec, "-keyout", p.rogue_key, "-out", p.rogue_cert, "-days", "2", "-subj", "/CN=rogue")
    return p


# ------------------------------------------------------------------------------------ taxiid

STIX_BINDINGS = ["urn:stix.mitre.org:xml:1.0", "urn:stix.mitre.org:xml:1.0.1", "urn:stix.mitre.org:xml:1.1",
                 "urn:stix.mitre.org:xml:1.1.1", "urn:stix.mitre.org:xml:1.2"]
SUBTYPE = "urn:example:subtype:indicators"


def interop_config(tls_pki=None, client_certificates="required", part_size=5, extra=""):
    """The taxiid configuration of the interop tests (like tests/wire's):
      default  DATA_FEED  STIX 1.0 - 1.2                  inbox (default collection), inbox-named, poll
      second   DATA_FEED  STIX 1.1.1, 1.2                 inbox, inbox-named, poll
      set      DATA_SET   anything                        inbox, poll
      typed    DATA_FEED  STIX 1.2, subtype SUBTYPE only  inbox, poll
    """
    y = ["listeners:", "  - address: 127.0.0.1", "    port: 0"]
    if tls_pki:
        y += ["  - address: 127.0.0.1", "    port: 0", "    tls:",
              "      cert: " + tls_pki.server_cert, "      key: " + tls_pki.server_key,
              "      ca: " + tls_pki.ca, "      client_certificates: " + client_certificates]
    y += ["storage: sqlite://store/taxii.db",
          "limits:", "  max_body_bytes: 33554432", "  threads: 4", "  keep_alive_timeout: 30",
          "  request_timeout: 60",
          "poll:", "  part_size: %d" % part_size, "  result_ttl: 3600",
          "services:",
          "  - {id: discovery, type: discovery, path: /services/discovery, description: interop discovery}",
          "  - {id: cm, type: collection_management, path: /services/collection-management}",
          "  - {id: inbox, type: inbox, path: /services/inbox, default_collections: [default]}",
          "  - {id: inbox-named, type: inbox, path: /services/inbox-named, destination_collection_names: required}",
          "  - {id: poll, type: poll, path: /services/poll}",
          "collections:",
          "  - name: default", "    type: DATA_FEED", "    description: the default feed",
          "    content_bindings: [%s]" % ", ".join(STIX_BINDINGS),
          "    service_ids: [inbox, inbox-named, poll]",
          "  - name: second", "    type: DATA_FEED", "    description: a second feed",
          "    content_bindings: [urn:stix.mitre.org:xml:1.1.1, urn:stix.mitre.org:xml:1.2]",
          "    service_ids: [inbox, inbox-named, poll]",
          "  - name: set", "    type: DATA_SET", "    description: a data set taking anything",
          "    service_ids: [inbox, poll]",
          "  - name: typed", "    type: DATA_FEED", "    description: STIX 1.2 indicators only",
          "    content_bindings:", "      - {id: urn:stix.mitre.org:xml:1.2, subtypes: [%s]}" % SUBTYPE,
          "    service_ids: [inbox, poll]"]
    return "\n".join(y) + "\n" + extra


class Taxiid:
    """The real taxiid on 127.0.0.1 (port 0), its log in DIR/taxiid.log."""

    def __init__(self, binary, workdir, config_text):
        self.binary, self.dir = binary, workdir
        os.makedirs(os.path.join(workdir, "store"), exist_ok=True)
        self.config = os.path.join(workdir, "taxiid.yaml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.log_path = os.path.join(workdir, "taxiid.log")
        self.http_port = self.https_port = None
        logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary, "--config", self.config], stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        logf.close()
        deadline = time.monotonic() + 30
        listening = re.compile(r"event=listening address=\S+ port=(\d+) protocol=(https?)")
        while time.monotonic() < deadline:
            text = self.log()
            if "event=ready" in text:
                for m in listening.finditer(text):
                    if m.group(2) == "https":
                        self.https_port = int(m.group(1))
                    else:
                        self.http_port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                raise RuntimeError("taxiid exited during start-up:\n" + text)
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("taxiid not ready within 30 s:\n" + self.log())

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def request_lines(self, since=0):
        """logfmt request lines (as dicts) after the first `since` request lines."""
        out = []
        for line in self.log().splitlines():
            if "event=request" in line:
                out.append(parse_logfmt(line))
        return out[since:]

    def url(self, path, https=False):
        return ("https://127.0.0.1:%d" % self.https_port if https else "http://127.0.0.1:%d" % self.http_port) + path

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def taxiid_healthy(server, allow_warn_events=("http",)):
    """A case: taxiid is still running, stops cleanly on SIGTERM (exit 0) and logged no error and
    no exception caught in a service (event=dispatch) while the peers talked to it. Warnings of
    the connection engine (event=http: refused TLS handshakes, which the TLS cases provoke) are
    expected."""
    running = server.proc.poll() is None
    rc = server.stop()
    check(running, "taxiid died during the group (exit %s)" % rc)
    check_eq(rc, 0, "taxiid exit status after SIGTERM")
    bad = [ln for ln in server.log().splitlines()
           if "level=error" in ln or "event=dispatch" in ln
           or ("level=warn" in ln and parse_logfmt(ln).get("event") not in allow_warn_events)]
    check(not bad, "taxiid logged %d problem(s):\n%s" % (len(bad), "\n".join(bad[:10])))
    n = len(server.request_lines())
    return "%d requests served" % n


def parse_logfmt(line):
    out = {}
    for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)', line):
        v = m.group(2)
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"')
        out[m.group(1)] = v
    return out


def check_config_key(binary, workdir, config_text):
    """True when `taxiid --check-config` accepts the configuration; else (False, output)."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "probe.yaml")
    with open(path, "w") as f:
        f.write(config_text)
    rc, out, err = run([binary, "--check-config", path], timeout=30)
    return rc == 0, (out + err).strip()


# --------------------------------------------------------------------------------- OpenTAXII

def shared_peers_dir():
    d = os.environ.get("TAXII_SHARED_PEERS") or os.path.join(SOURCE_DIR, "..", "shared", "peers")
    return os.path.abspath(d)


class OpenTaxii:
    """OpenTAXII via ../shared/peers/run-opentaxii.sh (gunicorn, SQLite in DIR)."""

    def __init__(self, workdir, page_size=100, workers=1):
        script = os.path.join(shared_peers_dir(), "run-opentaxii.sh")
        if not os.access(script, os.X_OK):
            raise CaseSkip("OpenTAXII launcher %s not found" % script)
        vendor = os.environ.get("VENDOR") or os.environ.get("TAXII_PEERS_VENDOR") or "/tmp/taxii-vendor"
        if not os.path.isdir(vendor):
            raise CaseSkip("OpenTAXII cannot start: vendor tarballs not found (VENDOR / TAXII_PEERS_VENDOR=%s)"
                           % vendor)
        self.script, self.dir = script, workdir
        env = dict(os.environ, VENDOR=vendor, OT_WORKERS=str(workers), OT_PAGE_SIZE=str(page_size))
        last = ""
        for _ in range(2):  # a free port can be taken between probing and gunicorn's bind
            self.port = free_port()
            rc, out, err = run([script, str(self.port), workdir], timeout=180, env=env)
            if rc == 0:
                self.base = "http://127.0.0.1:%d" % self.port
                return
            last = out + err
            run([script, "--stop", workdir], timeout=60)
        raise RuntimeError("run-opentaxii.sh failed:\n" + last)

    def url(self, path):
        return self.base + path

    def stop(self):
        run([self.script, "--stop", self.dir], timeout=60)


# ----------------------------------------------------------------------------- reverse proxy

class HttpProxy:
    """Reverse proxy on 127.0.0.1 in front of a plain HTTP backend. With `tls` (an ssl server
    context) it terminates HTTPS, like the usual nginx in front of OpenTAXII. `rewrite(headers,
    body)` may change the request headers (a dict, original case; it returns them) before they
    are forwarded, to make a peer see what a misbehaving client or middlebox would send."""

    def __init__(self, backend_port, tls=None, rewrite=None):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def setup(self):
                if tls is not None:
                    self.request.do_handshake()
                super().setup()

            def do_POST(self):  # noqa: N802 - http.server naming
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                if rewrite:
                    hdrs = rewrite(hdrs, body)
                c = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=120)
                c.request("POST", self.path, body, hdrs)
                r = c.getresponse()
                data = r.read()
                proxy.seen.append((dict(hdrs), r.status, dict(r.getheaders())))
                self.send_response_only(r.status, r.reason)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                        self.send_header(k, v)
                for k, v in proxy.add_response_headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                c.close()

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, addr = self.socket.accept()
                if tls is not None:
                    sock = tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                return sock, addr

            def handle_error(self, request, client_address):
                pass  # refused handshakes, resets: the client reports them

        self.seen = []
        self.add_response_headers = []  # (name, value) added to every answer
        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def tls_server_context(pki, require_client_cert):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    ctx.load_verify_locations(pki.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
    return ctx


# ------------------------------------------------------------------------------ STIX content

def stix_package(i, version="1.1.1", pretty=False, title=None):
    """A small STIX 1.x package (an indicator with an IP watchlist entry), unique by i."""
    title = title or "interop indicator %d" % i
    ns = ('xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" '
          'xmlns:example="http://example.com/"')
    ip = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    if pretty:
        return ('<stix:STIX_Package\n    %s\n    id="example:Package-%06d" version="%s">\n'
                '    <stix:STIX_Header>\n        <stix:Title>%s</stix:Title>\n    </stix:STIX_Header>\n'
                '    <stix:Indicators>\n        <stix:Indicator id="example:indicator-%06d">\n'
                '            <indicator:Title>IP %s &amp; friends</indicator:Title>\n'
                '        </stix:Indicator>\n    </stix:Indicators>\n</stix:STIX_Package>\n'
                % (ns.replace(" xmlns", "\n    xmlns"), i, version, title, i, ip))
    return ('<stix:STIX_Package %s id="example:Package-%06d" version="%s"><stix:STIX_Header><stix:Title>%s'
            '</stix:Title></stix:STIX_Header><stix:Indicators><stix:Indicator id="example:indicator-%06d">'
            '<indicator:Title>IP %s &amp; friends</indicator:Title></stix:Indicator></stix:Indicators>'
            '</stix:STIX_Package>' % (ns, i, version, title, i, ip))


def write_stix_files(d, start, count, version="1.1.1", pretty_every=0, declaration=True):
    """Files d/stix-NNNNNN.xml; returns their paths in order."""
    os.makedirs(d, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        pretty = bool(pretty_every) and i % pretty_every == 0
        body = stix_package(i, version, pretty=pretty)
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else "") + body
        if not text.endswith("\n"):
            text += "\n"
        p = os.path.join(d, "stix-%06d.xml" % i)
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        paths.append(p)
    return paths


def c14n(xml_text):
    """Canonical XML (C14N 2.0, comments dropped, prefixes renamed) of one element, for comparing
    content that went through parsers which re-serialize markup (libtaxii, cabby, OpenTAXII)."""
    import xml.etree.ElementTree as ET
    text = xml_text.strip()
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2:].strip()
    return ET.canonicalize(text, strip_text=True, rewrite_prefixes=True)


def wait_for(pred, timeout=10, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def port_open(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0

