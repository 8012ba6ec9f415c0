#!/usr/bin/env bash
# Installs dependencies, builds, and runs taxiid on the sample configuration
# (samples/taxiid.yaml: HTTP on 127.0.0.1:9000, SQLite store in samples/data/, collections
# `default` and `watchlist`). On first start the STIX documents in samples/stix/ are pushed
# into `default`, so a poll returns something. Stop with Ctrl-C (SIGINT) or SIGTERM.
#   tools/run-server.sh [extra taxiid options]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target taxiid taxii
fresh=0
[ -e samples/data/taxii.db ] || fresh=1
build/release/server/taxiid --config samples/taxiid.yaml "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  if samples/curl-discovery.sh >/dev/null 2>&1; then break; fi
  kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }
  sleep 0.1
done
if [ $fresh = 1 ]; then
  for f in samples/stix/*.xml; do
    v=${f%.xml}; v=${v##*-}   # file names end in -<STIX version>.xml
    build/release/client/taxii push --url http://127.0.0.1:9000/services/inbox \
      --binding "urn:stix.mitre.org:xml:$v" --dest default "$f" >&2 || true
  done
fi
cat >&2 <<'MSG'
taxiid is serving TAXII 1.1 and 1.0 on http://127.0.0.1:9000 (samples/taxiid.yaml).
  samples/curl-discovery.sh                                     # Discovery with curl
  build/release/client/taxii discover --url http://127.0.0.1:9000/services/discovery
  build/release/client/taxii poll --url http://127.0.0.1:9000/services/poll --collection default
MSG
wait $pid
