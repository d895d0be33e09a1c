"""PackageType Image functions: built from their Metadata (DockerContext, Dockerfile,
DockerTag) as `sam build` builds them, run with the image's own ENTRYPOINT and CMD unless
ImageConfig replaces them, rebuilt when their DockerContext changes, and refused clearly by
the process runtime. Tests that need an engine skip only when none answers (and fail under
SAMLITE_REQUIRE_DOCKER=1); the base image is the Lambda-like one of
scripts/build-lambda-image.sh."""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.app.reload import watch_roots
from samlite.app.root import App, AppOptions
from samlite.errors import EnvironmentStartError, SamliteError
from samlite.graph.model import ImageBuild, ImageConfig
from samlite.runtime.images import built_image_name

from .conftest import PYTHON_IMAGE, DockerImages

HANDLER = '''
def handler(event, context):
    return {{"version": {version}, "via": "handler"}}

def other(event, context):
    return {{"version": {version}, "via": "other"}}
'''


def write_project(folder: Path, *, tag: str, dockerfile: str | None = None) -> Path:
    """A template with two Image functions built from one tiny context: Fn runs the image's
    CMD, Overridden replaces it with ImageConfig.Command."""
    context = folder / "image"
    context.mkdir(parents=True)
    (context / "app.py").write_text(HANDLER.format(version=1), encoding="utf-8")
    (context / "Dockerfile").write_text(dockerfile or textwrap.dedent(f"""\
        FROM {PYTHON_IMAGE}
        COPY app.py ${{LAMBDA_TASK_ROOT}}
        CMD ["app.handler"]
        """), encoding="utf-8")
    metadata = ("    Metadata:\n      DockerContext: ./image\n      Dockerfile: Dockerfile\n"
                f"      DockerTag: {tag}\n")
    template = folder / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      PackageType: Image\n"
        "      Timeout: 10\n"
        f"{metadata}"
        "  Overridden:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      PackageType: Image\n"
        "      Timeout: 10\n"
        "      ImageConfig:\n"
        "        Command: [app.other]\n"
        f"{metadata}", encoding="utf-8")
    return template


def invoke(app: App, name: str) -> dict:
    return json.loads(app.invoke(name, b"{}").payload)


# --- without an engine ---------------------------------------------------------------------
def test_metadata_and_image_config_reach_the_spec(tmp_path: Path) -> None:
    template = write_project(tmp_path, tag="v1")
    app = App(template, AppOptions(runtime="process"))
    try:
        fn, overridden = sorted(app.functions, key=lambda spec: spec.logical_id != "Fn")
        assert fn.image_build == ImageBuild(docker_context=str(tmp_path / "image"),
                                            dockerfile="Dockerfile", docker_tag="v1")
        assert built_image_name(fn) == "fn:v1"
        assert overridden.image_config == ImageConfig(command=("app.other",))
        assert tmp_path / "image" in watch_roots(template, app.functions)
    finally:
        app.close()


def test_docker_tag_defaults_to_latest_as_in_sam_build(tmp_path: Path) -> None:
    template = write_project(tmp_path, tag="v1")
    template.write_text(template.read_text().replace("DockerTag: v1", ""), encoding="utf-8")
    app = App(template, AppOptions(runtime="process"))
    try:
        assert {built_image_name(spec) for spec in app.functions} == \
            {"fn:latest", "overridden:latest"}
    finally:
        app.close()


def test_the_process_runtime_says_image_functions_need_docker(tmp_path: Path) -> None:
    with App(write_project(tmp_path, tag="v1"), AppOptions(runtime="process")) as app, \
            pytest.raises(SamliteError, match=r"^Fn: PackageType Image functions run in their "
                                              r"container image; they need --runtime docker$"):
        app.invoke("Fn", b"{}")


# --- with an engine ------------------------------------------------------------------------
@pytest.fixture
def tag(docker_images: DockerImages) -> Iterator[str]:
    """A tag of its own for each test, and the images built with it removed afterwards."""
    from samlite.runtime.environments.docker import connect

    tag = f"samlite-test-{uuid.uuid4().hex[:8]}"
    yield tag
    client = connect()
    try:
        for name in ("fn", "overridden"):
            for image in client.images.list(name=f"{name}:{tag}"):
                client.images.remove(image.id, force=True)
    finally:
        client.close()


def test_an_image_function_is_built_and_runs_its_images_cmd(tmp_path: Path, tag: str) -> None:
    with App(write_project(tmp_path, tag=tag), AppOptions(runtime="docker")) as app:
        assert invoke(app, "Fn") == {"version": 1, "via": "handler"}
        assert invoke(app, "Overridden") == {"version": 1, "via": "other"}


def test_a_broken_dockerfile_is_one_clear_error(tmp_path: Path, tag: str) -> None:
    dockerfile = f"FROM {PYTHON_IMAGE}\nCOPY missing.py ${{LAMBDA_TASK_ROOT}}\n"
    template = write_project(tmp_path, tag=tag, dockerfile=dockerfile)
    with App(template, AppOptions(runtime="docker")) as app, \
            pytest.raises(EnvironmentStartError) as caught:
        app.service.invoke("Fn", b"{}")
    message = str(caught.value)
    assert message.startswith(f"Fn: building its image from {tmp_path / 'image/Dockerfile'} "
                              "failed: ")
    assert "missing.py" in message
    assert "\n    Step 2/2 : COPY missing.py ${LAMBDA_TASK_ROOT}" in message   # the log's end


def test_a_change_in_the_context_rebuilds_and_recycles_that_function(
        tmp_path: Path, tag: str) -> None:
    with App(write_project(tmp_path, tag=tag), AppOptions(runtime="docker")) as app:
        assert invoke(app, "Fn")["version"] == 1
        source = tmp_path / "image" / "app.py"
        source.write_text(HANDLER.format(version=2), encoding="utf-8")
        line = app.reload(frozenset({source}))
        assert line == "Fn, Overridden: image/app.py changed"
        assert invoke(app, "Fn") == {"version": 2, "via": "handler"}
        assert invoke(app, "Overridden") == {"version": 2, "via": "other"}


def test_an_image_uri_alone_runs_that_image(tmp_path: Path, docker_images: DockerImages) -> None:
    template = tmp_path / "template.yaml"
    # The base image has no code of ours: a standard-library function taking (event, context)
    # is a handler too.
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      PackageType: Image\n"
        f"      ImageUri: {docker_images.python}\n"
        "      ImageConfig:\n"
        "        Command: [operator.is_]\n", encoding="utf-8")
    with App(template, AppOptions(runtime="docker")) as app:
        assert app.invoke("Fn", b"{}").payload == b"false"
