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

die() { echo "build-lambda-image: $*" >&2; exit 1; }
say() { printf 'build-lambda-image: [%5.1fs] %s\n' "$(elapsed)" "$*"; }
START_NS=$(date +%s%N)
elapsed() { awk -v s="$START_NS" -v n="$(date +%s%N)" 'BEGIN { printf "%.1f", (n - s) / 1e9 }'; }

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
case "$(uname -m)" in
  x86_64) DEB_ARCH=amd64; LAMBDA_ARCH=x86_64 ;;
  aarch64) DEB_ARCH=arm64; LAMBDA_ARCH=arm64 ;;
  *) die "unsupported machine $(uname -m); Lambda runs x86_64 and arm64" ;;
esac
TAG="${TAG:-public.ecr.aws/lambda/python:${PYTHON_VERSION}-${LAMBDA_ARCH}}"
PY_TAG="cp${PYTHON_VERSION/./}"

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it); try: sudo $0"
for tool in debootstrap docker python3 tar chroot flock; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install $tool)"
done
python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip is not available on this host"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info); start it first"

# Everything that decides the image's content. Editing this script changes the hash too.
CONTENT_HASH=$(printf '%s\n' "script $(sha256sum <"$SCRIPT" | cut -d' ' -f1)" \
  "python $PYTHON_VERSION" "awslambdaric $RIC_VERSION" "debian $RELEASE $DEB_ARCH" \
  | sha256sum | cut -c1-12)
HASH_TAG="$REPO:${PYTHON_VERSION}-${CONTENT_HASH}"

# The cached Debian root becomes the image: the folder must be ours and writable by no one
# else, or another local user could plant a root first (issue 13; as samlite's private_dirs.py).
mkdir -p -m 700 "$CACHE_DIR"
[ -d "$CACHE_DIR" ] && [ ! -L "$CACHE_DIR" ] && [ "$(stat -c %u "$CACHE_DIR")" = "$(id -u)" ] \
  && [ -z "$(find "$CACHE_DIR" -maxdepth 0 -perm /022)" ] \
  || die "$CACHE_DIR is not a folder only you own and can write; remove it or pass --cache-dir"
chmod 700 "$CACHE_DIR"
exec 9>"$CACHE_DIR/build.lock"
flock -w 900 9 || die "another build holds $CACHE_DIR/build.lock for over 15 minutes"

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
is_ours() {
  [ -n "$(docker image inspect --format '{{with .Config.Labels}}{{index . "samlite.content-hash"}}{{end}}' \
          "$1" 2>/dev/null || true)" ]
}

tag_id=$(image_id "$TAG")
if [ -n "$tag_id" ] && ! is_ours "$TAG" && [ "$FORCE" -eq 0 ]; then
  say "$TAG exists and was not built by this script (a pulled official image?); leaving it"
  exit 0
fi
hash_id=$(image_id "$HASH_TAG")
if [ -n "$hash_id" ] && [ "$FORCE" -eq 0 ]; then
  [ "$tag_id" = "$hash_id" ] || docker tag "$HASH_TAG" "$TAG"
  say "up to date: $TAG = $HASH_TAG (${hash_id:7:12}); build skipped"
  exit 0
fi

debian_mirror() {
  # The first deb line (one-line or deb822 format) for a Debian release, i.e. what apt uses.
  python3 - "$@" <<'EOF'
import glob, re, sys
codenames = {"bullseye", "bookworm", "trixie", "forky", "sid"}
files = glob.glob("/etc/apt/sources.list") + sorted(glob.glob("/etc/apt/sources.list.d/*"))
for path in files:
    text = open(path, encoding="utf-8", errors="replace").read()
    if path.endswith(".sources"):
        for stanza in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"(?m)^([A-Za-z-]+):[ \t]*(.*)$", stanza))
            if ("deb" in fields.get("Types", "").split()
                    and codenames & set(fields.get("Suites", "").split())
                    and fields.get("Enabled", "yes") != "no" and fields.get("URIs")):
                print(fields["URIs"].split()[0]); sys.exit(0)
    elif path.endswith(".list"):
        for line in text.splitlines():
            words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] == "deb" and words[2] in codenames:
                print(words[1]); sys.exit(0)
