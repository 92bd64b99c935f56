#!/usr/bin/env bash
# npm start: the main job on the embedded default (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
# Missing tools stop the tests, not the demo: without Nix it runs the simulated driver and says so in a banner.
bash scripts/ensure-deps.sh || echo "nixfleet: starting the demo anyway (without Nix it uses the simulated driver)" >&2
source scripts/nix-env.sh
npm run -s build
exec node dist/cli/main.js demo "$@"
