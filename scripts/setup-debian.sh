#!/usr/bin/env bash
# Installs the Debian packages hwsnn needs when run as root; otherwise names the missing ones and fails.
# Called by `make setup`. Runs `apt-get update` only when something is missing.
set -euo pipefail

packages=(ngspice libngspice0-dev dataset-fashion-mnist chromium)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "hwsnn set-up: missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root, then run make again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "hwsnn set-up: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
