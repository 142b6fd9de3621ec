#!/usr/bin/env bash
# `pip check` for the set-up venv. Tolerated: lava-nc's declared Python <3.11 (see README) and the
# dependencies spikingjelly is installed without (torchvision, torchaudio, tensorboard, SciencePlots;
# see the bench extra in pyproject.toml).
set -euo pipefail
python=${1:-.venv/bin/python}
report=$("$python" -m pip check 2>&1 || true)
tolerated='^No broken requirements found|^lava-nc 0\.10\.0 .*python'
tolerated+='|^spikingjelly [0-9.]+ requires (torchvision|torchaudio|tensorboard|SciencePlots),'
problems=$(grep -v -i -E "$tolerated" <<<"$report" || true)
if [[ -n "$problems" ]]; then
    echo "hwsnn set-up: inconsistent environment (pip check):" >&2
    echo "$problems" >&2
    exit 1
fi
