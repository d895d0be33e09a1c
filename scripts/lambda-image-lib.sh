# Shared by build-lambda-image.sh (Python) and build-lambda-node-image.sh (Node.js): what
# building a Lambda-like image from a Debian root takes whatever the runtime is — logging,
# the machine's architecture, the private cache folder and its lock, the content-hash tags,
# apt's Debian mirror, the cached debootstrap root, the import with the official image's
# configuration, and the tags. Sourced, not run. The sourcing script sets LOG_NAME, SCRIPT,
# CACHE_DIR, TAG, REPO and FORCE first.

LIB="$(readlink -f "${BASH_SOURCE[0]}")"
START_NS=$(date +%s%N)

die() { echo "$LOG_NAME: $*" >&2; exit 1; }
say() { printf '%s: [%5.1fs] %s\n' "$LOG_NAME" "$(elapsed)" "$*"; }
elapsed() { awk -v s="$START_NS" -v n="$(date +%s%N)" 'BEGIN { printf "%.1f", (n - s) / 1e9 }'; }

detect_arch() {   # sets DEB_ARCH and LAMBDA_ARCH
  case "$(uname -m)" in
    x86_64) DEB_ARCH=amd64; LAMBDA_ARCH=x86_64 ;;
    aarch64) DEB_ARCH=arm64; LAMBDA_ARCH=arm64 ;;
    *) die "unsupported machine $(uname -m); Lambda runs x86_64 and arm64" ;;
  esac
}

require_tools() {   # root, the named host tools, and a Docker engine that answers
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it); try: sudo $SCRIPT"
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install $tool)"
  done
  docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info); start it first"
}

content_hash() {   # everything that decides the image's content: both scripts' text and "$@"
  printf '%s\n' "script $(sha256sum <"$SCRIPT" | cut -d' ' -f1)" \
    "lib $(sha256sum <"$LIB" | cut -d' ' -f1)" "$@" | sha256sum | cut -c1-12
}

lock_cache_dir() {
  # The cached Debian root becomes the image: the folder must be ours and writable by no one
  # else, or another local user could plant a root first (issue 13; as samlite's
  # private_dirs.py).
  mkdir -p -m 700 "$CACHE_DIR"
  [ -d "$CACHE_DIR" ] && [ ! -L "$CACHE_DIR" ] && [ "$(stat -c %u "$CACHE_DIR")" = "$(id -u)" ] \
    && [ -z "$(find "$CACHE_DIR" -maxdepth 0 -perm /022)" ] \
    || die "$CACHE_DIR is not a folder only you own and can write; remove it or pass --cache-dir"
  chmod 700 "$CACHE_DIR"
  exec 9>"$CACHE_DIR/build.lock"
  flock -w 900 9 || die "another build holds $CACHE_DIR/build.lock for over 15 minutes"
}

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
is_ours() {
  [ -n "$(docker image inspect --format '{{with .Config.Labels}}{{index . "samlite.content-hash"}}{{end}}' \
          "$1" 2>/dev/null || true)" ]
}

exit_if_current() {   # leaves a foreign image under TAG alone; skips a build already made
  local tag_id hash_id
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
}

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

make_work_dir() {   # sets WORK and ROOT; both go when the script exits
  if [ -z "$MIRROR" ]; then
    MIRROR=$(debian_mirror) || die "found no Debian mirror in /etc/apt/sources.list*; pass --mirror URL"
  fi
  WORK=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
  ROOT="$WORK/root"
  trap remove_work_dir EXIT
}

remove_work_dir() {
  # A failed debootstrap or a build root can leave /proc or /sys mounted under the folder:
  # unmount first, and never let rm cross into another file system.
  awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$WORK"
}

debian_root() {   # PACKAGES NAME KEY_VERSION: the Debian root in ROOT, cached as a tarball;
  # sets BASE_KEY, its cache key, for what a script caches on top of it
  local packages=$1 name=$2 key_version=$3
  # debootstrap is the slow part (a minute or two), so its result is kept.
  BASE_KEY=$(printf '%s\n' "$RELEASE $DEB_ARCH $packages $key_version" | sha256sum | cut -c1-12)
  local tarball="$CACHE_DIR/debian-$RELEASE-$DEB_ARCH-$name-$BASE_KEY.tar"
  mkdir -p "$ROOT"
  if [ -f "$tarball" ]; then
    tar --numeric-owner -xpf "$tarball" -C "$ROOT"
    say "Debian $RELEASE root from cache $tarball"
    return
  fi
  say "debootstrap --variant=minbase $RELEASE from $MIRROR ..."
  debootstrap --variant=minbase --arch="$DEB_ARCH" --include="$packages" \
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
  tar --numeric-owner -cf "$tarball.partial" -C "$ROOT" . && mv "$tarball.partial" "$tarball"
  say "Debian $RELEASE root built and cached at $tarball"
}

import_image() {   # MESSAGE LABELS: ROOT imported as HASH_TAG with the official configuration
  say "docker import $HASH_TAG ..."
  tar --numeric-owner -c -C "$ROOT" . | docker import \
    --message "$1" \
    --change 'ENV LANG=en_US.UTF-8' \
    --change 'ENV TZ=:/etc/localtime' \
    --change 'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin' \
    --change 'ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib' \
    --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
    --change 'ENV LAMBDA_RUNTIME_DIR=/var/runtime' \
    --change "LABEL samlite.content-hash=$CONTENT_HASH $2" \
    --change 'WORKDIR /var/task' \
    --change 'ENTRYPOINT ["/lambda-entrypoint.sh"]' \
    - "$HASH_TAG" >/dev/null
}

tag_and_prune() {   # VERSION: TAG names the new image; older builds of VERSION are dropped
  docker tag "$HASH_TAG" "$TAG"
  docker images "$REPO" --format '{{.Repository}}:{{.Tag}}' \
    | grep -F "$REPO:$1-" | grep -vxF "$HASH_TAG" \
    | xargs -r docker rmi >/dev/null 2>&1 || true
  local size
  size=$(docker image inspect --format '{{.Size}}' "$TAG")
  say "built $TAG = $HASH_TAG ($(( size / 1000000 )) MB) in $(elapsed)s"
}
