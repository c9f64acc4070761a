#!/usr/bin/env bash
# Installs every system package the project needs, then its npm dependencies.
# Idempotent: packages already present are not reinstalled. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # compiler and kernel build tools (gcc 12 is what Debian 12 built its kernels with)
  gcc make binutils flex bison bc libssl-dev libelf-dev dwarves kmod cpio xz-utils rsync patch
  # clang: the differ is tested on another compiler's objects too
  clang
  # the source the test kernel is built from (kpatch-build fetches what each target needs)
  linux-source-6.1
  # the guest: QEMU under software emulation, busybox for the initramfs
  qemu-system-x86 busybox-static
  # UEFI firmware, for guests whose kernel trusts a signing key in db
  ovmf
  # the Debian 12 system booted with systemd, its disk overlays, and its apt repository
  mmdebstrap qemu-utils e2fsprogs dpkg-dev
  # the review report's HTML page is checked as a browser draws it
  chromium
  # the man pages are checked as groff reads them; test signing keys
  groff-base openssl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: system packages present"
fi

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# Build, and put the commands (kpatch-build, create-diff-object, kpatch-dev) on the PATH.
npm run --silent build
npm link --no-audit --no-fund --loglevel=error
# The man pages, where man finds local ones.
for page in man/*.1; do
  install -D -m 0644 "$page" "/usr/local/share/man/man1/$(basename "$page")"
done
echo "setup: done ($(command -v kpatch-build))"
