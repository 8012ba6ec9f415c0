#!/usr/bin/env bash
# Sharing model "source / subscriber" (TAXII Overview): one source publishes a collection;
# subscribers receive it by push (each into its own inbox) or fetch it by polling their
# subscription. Checks content-binding filters, PAUSE/RESUME (what arrived during the pause is
# delivered on RESUME, Services 1.1 §5.4.2), UNSUBSCRIBE (delivery stops), and polling "since
# the last delivery".
#
#   source-subscriber.sh [TAXIID] [TAXII]      exit 0 if every check passed
source "$(dirname "$0")/lib.sh"

STIX12=urn:stix.mitre.org:xml:1.2
STIX111=urn:stix.mitre.org:xml:1.1.1

node_config source "    content_bindings: [$STIX12, $STIX111]
"
node_config alice
node_config bob
start_node source
start_node alice
start_node bob

# alice takes everything, bob only STIX 1.2; carol polls.
sub_alice=$(subscribe source local --inbox "$(url alice peer-inbox)")
sub_bob=$(subscribe source local --inbox "$(url bob peer-inbox)" --binding "$STIX12")
sub_carol=$(subscribe source local)
[ -n "$sub_alice" ] && [ -n "$sub_bob" ] && [ -n "$sub_carol" ] || fail "a subscription id is missing"
say "subscriptions: alice=$sub_alice bob=$sub_bob carol=$sub_carol"
# An identical SUBSCRIBE returns the existing subscription (Services 1.1 §4.4.6 rule 5).
[ "$(subscribe source local --inbox "$(url alice peer-inbox)")" = "$sub_alice" ] || fail "identical SUBSCRIBE duplicated"

publish source "$STIX12" a1 a2 a3
publish source "$STIX111" b1 b2
expect alice received a1 a2 a3 b1 b2
expect bob received a1 a2 a3
still bob received a1 a2 a3               # no STIX 1.1.1 for bob
still source received                     # nothing flows back to the source

# carol polls her subscription: everything since it was made, then nothing new.
got=$("$TAXII" poll --url "$(url source poll)" --collection local --subscription "$sub_carol" | sed '/^$/d' | sort | tr '\n' ' ')
[ "$got" = "a1 a2 a3 b1 b2 " ] || fail "carol's first poll returned [$got]"
got=$("$TAXII" poll --url "$(url source poll)" --collection local --subscription "$sub_carol" | sed '/^$/d' | tr '\n' ' ')
[ -z "$got" ] || fail "carol's second poll returned [$got], expected nothing new"

# Paused: bob gets nothing; on RESUME he gets what arrived meanwhile.
manage source local pause "$sub_bob"
publish source "$STIX12" a4
expect alice received a1 a2 a3 a4 b1 b2
still bob received a1 a2 a3
manage source local resume "$sub_bob"
expect bob received a1 a2 a3 a4

# Unsubscribed: alice gets nothing more; bob carries on.
manage source local unsubscribe "$sub_alice"
publish source "$STIX12" a5
expect bob received a1 a2 a3 a4 a5
still alice received a1 a2 a3 a4 b1 b2
got=$("$TAXII" poll --url "$(url source poll)" --collection local --subscription "$sub_carol" | sed '/^$/d' | tr '\n' ' ')
[ "$got" = "a4 a5 " ] || fail "carol's third poll returned [$got]"

# STATUS lists the two subscriptions left.
status=$("$TAXII" subscribe --url "$(url source collection-management)" --collection local --action status)
[ "$(echo "$status" | grep -c '^subscription ')" -eq 2 ] || fail "STATUS listed: $status"
say "OK"
