#!/usr/bin/env bash
# Installs the system tools NixFleet's tests and demo use (Nix, OpenSSH, poppler, qpdf) when missing.
# As root it installs them from Debian; otherwise it says exactly what to install and fails.
set -euo pipefail
need=()
command -v nix-build >/dev/null 2>&1 && command -v nix-env >/dev/null 2>&1 && command -v nix-instantiate >/dev/null 2>&1 || need+=(nix-bin)
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
if ((${#need[@]} == 0)); then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "nixfleet: missing system packages: ${need[*]}" >&2
  echo "install them first, e.g.: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "nixfleet: installing ${need[*]} (apt-get) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
