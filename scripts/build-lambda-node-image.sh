#!/usr/bin/env bash
# Builds a Lambda-like Node.js image without any container registry and tags it with the
# official name (public.ecr.aws/lambda/nodejs:20-x86_64 by default), for machines that
# cannot pull from public.ecr.aws. The sibling of build-lambda-image.sh (Python): a Debian
# minbase root with Debian's nodejs (debootstrap, cached), AWS's runtime interface client
# aws-lambda-ric under /var/runtime, and the official image's layout: /var/task, /opt,
# /lambda-entrypoint.sh, /var/runtime/bootstrap (NODE_PATH, --expose-gc, the heap sized from
# the function's memory) and its environment. aws-lambda-ric builds native code (curl and
# aws-lambda-cpp, linked statically into an N-API addon): that happens in a throwaway copy
# of the root with the build tools, and only the package's runtime files are kept. No
# Runtime Interface Emulator inside. Skipped when an image with the same content hash exists.
# Needs root, debootstrap, docker and an npm that reaches the npm registry.
# Usage and background: docs/docker.md.
set -euo pipefail

SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
NODE_MAJOR=20
RIC_VERSION=3.3.0          # 3.x runs on node 18 and 20; 4.x needs node 22, which Debian lacks
# The node-gyp aws-lambda-ric pins (9.4) imports distutils, which trixie's Python 3.13 lacks;
# 10.x builds the same addon without it.
NODE_GYP_VERSION=10.3.1
TAG=""
MIRROR="${SAMLITE_DEBIAN_MIRROR:-}"
CACHE_DIR="${SAMLITE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/samlite}"
FORCE=0
REPO=samlite/lambda-nodejs  # the content-hash tags live here

usage() {
  cat <<EOF
Usage: $0 [--node 20] [--tag IMAGE] [--ric-version $RIC_VERSION] [--mirror URL]
          [--cache-dir DIR] [--force]

  --node MAJOR       Node.js of the image: 20 (Debian trixie) or 18 (bookworm)
  --tag IMAGE        name to tag (default public.ecr.aws/lambda/nodejs:MAJOR-ARCH)
  --ric-version V    aws-lambda-ric version (3.x) installed under /var/runtime
  --mirror URL       Debian mirror (default: the one apt uses here, from /etc/apt/sources.list*)
  --cache-dir DIR    where the Debian roots are cached (default ~/.cache/samlite)
  --force            rebuild even when an image with the same content hash exists, and
                     replace an image under --tag that this script did not build
EOF
}

LOG_NAME=build-lambda-node-image
# shellcheck source=scripts/lambda-image-lib.sh
source "$(dirname "$SCRIPT")/lambda-image-lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --node) NODE_MAJOR="${2:?--node needs a major version}"; shift 2 ;;
    --tag) TAG="${2:?--tag needs an image name}"; shift 2 ;;
    --ric-version) RIC_VERSION="${2:?--ric-version needs a version}"; shift 2 ;;
    --mirror) MIRROR="${2:?--mirror needs a URL}"; shift 2 ;;
    --cache-dir) CACHE_DIR="${2:?--cache-dir needs a folder}"; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# The image is honest about its version: each Debian release ships one nodejs major.
case "$NODE_MAJOR" in
  18) RELEASE=bookworm ;;
  20) RELEASE=trixie ;;
  *) die "no Debian release ships Node.js $NODE_MAJOR; use 18 or 20" ;;
esac
case "$RIC_VERSION" in
  3.*) ;;
  *) die "aws-lambda-ric $RIC_VERSION: only 3.x runs on Node.js 18 and 20" ;;
esac
detect_arch
TAG="${TAG:-public.ecr.aws/lambda/nodejs:${NODE_MAJOR}-${LAMBDA_ARCH}}"

require_tools debootstrap docker python3 npm tar chroot flock mount

# Everything that decides the image's content (and the scripts' own text).
CONTENT_HASH=$(content_hash "node $NODE_MAJOR" "aws-lambda-ric $RIC_VERSION" \
  "debian $RELEASE $DEB_ARCH")
HASH_TAG="$REPO:${NODE_MAJOR}-${CONTENT_HASH}"

