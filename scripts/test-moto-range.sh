#!/usr/bin/env bash
# CI: samlite against both ends of the moto range pyproject.toml claims. samlite subclasses
# moto's backends and hands its response classes a request object (moto internals), so a
# release inside the range can break it; the ends are where a break shows first. Installs
# samlite's dev extra into a throwaway venv, then each end of the range over it in turn,
# and runs tests/aws (the moto-backed services, in-process) with each.
#
# LOWEST must be the range's lower bound and HIGHEST the newest release it admits (they are
# checked against pyproject.toml here, and by tests/test_scripts.py); when moto releases
# inside the range, try it (README's test command with moto==X) and move HIGHEST up.
set -euo pipefail
cd "$(dirname "$0")/.."

LOWEST=5.2.0
HIGHEST=5.2.3

die() { echo "test-moto-range: $*" >&2; exit 1; }

# The requirement as pyproject.toml states it: its extras, and whether each end is inside it.
moto_requirement() {
  python3 - "$@" <<'EOF'
import sys, tomllib
from packaging.requirements import Requirement

deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
moto = next(Requirement(d) for d in deps if Requirement(d).name == "moto")
outside = [v for v in sys.argv[1:] if v not in moto.specifier]
if outside:
    sys.exit(f"moto {', '.join(outside)} is outside pyproject.toml's {moto.specifier}")
print(",".join(sorted(moto.extras)))
EOF
}

VENV="$(mktemp -d)"
trap 'rm -rf "$VENV"' EXIT
python3 -m venv "$VENV"
# shellcheck disable=SC1091
. "$VENV/bin/activate"
pip install -q -e ".[dev]"
EXTRAS="$(moto_requirement "$LOWEST" "$HIGHEST")" || die "update LOWEST/HIGHEST in $0"

for version in "$LOWEST" "$HIGHEST"; do
  pip install -q "moto[$EXTRAS]==$version"
  installed="$(python -c 'import moto; print(moto.__version__)')"
  [ "$installed" = "$version" ] || die "asked for moto $version, got $installed"
  echo "== test-moto-range: moto $version: pytest tests/aws"
  started=$(date +%s)
  pytest -q -p no:cacheprovider tests/aws
  echo "== test-moto-range: moto $version passed in $(( $(date +%s) - started )) s"
done
