#!/usr/bin/env bash
# npm start: the main job on the embedded default (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
source scripts/nix-env.sh
npm run -s build
exec node dist/cli/main.js demo "$@"
