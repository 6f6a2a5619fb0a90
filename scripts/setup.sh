#!/usr/bin/env bash
# One idempotent set-up: Debian packages, npm dependencies, the mediasoup worker, the build.
# Re-running it when everything is in place only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m[setup] %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31m[setup] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }
trap 'fail "the step above stopped with an error (line $LINENO)"' ERR

# System packages: media tools, the test services (Redis, PostgreSQL, coturn; docker-compose
# only checks docker-compose.yml) and browser, and what the mediasoup worker is compiled against
# (Debian's libraries instead of downloads from GitHub).
packages=(
  ffmpeg redis-server postgresql coturn docker-compose chromium fonts-liberation ca-certificates
  build-essential python3 pkg-config meson ninja-build flatbuffers-compiler libflatbuffers-dev
  libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev
)
step "checking Debian packages"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" || fail "apt-get install ${missing[*]}"
else
  echo "all ${#packages[@]} packages present"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is needed (found $(node -v))"

# mediasoup's own postinstall would try to download a prebuilt worker from GitHub; we build
# it ourselves below, so every npm install runs with this set.
export MEDIASOUP_WORKER_BIN=skip
step "npm dependencies"
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.educloud-lock-hash
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  echo "node_modules matches package-lock.json"
else
  npm ci --no-audit --no-fund || fail "npm ci"
  echo "$lock_hash" > "$stamp"
fi
unset MEDIASOUP_WORKER_BIN

step "mediasoup worker"
bash scripts/build-mediasoup-worker.sh || fail "building the mediasoup worker"

step "build"
npx tsc -b || fail "TypeScript build"
web_stamp=web/dist/index.html
if [ -f "$web_stamp" ] && [ -z "$(find web/src web/index.html web/vite.config.ts protocol/src web/package.json -newer "$web_stamp" -print -quit)" ]; then
  echo "web client is up to date"
else
  npm run build -w @educloud/web || fail "web client build"
fi

step "done: start with 'npm start', test with 'npm test'"
