#!/usr/bin/env bash
# Build the test base image from Debian packages (no registry pull needed):
# debootstrap --variant=minbase bookworm + python3, pytest, git, then `docker import`.
# Idempotent: does nothing when the image already exists (pass --force to rebuild).
set -euo pipefail

IMAGE="${PATCHLOOP_BASE_IMAGE:-patchloop-base:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="python3,python3-pytest,git,ca-certificates,patch,procps"

if [ "${1:-}" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE already present"
  exit 0
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "debootstrap is missing: apt-get install -y debootstrap" >&2
  exit 1
fi

root="$(mktemp -d /tmp/patchloop-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm into $root (a few minutes)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "$MIRROR" >"$root.log" 2>&1 \
  || { tail -n 30 "$root.log" >&2; echo "debootstrap failed; full log: $root.log" >&2; exit 1; }
rm -f "$root.log"
# Keep the image small: package caches and docs are not needed to run tests.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE" >/dev/null
echo "built $IMAGE"
