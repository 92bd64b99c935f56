# Sourced by the project's scripts: Nix as root on build machines without a nixbld group or sandbox support.
# Only affects the processes these scripts start, never the user's global nix.conf.
export NIX_CONFIG="sandbox = false
build-users-group =
experimental-features = nix-command flakes
${NIX_CONFIG:-}"
