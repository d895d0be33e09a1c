"""Which Python a pythonX.Y function runs on in the process runtime, and the AWS SDK it
finds there (Lambda's runtimes include boto3)."""

from __future__ import annotations

import subprocess
import sys

from samlite.runtime.environments.python import _real_python, aws_sdk_dir, python_for


def test_the_sdk_folder_gives_another_python_boto3() -> None:
    folder = aws_sdk_dir()
    assert folder is not None
    assert (folder / "boto3").is_dir() and (folder / "botocore").is_dir()
    other = next((p for v in ("3.13", "3.12", "3.10") if (p := _real_python(f"python{v}"))),
                 None)
    interpreter = other or sys.executable
    done = subprocess.run(
        [interpreter, "-S", "-c", "import boto3; print(boto3.__version__)"],
        env={"PYTHONPATH": str(folder)}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_a_runtime_of_samlites_own_version_runs_on_samlites_interpreter() -> None:
    assert python_for(f"python{sys.version_info.major}.{sys.version_info.minor}") == \
        sys.executable
