#!/usr/bin/env bash
# Builds a Lambda-like Python image without any container registry and tags it with the
# official name (public.ecr.aws/lambda/python:3.11-x86_64 by default), for machines that
# cannot pull from public.ecr.aws. Debian minbase with python3 (debootstrap), awslambdaric at
# /var/runtime, and the official image's layout: /var/task, /opt, /lambda-entrypoint.sh,
# /var/runtime/bootstrap and its environment. There is no Runtime Interface Emulator inside:
# the image only runs against a Runtime API (samlite's). Skipped when an image with the same
# content hash exists. Needs root, debootstrap, docker and a pip that reaches PyPI.
# Usage and background: docs/docker.md.
set -euo pipefail

SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
PYTHON_VERSION=3.11
RIC_VERSION=3.1.1          # the awslambdaric whose behaviour samlite's process runtime follows
TAG=""
MIRROR="${SAMLITE_DEBIAN_MIRROR:-}"
CACHE_DIR="${SAMLITE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/samlite}"
FORCE=0
REPO=samlite/lambda-python  # the content-hash tags live here

usage() {
  cat <<EOF
Usage: $0 [--python 3.11] [--tag IMAGE] [--ric-version 3.1.1] [--mirror URL]
          [--cache-dir DIR] [--force]

  --python VERSION   Python of the image: 3.11 (Debian bookworm), 3.13 (trixie), 3.9 (bullseye)
  --tag IMAGE        name to tag (default public.ecr.aws/lambda/python:VERSION-ARCH)
  --ric-version V    awslambdaric version installed at /var/runtime (default $RIC_VERSION)
  --mirror URL       Debian mirror (default: the one apt uses here, from /etc/apt/sources.list*)
  --cache-dir DIR    where the Debian root is cached (default ~/.cache/samlite)
  --force            rebuild even when an image with the same content hash exists, and
                     replace an image under --tag that this script did not build
EOF
}

LOG_NAME=build-lambda-image
# shellcheck source=scripts/lambda-image-lib.sh
source "$(dirname "$SCRIPT")/lambda-image-lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --python) PYTHON_VERSION="${2:?--python needs a version}"; shift 2 ;;
    --tag) TAG="${2:?--tag needs an image name}"; shift 2 ;;
    --ric-version) RIC_VERSION="${2:?--ric-version needs a version}"; shift 2 ;;
    --mirror) MIRROR="${2:?--mirror needs a URL}"; shift 2 ;;
    --cache-dir) CACHE_DIR="${2:?--cache-dir needs a folder}"; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# The image is honest about its version: each Debian release ships exactly one python3.
case "$PYTHON_VERSION" in
  3.9) RELEASE=bullseye ;;
  3.11) RELEASE=bookworm ;;
  3.13) RELEASE=trixie ;;
  *) die "no Debian release ships Python $PYTHON_VERSION as python3; use 3.9, 3.11 or 3.13" ;;
esac
detect_arch
TAG="${TAG:-public.ecr.aws/lambda/python:${PYTHON_VERSION}-${LAMBDA_ARCH}}"
PY_TAG="cp${PYTHON_VERSION/./}"

require_tools debootstrap docker python3 tar chroot flock
python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip is not available on this host"

# Everything that decides the image's content (and the scripts' own text).
CONTENT_HASH=$(content_hash "python $PYTHON_VERSION" "awslambdaric $RIC_VERSION" \
  "debian $RELEASE $DEB_ARCH")
HASH_TAG="$REPO:${PYTHON_VERSION}-${CONTENT_HASH}"

lock_cache_dir
exit_if_current
make_work_dir

# 1. The Debian root.
debian_root python3,locales python3 v2
[ -x "$ROOT/usr/bin/python$PYTHON_VERSION" ] \
  || die "the Debian $RELEASE root has no /usr/bin/python$PYTHON_VERSION"

# 2. awslambdaric at /var/runtime, installed by the host's pip for the image's Python.
python3 -m pip install --quiet --disable-pip-version-check --no-compile \
  --target "$ROOT/var/runtime" --python-version "$PYTHON_VERSION" --implementation cp \
  --abi "$PY_TAG" --platform "manylinux2014_$LAMBDA_ARCH" --only-binary=:all: \
  "awslambdaric==$RIC_VERSION" >"$WORK/pip.log" 2>&1 \
  || { tail -n 30 "$WORK/pip.log" >&2; die "pip could not install awslambdaric==$RIC_VERSION"; }
chroot "$ROOT" "/usr/bin/python$PYTHON_VERSION" -m compileall -q /var/runtime >/dev/null
say "awslambdaric $RIC_VERSION installed at /var/runtime"

