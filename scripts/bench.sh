#!/usr/bin/env bash
# Benchmarks: each prints JSON lines {"name","value","unit","baseline","ratio"}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
source scripts/nix-env.sh
npm run -s build
for b in bench/*.bench.ts; do
  [ -e "$b" ] || continue
  echo "# $b" >&2
  npx tsx "$b"
done
