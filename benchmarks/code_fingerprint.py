"""What deciding "did this function's code really change?" costs a save in `samlite up`:
the content digest of a code folder (app/code_fingerprint.py), first when `up` starts
watching (every file read) and then on a save (only files whose size or mtime moved are
read again). A folder of FILES files of 4 KiB, as a function with vendored packages has.
Run:  python3 benchmarks/code_fingerprint.py        (--files N to change the folder's size)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from samlite.app.code_fingerprint import CodeFingerprints
from samlite.runtime.spec import FunctionSpec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    files = parser.parse_args().files
    with tempfile.TemporaryDirectory() as temp:
        code = Path(temp) / "src"
        for index in range(files):
            folder = code / f"pkg{index % 50}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"m{index}.py").write_bytes(bytes([index % 256]) * 4096)
        fn = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                          runtime="python3.12", code_dir=code, publishes_versions=True)
        fingerprints = CodeFingerprints()
        started = time.perf_counter()
        fingerprints.remember([fn])
        first_ms = (time.perf_counter() - started) * 1000
        saves = []
        for round_ in range(20):
            (code / "pkg0" / "m0.py").write_bytes(f"v = {round_}\n".encode())
            started = time.perf_counter()
            fingerprints.changed(fn)
            saves.append((time.perf_counter() - started) * 1000)
    print(f"{files} files of 4 KiB: first digest {first_ms:.1f} ms; "
          f"on a save (median of 20) {statistics.median(saves):.1f} ms")


if __name__ == "__main__":
    main()
