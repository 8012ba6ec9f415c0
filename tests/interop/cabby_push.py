"""cabby's library push, for what the taxii-push command line cannot do.

cabby @ f1d54f0 `taxii-push -t 1.0` always fails: cabby/cli/push.py calls
client.push(..., collection_names=...), which Client10.push() does not take ("unexpected keyword
argument 'collection_names'"), and the CLI still exits 0. The interop tests push TAXII 1.0
content through cabby's own API instead, with the same TLS / auth options as the CLI.

  cabby_push.py -t 1.0 --path URL -f FILE [--binding ID] [--ca-cert F --cert F --key F]
                [--username U --password P]

Exit 0 on success; 1 with the error on stderr.
"""

import argparse
import sys

import cabby


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", dest="version", default="1.1")
    ap.add_argument("--path", required=True)
    ap.add_argument("-f", dest="file", required=True)
    ap.add_argument("--binding", default="urn:stix.mitre.org:xml:1.1.1")
    ap.add_argument("--dest", action="append")
    ap.add_argument("--ca-cert")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--username")
    ap.add_argument("--password")
    a = ap.parse_args()
    client = cabby.create_client(version=a.version)
    client.set_auth(ca_cert=a.ca_cert, cert_file=a.cert, key_file=a.key, username=a.username,
                    password=a.password)
    with open(a.file, "r", encoding="utf-8") as f:
        content = f.read()
    try:
        if a.version == "1.0":
            client.push(content, a.binding, uri=a.path)
        else:
            client.push(content, a.binding, collection_names=a.dest, uri=a.path)
    except Exception as e:  # noqa: BLE001 - report like the CLI, but with an exit status
        print("ERROR: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    print("Content block successfully pushed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
