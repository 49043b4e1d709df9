#!/usr/bin/env bash
# Entrypoint of the `mongo` container (docker-compose.yml): makes sure the replica-set key file
# named by `--keyFile` exists, then hands over to the image's own entrypoint unchanged.
#
# mongod refuses authentication on a replica set without a key file, with which members
# authenticate each other. This set has one member, so a random key made here on first start
# and kept in the config volume is enough; a set that grows copies this file to every member.
# mongod wants the file readable by its own user only (400, owner mongodb).
set -euo pipefail

keyfile=""
previous=""
for arg in "$@"; do
  if [ "$previous" = "--keyFile" ]; then keyfile="$arg"; fi
  case "$arg" in --keyFile=*) keyfile="${arg#--keyFile=}" ;; esac
  previous="$arg"
done

if [ -n "$keyfile" ]; then
  if [ ! -s "$keyfile" ]; then
    echo "mongod-entrypoint: creating replica-set key file $keyfile" >&2
    mkdir -p "$(dirname "$keyfile")"
    umask 077
    head -c 756 /dev/urandom | base64 -w 0 >"$keyfile.tmp"
    mv "$keyfile.tmp" "$keyfile"
  fi
  if [ "$(id -u)" = 0 ]; then
    chown mongodb:mongodb "$keyfile"
  fi
  chmod 400 "$keyfile"
fi

exec docker-entrypoint.sh "$@"
