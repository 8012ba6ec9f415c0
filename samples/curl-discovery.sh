#!/bin/sh
# A TAXII 1.1 Discovery request with curl, against the sample configuration:
#   taxiid --config samples/taxiid.yaml &
#   samples/curl-discovery.sh [http://127.0.0.1:9000/services/discovery]
# The answer is a Discovery_Response listing every service (TAXII 1.1 and 1.0 instances).
set -eu
URL="${1:-http://127.0.0.1:9000/services/discovery}"
curl --silent --show-error --fail-with-body \
  -X POST "$URL" \
  -H 'Content-Type: application/xml' \
  -H 'Accept: application/xml' \
  -H 'X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1' \
  -H 'X-TAXII-Accept: urn:taxii.mitre.org:message:xml:1.1' \
  -H 'X-TAXII-Services: urn:taxii.mitre.org:services:1.1' \
  -H 'X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0' \
  --data-binary '<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"/>'
echo
