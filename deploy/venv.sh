#!/usr/bin/env bash
# Creates .venv with the pinned requirements, once; re-runs only when requirements.txt changes.
# Sourced by the other scripts: afterwards $PY is the project's interpreter.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

if [ ! -x "$PY" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    echo "venv: installing Debian's python3-venv" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  python3 -m venv "$VENV"
fi

stamp="$VENV/.requirements.sha256"
want=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "venv: installing pinned requirements" >&2
  "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.txt" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
  "$PY" -c 'import nameko, holidays' # fail here, not later, if the install broke
  echo "$want" >"$stamp"
fi
export PY
# the operators' command line (deploy/sausat.py) as .venv/bin/sausat
if [ ! -x "$VENV/bin/sausat" ] || ! grep -qF "$ROOT" "$VENV/bin/sausat"; then
  printf '#!/bin/sh\n# the operators command line: deploy/sausat.py (written by deploy/venv.sh)\nPYTHONPATH="%s${PYTHONPATH:+:$PYTHONPATH}" exec "%s" -m deploy.sausat "$@"\n' \
    "$ROOT" "$PY" >"$VENV/bin/sausat"
  chmod +x "$VENV/bin/sausat"
fi
