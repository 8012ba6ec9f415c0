# Shared helpers of the sharing-model scenarios (hub-and-spoke.sh, source-subscriber.sh,
# peer-to-peer.sh). Sourced, not run. Each scenario starts taxiid instances on 127.0.0.1 with
# port 0 (the port is read from the "listening" log line), in a temporary directory, and stops
# every process it started on exit (trap), whatever happens.
#
# Needs: bash, coreutils, grep, sed. The first two arguments of a scenario are the taxiid and
# taxii binaries (default: from $PATH).

set -euo pipefail

TAXIID=${1:-taxiid}
TAXII=${2:-taxii}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/taxii-scenario-XXXXXX")
PIDS=()
SCENARIO=$(basename "$0" .sh)
DEADLINE_SECONDS=${SCENARIO_WAIT:-30}

say() { echo "$SCENARIO: $*" >&2; }
fail() {
  say "FAILED: $*"
  for log in "$WORK"/*/taxiid.log; do
    [ -f "$log" ] || continue
    echo "---- $log (last lines)" >&2
    tail -n 15 "$log" >&2
  done
  exit 1
}

# Store: a SQLite file per node; with TAXII_TEST_STORE=postgres (the scenario_*_pg tests) a
# fresh PostgreSQL schema per node on TAXII_TEST_POSTGRES_URI, dropped on exit (needs psql).
PG_SCHEMAS=()
if [ "${TAXII_TEST_STORE:-sqlite}" = postgres ]; then
  if [ -z "${TAXII_TEST_POSTGRES_URI:-}" ]; then
    echo "SKIP $SCENARIO: TAXII_TEST_STORE=postgres but TAXII_TEST_POSTGRES_URI is not set"
    rmdir "$WORK"
    exit 77
  fi
  command -v psql >/dev/null || { echo "$SCENARIO: TAXII_TEST_STORE=postgres needs psql" >&2; exit 1; }
fi
# store_uri NAME: sets STORE_URI to the storage URI of node NAME (creates its schema on
# PostgreSQL; not in a subshell, so that cleanup knows the schema).
store_uri() {
  if [ "${TAXII_TEST_STORE:-sqlite}" != postgres ]; then
    STORE_URI="sqlite://store/$1.db"
    return
  fi
  local schema="scenario_$$_${1//-/_}"
  psql -X -q -v ON_ERROR_STOP=1 "$TAXII_TEST_POSTGRES_URI" -c "CREATE SCHEMA $schema" >/dev/null ||
    fail "cannot create schema $schema"
  PG_SCHEMAS+=("$schema")
  case $TAXII_TEST_POSTGRES_URI in
    *\?*) STORE_URI="$TAXII_TEST_POSTGRES_URI&options=-csearch_path%3D$schema" ;;
    *) STORE_URI="$TAXII_TEST_POSTGRES_URI?options=-csearch_path%3D$schema" ;;
  esac
}

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for schema in "${PG_SCHEMAS[@]}"; do
    psql -X -q "$TAXII_TEST_POSTGRES_URI" -c "SET client_min_messages TO warning; DROP SCHEMA IF EXISTS $schema CASCADE" \
      >/dev/null 2>&1 || true
  done
  if [ "$status" -eq 0 ]; then rm -rf "$WORK"; else say "kept $WORK for inspection"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The configuration of a node: discovery, collection management, a poll service, an inbox
# "inbox" for local publishing (into collection "local") and an inbox "peer-inbox" for content
# pushed by other nodes (into collection "received"). Extra collection YAML may follow.
#   node_config NAME [LOCAL_BINDINGS_YAML]
node_config() {
  local name=$1 bindings=${2:-}
  mkdir -p "$WORK/$name"
  store_uri "$name"
  cat >"$WORK/$name/taxiid.yaml" <<YAML
listeners:
  - {address: 127.0.0.1, port: 0}
storage: "$STORE_URI"
push: {interval_ms: 200, retry_initial_ms: 200, retry_max: 2, timeout: 5, lease: 15}
services:
  - {id: discovery, type: discovery, path: /services/discovery}
  - {id: cm, type: collection_management, path: /services/collection-management}
  - {id: inbox, type: inbox, path: /services/inbox, default_collections: [local]}
  - {id: peer-inbox, type: inbox, path: /services/peer-inbox, default_collections: [received]}
  - {id: poll, type: poll, path: /services/poll}
collections:
  - name: local
    description: what $name publishes
$bindings    service_ids: [inbox, poll]
  - name: received
    description: what $name receives from others
    service_ids: [peer-inbox, poll]
YAML
}

# Starts a node whose configuration node_config wrote; sets PORT_<name> (dashes become _).
start_node() {
  local name=$1 dir="$WORK/$1"
  # Empty the log first: the child truncates it only once it runs, and a restarted node's
  # previous log (ready, with its port) must not be read in between (seen in CI under load).
  : > "$dir/taxiid.log"
  "$TAXIID" --config "$dir/taxiid.yaml" 2>>"$dir/taxiid.log" &
  PIDS+=($!)
  local i port="" log
  for ((i = 0; i < 300; i++)); do
    log=$(cat "$dir/taxiid.log" 2>/dev/null || true)
    if grep -q "event=ready" <<<"$log"; then
      port=$(sed -n 's/.*event=listening .* port=\([0-9]*\) .*/\1/p' <<<"$log" | head -n 1)
      break
    fi
    kill -0 "${PIDS[-1]}" 2>/dev/null || fail "taxiid $name exited during start-up"
    sleep 0.1
  done
  [ -n "$port" ] || fail "taxiid $name not ready"
  printf -v "PORT_${name//-/_}" '%s' "$port"
  say "node $name on http://127.0.0.1:$port"
}

