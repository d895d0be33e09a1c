#!/usr/bin/env bash
# CI: makes sure a Docker engine answers and the local Lambda-like image exists, so that the
# Docker tests run for real. Uses the engine that answers `docker info`; otherwise installs
# Debian's docker.io (and debootstrap) when absent and starts its own dockerd in the
# background: no bridge and no iptables (containers use the host network), its own data root.
# Then runs scripts/build-lambda-image.sh (python:3.11) and scripts/build-lambda-node-image.sh
# (nodejs:20), each with this script's arguments (the options both know: --mirror,
# --cache-dir, --force, --help). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR="${SAMLITE_CI_DOCKER_DIR:-/var/lib/samlite-ci-docker}"
LOG="$STATE_DIR/dockerd.log"
WAIT_S="${SAMLITE_CI_DOCKER_WAIT_S:-60}"

die() { echo "ci-docker: $*" >&2; exit 1; }
engine_answers() { docker info >/dev/null 2>&1; }

install_missing() {
  [ $# -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || die "$* missing, and installing needs root"
  echo "ci-docker: installing $* with apt-get"
  # Keep the package's init script from starting a default dockerd (bridge, iptables):
  # policy-rc.d answering 101 is Debian's way to say "do not start services here".
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local ok=1
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" >/dev/null || ok=0
  [ $own_policy -eq 0 ] || rm -f /usr/sbin/policy-rc.d
  [ $ok -eq 1 ] || die "apt-get install $* failed"
}

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
if engine_answers; then
  install_missing "${missing[@]}"
  echo "ci-docker: using the running engine ($(docker version --format '{{.Server.Version}}'))"
else
  [ "$(id -u)" -eq 0 ] || die "no Docker engine answers, and starting one needs root"
  command -v dockerd >/dev/null || missing+=(docker.io)
  install_missing "${missing[@]}"
  mkdir -p "$STATE_DIR/data"
  echo "ci-docker: starting dockerd (data root $STATE_DIR/data, log $LOG)"
  setsid dockerd --bridge=none --iptables=false --data-root "$STATE_DIR/data" \
    --pidfile "$STATE_DIR/dockerd.pid" >>"$LOG" 2>&1 </dev/null &
  pid=$!
  deadline=$(( $(date +%s) + WAIT_S ))
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOG" >&2; die "dockerd exited before answering (log tail above)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 40 "$LOG" >&2; die "dockerd (pid $pid) did not answer within ${WAIT_S}s (log above)"
    fi
    sleep 0.5
  done
  echo "ci-docker: dockerd (pid $pid) answers ($(docker version --format '{{.Server.Version}}'))"
fi

scripts/build-lambda-image.sh "$@"
exec scripts/build-lambda-node-image.sh "$@"