lock_cache_dir
exit_if_current
make_work_dir
BUILD="$WORK/build"

# 1. The Debian root.
debian_root nodejs,locales nodejs v1
NODE_VERSION=$(chroot "$ROOT" /usr/bin/node --version) || die "the Debian $RELEASE root has no node"
[ "${NODE_VERSION%%.*}" = "v$NODE_MAJOR" ] \
  || die "Debian $RELEASE's node is $NODE_VERSION, not Node.js $NODE_MAJOR"

# 2. aws-lambda-ric, built in a copy of the root with the build tools (its install scripts
# compile curl and aws-lambda-cpp, then the addon with node-gyp against Debian's headers).
# The host's npm fetches the package and node-gyp; the root's node and compilers build.
# The addon uses N-API (node-addon-api), so it is not tied to one node release.
BUILD_PACKAGES="g++ make cmake autoconf automake libtool python3 libnode-dev"
BUILD_KEY=$(printf '%s\n' "$BASE_KEY $BUILD_PACKAGES" | sha256sum | cut -c1-12)
BUILD_TAR="$CACHE_DIR/debian-$RELEASE-$DEB_ARCH-nodejs-build-$BUILD_KEY.tar"
mkdir -p "$BUILD"
if [ -f "$BUILD_TAR" ]; then
  tar --numeric-owner -xpf "$BUILD_TAR" -C "$BUILD"
  say "build root from cache $BUILD_TAR"
