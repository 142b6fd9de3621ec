#!/usr/bin/env bash
# `pip check` for the set-up venv, tolerating only lava-nc's declared Python <3.11 (see README).
set -euo pipefail
python=${1:-.venv/bin/python}
report=$("$python" -m pip check 2>&1 || true)
problems=$(grep -v -i -E '^No broken requirements found|^lava-nc 0\.10\.0 .*(python|Python)' <<<"$report" || true)
if [[ -n "$problems" ]]; then
    echo "hwsnn set-up: inconsistent environment (pip check):" >&2
    echo "$problems" >&2
    exit 1
fi
