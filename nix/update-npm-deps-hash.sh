#!/usr/bin/env bash
# Writes the npmDepsHash of package-lock.json into nix/npm-deps-hash (read by nix/package.nix).
# Needs network access and nixpkgs (it runs nixpkgs' prefetch-npm-deps); run it after every change of
# package-lock.json. Not runnable on the machines NixFleet is developed on (no registry reachable from Nix).
set -euo pipefail
cd "$(dirname "$0")/.."
hash="$(nix run nixpkgs#prefetch-npm-deps -- package-lock.json)"
case "$hash" in
  sha256-*=) printf '%s\n' "$hash" > nix/npm-deps-hash && echo "nix/npm-deps-hash: $hash" ;;
  *) echo "prefetch-npm-deps printed no hash: $hash" >&2; exit 1 ;;
esac
