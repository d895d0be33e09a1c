"""The code a function runs when its template gives no folder: `InlineCode` and
`Code.ZipFile` written as Lambda writes them (one file named `index` with the runtime's
extension, alone in the task root), and a `CodeUri` / `Code` that is a .zip archive,
extracted as Lambda unpacks it. Each goes to a content-addressed folder under `root`, made
once and never written again, so environments can share it.

Lambda developer guide, "AWS::Lambda::Function Code": ZipFile "writes the source to a file
named index"; SAM's InlineCode becomes that ZipFile. Python source with the exact statement
`import cfnresponse` gets the `cfnresponse` module beside it ("cfn-response module",
CloudFormation user guide: other import forms do not get it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from pathlib import Path

from samlite.errors import SamliteError
from samlite.graph.model import Function

INLINE_EXTENSIONS = {"python": ".py", "nodejs": ".js"}
CFN_RESPONSE = Path(__file__).with_name("cfnresponse.py")


class CodeArchiveError(SamliteError):
    """A function's .zip code archive cannot be read."""


def code_dir_for(fn: Function, *, project_dir: Path, root: Path) -> Path | None:
    """The folder `fn` runs from when its code is inline or a .zip archive; None when its
    code is a folder (or nothing samlite can run: the template names it)."""
    if fn.inline_code is not None:
        extension = next((ext for prefix, ext in INLINE_EXTENSIONS.items()
                          if (fn.runtime or "").startswith(prefix)), None)
        if extension is None:
            return None
        extra = {"cfnresponse.py": CFN_RESPONSE.read_bytes()} \
            if extension == ".py" and "import cfnresponse" in fn.inline_code else {}
        return _inline_dir(root, {f"index{extension}": fn.inline_code.encode(), **extra})
    if fn.code_uri and fn.code_uri.lower().endswith(".zip"):
        archive = project_dir / fn.code_uri
        if archive.is_file():
            return _extracted(root, archive, label=fn.logical_id)
    return None


def _inline_dir(root: Path, files: dict[str, bytes]) -> Path:
    digest = hashlib.sha256(b"\0".join(part for name, data in sorted(files.items())
                                       for part in (name.encode(), data))).hexdigest()[:20]
    target = root / f"inline-{digest}"
    if not target.is_dir():
        with _staging(root, target) as staging:
            for name, data in files.items():
                (staging / name).write_bytes(data)
    return target


def _extracted(root: Path, archive: Path, *, label: str) -> Path:
    data = archive.read_bytes()
    target = root / f"zip-{hashlib.sha256(data).hexdigest()[:20]}"
    if target.is_dir():
        return target
    try:
        with zipfile.ZipFile(archive) as opened, _staging(root, target) as staging:
            for member in opened.infolist():
                # extract() drops absolute and ".." parts, so nothing lands outside.
                path = Path(opened.extract(member, staging))
                mode = member.external_attr >> 16
                if mode and not member.is_dir() and stat.S_ISREG(mode):
                    path.chmod(stat.S_IMODE(mode) | stat.S_IRUSR)   # a bootstrap stays runnable
    except (zipfile.BadZipFile, OSError) as exc:
        raise CodeArchiveError(f"{label}: code archive {archive} cannot be unpacked: {exc}") \
            from exc
    return target


class _staging:
    """A private folder that becomes `target` in one rename when the block succeeds."""

    def __init__(self, root: Path, target: Path) -> None:
        self._root, self._target = root, target
        self._path = root / f".staging-{target.name}-{os.getpid()}"

    def __enter__(self) -> Path:
        self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.rmtree(self._path, ignore_errors=True)
        self._path.mkdir()
        return self._path

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self._path.rename(self._target)
            except OSError:   # another samlite made the same folder meanwhile: theirs stays
                if not self._target.is_dir():
                    raise
        shutil.rmtree(self._path, ignore_errors=True)
