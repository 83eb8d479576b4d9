#!/usr/bin/env bash
# Set everything up (first run only), then run the whole test suite on the real models.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" test
cd "$root"
export QT_QPA_PLATFORM=offscreen
exec "${MOCKLOOP_VENV:-$root/.venv}/bin/python" -m pytest "$@"
