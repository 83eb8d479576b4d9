#!/usr/bin/env bash
# Set everything up (first run only), then open the mockloop desktop app.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" app
exec "${MOCKLOOP_VENV:-$root/.venv}/bin/mockloop" "$@"
