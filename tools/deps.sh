#!/usr/bin/env bash
# Installs everything taxii needs to build, test and run, from Debian 12's packages.
# Idempotent. Set TAXII_SKIP_APT=1 to skip (e.g. on a machine already set up).
set -euo pipefail
[ "${TAXII_SKIP_APT:-0}" = 1 ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PKGS=(build-essential cmake ninja-build pkg-config git
      libxerces-c-dev libpoco-dev libboost-test-dev libyaml-cpp-dev libssl-dev libsqlite3-dev
      libxml2-utils openssl curl ca-certificates python3 procps slowhttptest
      libpq-dev postgresql-15 postgresql-client-15 libsimdjson-dev
      clang libclang-rt-14-dev adduser)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "taxii: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