url() { # url NODE PATH
  local var="PORT_${1//-/_}"
  echo "http://127.0.0.1:${!var}/services/$2"
}

# Subscribes and prints the new subscription's id.
#   subscribe NODE COLLECTION [taxii subscribe options...]
subscribe() {
  local node=$1 collection=$2
  shift 2
  local out
  out=$("$TAXII" subscribe --url "$(url "$node" collection-management)" --collection "$collection" "$@") ||
    fail "taxii subscribe to $node/$collection $* failed"
  echo "$out" | sed -n 's/^subscription \([^ ]*\) .*/\1/p' | head -n 1
}

manage() { # manage NODE COLLECTION ACTION ID
  "$TAXII" subscribe --url "$(url "$1" collection-management)" --collection "$2" --action "$3" --id "$4" >/dev/null ||
    fail "taxii subscribe --action $3 $4 on $1 failed"
}

# Publishes text blocks (one per word) to a node's local inbox.
#   publish NODE BINDING WORD...
publish() {
  local node=$1 binding=$2
  shift 2
  local dir="$WORK/files-$RANDOM$RANDOM" w
  mkdir -p "$dir"
  for w in "$@"; do printf '%s' "$w" >"$dir/$w"; done
  "$TAXII" push --url "$(url "$node" inbox)" --binding "$binding" --as text --batch 10 "$dir" >/dev/null ||
    fail "taxii push to $node failed"
}

# The content of a collection, sorted, one block per line.
contents() { # contents NODE COLLECTION
  "$TAXII" poll --url "$(url "$1" poll)" --collection "$2" | sed '/^$/d' | sort
}

# Waits until a collection holds exactly the expected blocks (words, any order), or fails.
#   expect NODE COLLECTION WORD...
expect() {
  local node=$1 collection=$2
  shift 2
  local want got i
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  for ((i = 0; i < DEADLINE_SECONDS * 5; i++)); do
    got=$(contents "$node" "$collection") || got="(poll failed)"
    [ "$got" = "$want" ] && return 0
    sleep 0.2
  done
  fail "$node/$collection holds [$(echo $got)], expected [$(echo $want)]"
}

# Lets any delivery in flight land, then checks that a collection still holds exactly WORDs.
still() {
  sleep "${SETTLE_SECONDS:-1.5}"
  local node=$1 collection=$2
  shift 2
  local want got
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  got=$(contents "$node" "$collection") || got="(poll failed)"
  [ "$got" = "$want" ] || fail "$node/$collection holds [$(echo $got)], expected only [$(echo $want)]"
}
