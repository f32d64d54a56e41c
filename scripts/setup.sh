#!/usr/bin/env bash
# One command that sets up everything patchloop needs on a fresh Debian/Ubuntu machine:
#   1. Docker engine (Debian's docker.io), debootstrap, chromium and bubblewrap (the local
#      sandbox's confinement), installed when missing (needs root);
#   2. dockerd started when `docker info` fails (its pid kept in .patchloop/dockerd.pid so
#      .ci/run can stop what it started);
#   3. the virtual environment .venv with patchloop installed (editable) and its dependencies;
#   4. the test base image (scripts/build-base-image.sh; skipped when present).
# Safe to rerun: every step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.patchloop
mkdir -p "$state"

say() { printf 'setup: %s\n' "$*"; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    say "$1 needs root; run: sudo $0   (or install Docker yourself and rerun)" >&2
    exit 1
  fi
}

# 1. packages (chromium: the browser checks of the HTML report pages; bubblewrap: the local sandbox)
if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! command -v bwrap >/dev/null 2>&1; then
  need_root "installing docker.io, debootstrap, chromium and bubblewrap"
  say "installing docker.io, debootstrap, chromium and bubblewrap (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap chromium bubblewrap >/dev/null
fi

# 2. engine
if ! docker info >/dev/null 2>&1; then
  need_root "starting dockerd"
  say "starting dockerd (log: $state/dockerd.log)"
  nohup dockerd >"$state/dockerd.log" 2>&1 &
  echo $! >"$state/dockerd.pid"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { say "dockerd did not come up; see $state/dockerd.log" >&2; exit 1; }
fi

# 3. virtual environment (reinstalled only when pyproject.toml changed)
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
stamp="$state/pyproject.sha256"
if ! sha256sum -c "$stamp" >/dev/null 2>&1; then
  say "installing patchloop and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  sha256sum pyproject.toml >"$stamp"
fi

# 4. test base image
scripts/build-base-image.sh
say "ready"
