"""Layer ARNs as a user meets them: a Powertools layer works in a handler, `--layer ARN=PATH`
(and samconfig.toml's `layer` list) stands a folder or a requirements file in for any ARN,
and an ARN nothing stands for is named at startup with the flag that maps it. Installs reach
the package index, as users' do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from samlite.cli.main import main

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
POWERTOOLS = ("arn:aws:lambda:us-east-1:017000801446:layer:"
              f"AWSLambdaPowertoolsPythonV3-{OWN.replace('.', '')}-x86_64:3")
SHARED = "arn:aws:lambda:us-east-1:123456789012:layer:shared:7"
NOBODY = "arn:aws:lambda:us-east-1:123456789012:layer:nobody-maps-me:1"
NO_UP = ("--aws-endpoint-url", "http://127.0.0.1:9")   # never a developer's running up


def write_app(project: Path, handler: str, layers: tuple[str, ...]) -> Path:
    (project / "src").mkdir(parents=True, exist_ok=True)
    (project / "src" / "app.py").write_text(handler)
    listed = "".join(f"        - {arn}\n" for arn in layers)
    template = project / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      Handler: app.handler\n      Runtime: {OWN}\n      CodeUri: src\n"
        f"      Layers:\n{listed}")
    return template


def invoke(template: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["invoke", "-t", str(template), *NO_UP, *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_powertools_layer_arn_gives_the_handler_the_release_that_layer_ships(
        tmp_path: Path) -> None:
    template = write_app(tmp_path, (
        "from aws_lambda_powertools import Logger\n"
        "from aws_lambda_powertools.shared.version import VERSION\n"
        "logger = Logger(service='orders')\n"
        "def handler(event, context):\n"
        "    logger.info('from powertools')\n"
        "    return VERSION\n"), (POWERTOOLS,))
    code, out, err = invoke(template)
    assert code == 0, err
    assert json.loads(out) == "3.2.0"   # layer version 3 of V3 ships v3.2.0
    logged = next(line for line in err.splitlines() if "from powertools" in line)
    assert json.loads(logged.split(" | ", 1)[1])["service"] == "orders"


def test_an_arn_mapped_to_a_folder_runs_from_it_and_an_unmapped_one_is_named(
        tmp_path: Path) -> None:
    (tmp_path / "shared" / "python").mkdir(parents=True)
    (tmp_path / "shared" / "python" / "shared_code.py").write_text("WHERE = 'my folder'\n")
    template = write_app(tmp_path, "import shared_code\n"
                                   "def handler(event, context):\n"
                                   "    return shared_code.WHERE\n", (SHARED, NOBODY))
    code, out, err = invoke(template, "--layer", f"{SHARED}={tmp_path / 'shared'}")
    assert code == 0, err
    assert json.loads(out) == "my folder"
    assert (f"warning: {template}:11: Fn.Layers: {NOBODY} cannot be downloaded here; "
            f"map it to the layer's folder or a requirements file: --layer {NOBODY}=PATH"
            ) in err


def test_samconfig_maps_an_arn_to_a_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "layer-requirements.txt").write_text("tabulate==0.9.0\n")
    (tmp_path / "samconfig.toml").write_text(
        f'version = 0.1\n[default.up.parameters]\nlayer = ["{SHARED}=layer-requirements.txt"]\n')
    template = write_app(tmp_path, "import tabulate\n"
                                   "def handler(event, context):\n"
                                   "    return tabulate.__version__\n", (SHARED,))
    code, out, err = invoke(template)
    assert code == 0, err
    assert json.loads(out) == "0.9.0"


def test_a_bad_layer_flag_is_a_clear_error(tmp_path: Path) -> None:
    template = write_app(tmp_path, "def handler(event, context):\n    return 1\n", (SHARED,))
    code, _, err = invoke(template, "--layer", f"{SHARED}=no/such/folder")
    assert code != 0
    assert f"--layer '{SHARED}=no/such/folder': " in err
    assert "does not exist" in err
    assert "Traceback" not in err


def test_up_names_every_layer_arn_in_its_startup_table(tmp_path: Path) -> None:
    (tmp_path / "shared" / "python").mkdir(parents=True)
    template = write_app(tmp_path, "def handler(event, context):\n    return 1\n",
                         (SHARED, NOBODY))
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
         "--no-watch", "--layer", f"{SHARED}=shared"],
        cwd=template.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout or ():
            lines.append(line.rstrip("\n"))
            if line.startswith("samlite is ready"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(30), "\n".join(lines)
    finally:
        process.terminate()
        process.wait(10)
    text = "\n".join(lines)
    assert "Fn        shared:7  shared (--layer)" in text
    not_local = lines[lines.index("Not run locally") + 1]
    assert not_local == (f"  template.yaml:11: Fn.Layers (layer ARN): {NOBODY} cannot be "
                         "downloaded here; map it to the layer's folder or a requirements "
                         f"file: --layer {NOBODY}=PATH")
