#!/usr/bin/env bash
# The whole test suite: system tools, build, generated-file drift, lint, types, then vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
source scripts/nix-env.sh
echo "== build" && npm run -s build
echo "== generated files" && node scripts/gen-types.mjs --check
echo "== lint" && npx biome check .
echo "== types (including tests)" && npx tsc -p tsconfig.json --noEmit
echo "== tests" && npx vitest run "$@"
