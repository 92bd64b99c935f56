#!/usr/bin/env bash
# Regenerates docs/nix-options.md from the modules' option declarations (no nixpkgs needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nix-env.sh
nix eval --raw --file nix/lib/options-doc.nix markdown > docs/nix-options.md
echo "docs/nix-options.md regenerated"
