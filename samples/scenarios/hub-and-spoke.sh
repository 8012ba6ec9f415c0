#!/usr/bin/env bash
# Sharing model "hub and spoke" (TAXII Overview): spokes publish to the hub's Inbox; the hub
# redistributes everything to every spoke through push subscriptions. One spoke speaks TAXII
# 1.0 (it subscribes with the 1.0 message binding, so the hub pushes XML 1.0 to it, and it
# publishes with 1.0). Checks that every spoke receives every block exactly once, that content
# reaches nothing it should not (the hub's own "received", the spokes' "local"), and that a
# spoke restarted mid-way gets what it missed.
#
#   hub-and-spoke.sh [TAXIID] [TAXII]      exit 0 if every check passed
source "$(dirname "$0")/lib.sh"

STIX=urn:stix.mitre.org:xml:1.1.1

node_config hub
for s in spoke1 spoke2 spoke3; do node_config "$s"; done
start_node hub
for s in spoke1 spoke2 spoke3; do start_node "$s"; done

subscribe hub local --inbox "$(url spoke1 peer-inbox)" >/dev/null
subscribe hub local --inbox "$(url spoke2 peer-inbox)" >/dev/null
subscribe hub local --inbox "$(url spoke3 peer-inbox)" --taxii 1.0 >/dev/null

publish hub "$STIX" s1-one s1-two                                    # spoke1's reports
publish hub "$STIX" s2-one                                           # spoke2's
dir="$WORK/spoke3-files"; mkdir -p "$dir"; printf 's3-one' >"$dir/s3-one"
"$TAXII" push --taxii 1.0 --url "$(url hub inbox)" --binding "$STIX" --as text "$dir" >/dev/null || fail "1.0 push"

all=(s1-one s1-two s2-one s3-one)
for s in spoke1 spoke2 spoke3; do expect "$s" received "${all[@]}"; done
still hub received
for s in spoke1 spoke2 spoke3; do still "$s" local; done
expect hub local "${all[@]}"

# spoke2 goes down; the hub keeps its pushes in the outbox and retries until it is back.
kill -TERM "${PIDS[2]}"; wait "${PIDS[2]}" 2>/dev/null || true
sed -i "s/port: 0/port: $PORT_spoke2/" "$WORK/spoke2/taxiid.yaml"
publish hub "$STIX" s1-three
expect spoke1 received "${all[@]}" s1-three
start_node spoke2
expect spoke2 received "${all[@]}" s1-three
expect spoke3 received "${all[@]}" s1-three
say "OK"
