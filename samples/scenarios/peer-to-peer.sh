#!/usr/bin/env bash
# Sharing model "peer to peer" (TAXII Overview): every peer publishes its own collection and
# subscribes to every other peer's, receiving into a collection of its own ("received") that
# it does not re-share, so nothing loops. Checks that each peer ends up with exactly the
# others' blocks, that its own never come back to it, and that a peer that paused its
# subscription to another gets what it missed on RESUME.
#
#   peer-to-peer.sh [TAXIID] [TAXII]      exit 0 if every check passed
source "$(dirname "$0")/lib.sh"

STIX=urn:stix.mitre.org:xml:1.2
peers=(red green blue)

for p in "${peers[@]}"; do node_config "$p"; done
for p in "${peers[@]}"; do start_node "$p"; done
declare -A sub
for p in "${peers[@]}"; do
  for q in "${peers[@]}"; do
    [ "$p" = "$q" ] && continue
    sub[$p-$q]=$(subscribe "$q" local --inbox "$(url "$p" peer-inbox)")  # p receives q's content
  done
done

publish red "$STIX" red-1 red-2
publish green "$STIX" green-1
publish blue "$STIX" blue-1 blue-2 blue-3
expect red received green-1 blue-1 blue-2 blue-3
expect green received red-1 red-2 blue-1 blue-2 blue-3
expect blue received red-1 red-2 green-1
for p in "${peers[@]}"; do still "$p" local "$(printf '%s\n' red-1 red-2 green-1 blue-1 blue-2 blue-3 | grep "^$p-")"; done

# green pauses its subscription to red: red's new block reaches blue only, until RESUME.
manage red local pause "${sub[green-red]}"
publish red "$STIX" red-3
expect blue received red-1 red-2 red-3 green-1
still green received red-1 red-2 blue-1 blue-2 blue-3
manage red local resume "${sub[green-red]}"
expect green received red-1 red-2 red-3 blue-1 blue-2 blue-3
still red received green-1 blue-1 blue-2 blue-3
say "OK"
