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
# the operators' command line (tooling/sausat.py) as .venv/bin/sausat; rewritten whenever it
# differs, so a wrapper naming an older module or checkout is replaced
sausat=$(printf '#!/bin/sh\n# the operators command line: tooling/sausat.py (written by %s)\n%s\n' \
  "deploy/venv.sh" \
  "PYTHONPATH=\"$ROOT\${PYTHONPATH:+:\$PYTHONPATH}\" exec \"$PY\" -m tooling.sausat \"\$@\"")
if [ ! -x "$VENV/bin/sausat" ] || [ "$(cat "$VENV/bin/sausat")" != "$sausat" ]; then
  printf '%s\n' "$sausat" >"$VENV/bin/sausat"
  chmod +x "$VENV/bin/sausat"
fi