sys.exit(1)
EOF
}
if [ -z "$MIRROR" ]; then
  MIRROR=$(debian_mirror) || die "found no Debian mirror in /etc/apt/sources.list*; pass --mirror URL"
fi

WORK=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
ROOT="$WORK/root"
cleanup() {
  # A failed debootstrap can leave /proc or /sys mounted inside the root: unmount first, and
  # never let rm cross into another file system.
  if [ -d "$ROOT" ]; then
    awk -v r="$ROOT/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r \
      | while read -r m; do umount -l "$m" || true; done
  fi
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# 1. The Debian root, cached as a tarball: debootstrap is the slow part (about a minute).
BASE_PACKAGES=python3,locales
BASE_KEY=$(printf '%s\n' "$RELEASE $DEB_ARCH $BASE_PACKAGES v2" | sha256sum | cut -c1-12)
BASE_TAR="$CACHE_DIR/debian-$RELEASE-$DEB_ARCH-python3-$BASE_KEY.tar"
mkdir -p "$ROOT"
if [ -f "$BASE_TAR" ]; then
  tar --numeric-owner -xpf "$BASE_TAR" -C "$ROOT"
  say "Debian $RELEASE root from cache $BASE_TAR"
else
  say "debootstrap --variant=minbase $RELEASE from $MIRROR ..."
  debootstrap --variant=minbase --arch="$DEB_ARCH" --include="$BASE_PACKAGES" \
    "$RELEASE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  # The official images run with LANG=en_US.UTF-8 and TZ=:/etc/localtime (UTC).
  chroot "$ROOT" localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8
  ln -sf /usr/share/zoneinfo/Etc/UTC "$ROOT/etc/localtime"
  # Docs, translations and the locale sources (compiled above) are half the root's size.
  find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
         "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* \
         "$ROOT"/usr/share/i18n
  tar --numeric-owner -cf "$BASE_TAR.partial" -C "$ROOT" . && mv "$BASE_TAR.partial" "$BASE_TAR"
  say "Debian $RELEASE root built and cached at $BASE_TAR"
fi
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
say "docker import $HASH_TAG ..."
tar --numeric-owner -c -C "$ROOT" . | docker import \
  --message "samlite scripts/build-lambda-image.sh: Debian $RELEASE, awslambdaric $RIC_VERSION" \
  --change 'ENV LANG=en_US.UTF-8' \
  --change 'ENV TZ=:/etc/localtime' \
  --change 'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin' \
  --change 'ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib' \
  --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
  --change 'ENV LAMBDA_RUNTIME_DIR=/var/runtime' \
  --change "LABEL samlite.content-hash=$CONTENT_HASH samlite.python=$PYTHON_VERSION samlite.awslambdaric=$RIC_VERSION samlite.debian=$RELEASE" \
  --change 'WORKDIR /var/task' \
  --change 'ENTRYPOINT ["/lambda-entrypoint.sh"]' \
  - "$HASH_TAG" >/dev/null

check=$(docker run --rm --network none --entrypoint /bin/sh "$HASH_TAG" -c \
  'PYTHONPATH=/var/runtime python3 -c "import runtime_client, awslambdaric.bootstrap, sys; print(sys.version.split()[0])" && /lambda-entrypoint.sh app.handler; echo "exit=$?"' 2>&1) || true
case "$check" in
  "$PYTHON_VERSION".*"no Runtime Interface Emulator"*"exit=1") ;;
  *) docker rmi "$HASH_TAG" >/dev/null 2>&1 || true
     die "the new image failed its check (runtime_client import, entrypoint):"$'\n'"$check" ;;
esac
say "checked: Python $(echo "$check" | head -n1), awslambdaric's runtime_client imports in the image"

docker tag "$HASH_TAG" "$TAG"
# Earlier builds for this Python version are no longer reachable by name; drop them.
docker images "$REPO" --format '{{.Repository}}:{{.Tag}}' \
  | grep -F "$REPO:${PYTHON_VERSION}-" | grep -vxF "$HASH_TAG" \
  | xargs -r docker rmi >/dev/null 2>&1 || true
size=$(docker image inspect --format '{{.Size}}' "$TAG")
say "built $TAG = $HASH_TAG ($(( size / 1000000 )) MB) in $(elapsed)s"