# 3. The official image's layout.
mkdir -p "$ROOT/var/task" "$ROOT/opt" "$ROOT/var/lang/bin"
ln -sf "/usr/bin/python$PYTHON_VERSION" "$ROOT/var/lang/bin/python$PYTHON_VERSION"
ln -sf "python$PYTHON_VERSION" "$ROOT/var/lang/bin/python3"
cat >"$ROOT/lambda-entrypoint.sh" <<'EOF'
#!/bin/sh
# As the official image's entrypoint: the handler is the only argument. Without
# AWS_LAMBDA_RUNTIME_API the official image starts its Runtime Interface Emulator,
# which this locally built image (scripts/build-lambda-image.sh) does not have.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  echo "AWS_LAMBDA_RUNTIME_API is not set, and this image (built by samlite's" \
       "scripts/build-lambda-image.sh) has no Runtime Interface Emulator:" \
       "run it through samlite, or set AWS_LAMBDA_RUNTIME_API to a Runtime API host:port" 1>&2
  exit 1
fi
exec /var/runtime/bootstrap
EOF
cat >"$ROOT/var/runtime/bootstrap" <<EOF
#!/bin/bash
# Starts the Python runtime client. sys.path comes out as Lambda's: /var/task (the working
# directory), the layers' /opt/python paths, then /var/runtime. A wrapper gets Lambda's
# command line, "<python> /var/runtime/bootstrap.py" (Lambda developer guide, "Wrapper
# scripts"), and the handler is read from \$_HANDLER after it ran, so it may change it.
export AWS_EXECUTION_ENV="\${AWS_EXECUTION_ENV:-AWS_Lambda_python$PYTHON_VERSION}"
export PYTHONPATH="/opt/python/lib/python$PYTHON_VERSION/site-packages:/opt/python:\${LAMBDA_RUNTIME_DIR:-/var/runtime}\${PYTHONPATH:+:\$PYTHONPATH}"
cd "\${LAMBDA_TASK_ROOT:-/var/task}" || exit 1
if [ -n "\${AWS_LAMBDA_EXEC_WRAPPER}" ]; then
  [ -f "\$AWS_LAMBDA_EXEC_WRAPPER" ] || { echo "\$AWS_LAMBDA_EXEC_WRAPPER: does not exist"; exit 127; }
  [ -x "\$AWS_LAMBDA_EXEC_WRAPPER" ] || { echo "\$AWS_LAMBDA_EXEC_WRAPPER: is not an executable"; exit 126; }
  exec -- "\$AWS_LAMBDA_EXEC_WRAPPER" /var/lang/bin/python$PYTHON_VERSION /var/runtime/bootstrap.py
fi
exec /var/lang/bin/python$PYTHON_VERSION /var/runtime/bootstrap.py
EOF
cat >"$ROOT/var/runtime/bootstrap.py" <<'EOF'
"""The runtime client for the handler in $_HANDLER, as Lambda's bootstrap.py reads it."""
import os
import sys

from awslambdaric.__main__ import main

sys.path[0] = os.getcwd()   # as `python -m` puts it: the task root, not /var/runtime
main([sys.argv[0], os.environ.get("_HANDLER", "")])
EOF
chmod 755 "$ROOT/lambda-entrypoint.sh" "$ROOT/var/runtime/bootstrap"

# 4. Import with the official image's configuration, then check it once before tagging.
import_image "samlite scripts/build-lambda-image.sh: Debian $RELEASE, awslambdaric $RIC_VERSION" \
  "samlite.python=$PYTHON_VERSION samlite.awslambdaric=$RIC_VERSION samlite.debian=$RELEASE"

check=$(docker run --rm --network none --entrypoint /bin/sh "$HASH_TAG" -c \
  'PYTHONPATH=/var/runtime python3 -c "import runtime_client, awslambdaric.bootstrap, sys; print(sys.version.split()[0])" && /lambda-entrypoint.sh app.handler; echo "exit=$?"' 2>&1) || true
case "$check" in
  "$PYTHON_VERSION".*"no Runtime Interface Emulator"*"exit=1") ;;
  *) docker rmi "$HASH_TAG" >/dev/null 2>&1 || true
     die "the new image failed its check (runtime_client import, entrypoint):"$'\n'"$check" ;;
esac
say "checked: Python $(echo "$check" | head -n1), awslambdaric's runtime_client imports in the image"

# Earlier builds for this Python version are no longer reachable by name: dropped.
tag_and_prune "$PYTHON_VERSION"