else
  tar --numeric-owner -cf - -C "$ROOT" . | tar --numeric-owner -xpf - -C "$BUILD"
  cp /etc/resolv.conf "$BUILD/etc/resolv.conf"
  say "apt-get install $BUILD_PACKAGES (build root) ..."
  { chroot "$BUILD" apt-get update -q \
      && chroot "$BUILD" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
           --no-install-recommends $BUILD_PACKAGES; } >"$WORK/apt.log" 2>&1 \
    || { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install in the build root failed"; }
  rm -rf "$BUILD"/var/cache/apt/archives/*.deb
  tar --numeric-owner -cf "$BUILD_TAR.partial" -C "$BUILD" . && mv "$BUILD_TAR.partial" "$BUILD_TAR"
  say "build root cached at $BUILD_TAR"
fi
npm install --prefix "$BUILD/build" --ignore-scripts --no-audit --no-fund --no-save \
  --loglevel=error "aws-lambda-ric@$RIC_VERSION" "node-gyp@$NODE_GYP_VERSION" >"$WORK/npm.log" 2>&1 \
  || { tail -n 30 "$WORK/npm.log" >&2; die "npm could not fetch aws-lambda-ric@$RIC_VERSION"; }
mount -t proc proc "$BUILD/proc"
say "building aws-lambda-ric $RIC_VERSION (curl, aws-lambda-cpp, the addon) ..."
chroot "$BUILD" /bin/sh -c '
  set -e
  cd /build/node_modules/aws-lambda-ric
  ./scripts/preinstall.sh
  node ../node-gyp/bin/node-gyp.js rebuild --nodedir=/usr
  mkdir -p dist && cp build/Release/rapid-client.node dist/' >"$WORK/ric.log" 2>&1 \
  || { tail -n 40 "$WORK/ric.log" >&2; die "building aws-lambda-ric failed (log above)"; }
RIC="$ROOT/var/runtime/node_modules/aws-lambda-ric"
mkdir -p "$RIC"
for item in package.json LICENSE NOTICE THIRD-PARTY-LICENSES dist; do
  cp -a "$BUILD/build/node_modules/aws-lambda-ric/$item" "$RIC/"
done
say "aws-lambda-ric $RIC_VERSION built and installed at /var/runtime/node_modules"

# 3. The official image's layout.
mkdir -p "$ROOT/var/task" "$ROOT/opt" "$ROOT/var/lang/bin"
ln -sf /usr/bin/node "$ROOT/var/lang/bin/node"
cat >"$ROOT/lambda-entrypoint.sh" <<'EOF'
#!/bin/sh
# As the official image's entrypoint: the handler is the only argument. Without
# AWS_LAMBDA_RUNTIME_API the official image starts its Runtime Interface Emulator,
# which this locally built image (scripts/build-lambda-node-image.sh) does not have.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  echo "AWS_LAMBDA_RUNTIME_API is not set, and this image (built by samlite's" \
       "scripts/build-lambda-node-image.sh) has no Runtime Interface Emulator:" \
       "run it through samlite, or set AWS_LAMBDA_RUNTIME_API to a Runtime API host:port" 1>&2
  exit 1
fi
exec /var/runtime/bootstrap
EOF
cat >"$ROOT/var/runtime/bootstrap" <<EOF
#!/bin/bash
# Starts the Node.js runtime client as Lambda's nodejs bootstrap does: NODE_PATH (when the
# function did not set one) searches the layers' /opt/nodejs folders, then /var/runtime and
# the task root; --expose-gc, and V8's heap sized from the function's memory. A wrapper gets
# the command, "<node> <options> /var/runtime/index.mjs" (Lambda developer guide, "Wrapper
# scripts"). NODE_OPTIONS (e.g. samlite --debug's --inspect-brk) reaches node unchanged.
if [ -z "\$NODE_PATH" ]; then
  export NODE_PATH="/opt/nodejs/node$NODE_MAJOR/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task"
fi
export AWS_EXECUTION_ENV="\${AWS_EXECUTION_ENV:-AWS_Lambda_nodejs$NODE_MAJOR.x}"
args=(--expose-gc)
if [ -n "\$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" ]; then
  new_space=\$(( AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10 ))
  args+=(--max-semi-space-size=\$(( new_space / 2 )) \\
         --max-old-space-size=\$(( AWS_LAMBDA_FUNCTION_MEMORY_SIZE - new_space )))
fi
args+=(/var/runtime/index.mjs)
cd "\${LAMBDA_TASK_ROOT:-/var/task}" || exit 1
if [ -n "\$AWS_LAMBDA_EXEC_WRAPPER" ]; then
  [ -f "\$AWS_LAMBDA_EXEC_WRAPPER" ] || { echo "\$AWS_LAMBDA_EXEC_WRAPPER: does not exist"; exit 127; }
  [ -x "\$AWS_LAMBDA_EXEC_WRAPPER" ] || { echo "\$AWS_LAMBDA_EXEC_WRAPPER: is not an executable"; exit 126; }
  exec -- "\$AWS_LAMBDA_EXEC_WRAPPER" /var/lang/bin/node "\${args[@]}"
fi
exec /var/lang/bin/node "\${args[@]}"
EOF
cat >"$ROOT/var/runtime/index.mjs" <<'EOF'
// The runtime client for the handler in $_HANDLER (read after any wrapper ran, so it may
// change it), with the task root as the function's folder.
import { run } from "aws-lambda-ric";

await run(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER);
EOF
chmod 755 "$ROOT/lambda-entrypoint.sh" "$ROOT/var/runtime/bootstrap"

# 4. Import with the official image's configuration, then check it once before tagging.
import_image "samlite scripts/build-lambda-node-image.sh: Debian $RELEASE, node $NODE_VERSION, aws-lambda-ric $RIC_VERSION" \
  "samlite.node=$NODE_VERSION samlite.aws-lambda-ric=$RIC_VERSION samlite.debian=$RELEASE"

check=$(docker run --rm --network none --entrypoint /bin/sh "$HASH_TAG" -c \
  'cd /var/runtime && node --input-type=module -e "const ric = await import(\"aws-lambda-ric\"); console.log(process.version, typeof ric.run)" && /lambda-entrypoint.sh index.handler; echo "exit=$?"' 2>&1) || true
case "$check" in
  "v$NODE_MAJOR."*" function"*"no Runtime Interface Emulator"*"exit=1") ;;
  *) docker rmi "$HASH_TAG" >/dev/null 2>&1 || true
     die "the new image failed its check (aws-lambda-ric import, entrypoint):"$'\n'"$check" ;;
esac
say "checked: node $NODE_VERSION, aws-lambda-ric and its addon load in the image"

# Earlier builds for this Node.js version are no longer reachable by name: dropped.
tag_and_prune "$NODE_MAJOR"
