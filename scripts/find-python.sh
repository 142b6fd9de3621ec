#!/usr/bin/env bash
# Prints the command of a Python 3.11 interpreter (python3.11, else python3 if it is 3.11).
# hwsnn needs exactly 3.11: the local torch 2.13.0 CPU wheel is cp311 and the Lava fix targets 3.11.
set -euo pipefail
for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        echo "$candidate"
        exit 0
    fi
done
echo "hwsnn set-up: no Python 3.11 found (tried python3.11, python3); install Python 3.11 first" >&2
exit 1
