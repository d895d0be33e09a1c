"""The image each runtime runs in, as SAM CLI names AWS's base images."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.runtime.images import image_for, runtime_image
from samlite.runtime.spec import FunctionSpec


@pytest.mark.parametrize(("case", "runtime", "architecture", "image"), [
    ("python", "python3.12", "x86_64", "public.ecr.aws/lambda/python:3.12-x86_64"),
    ("python on Graviton", "python3.13", "arm64", "public.ecr.aws/lambda/python:3.13-arm64"),
    ("nodejs drops .x", "nodejs20.x", "x86_64", "public.ecr.aws/lambda/nodejs:20-x86_64"),
    ("nodejs 22", "nodejs22.x", "arm64", "public.ecr.aws/lambda/nodejs:22-arm64"),
    ("java", "java21", "x86_64", "public.ecr.aws/lambda/java:21-x86_64"),
    ("java 8 on AL2", "java8.al2", "arm64", "public.ecr.aws/lambda/java:8.al2-arm64"),
    ("ruby", "ruby3.3", "x86_64", "public.ecr.aws/lambda/ruby:3.3-x86_64"),
    ("dotnet", "dotnet8", "x86_64", "public.ecr.aws/lambda/dotnet:8-x86_64"),
    ("provided.al2023", "provided.al2023", "x86_64",
     "public.ecr.aws/lambda/provided:al2023-x86_64"),
    ("provided.al2", "provided.al2", "arm64", "public.ecr.aws/lambda/provided:al2-arm64"),
    ("provided (Amazon Linux 1)", "provided", "x86_64", "public.ecr.aws/lambda/provided:alami"),
    ("x86_64-only python3.7", "python3.7", "x86_64", "public.ecr.aws/lambda/python:3.7"),
    ("x86_64-only go1.x", "go1.x", "x86_64", "public.ecr.aws/lambda/go:1"),
    ("x86_64-only java8", "java8", "x86_64", "public.ecr.aws/lambda/java:8"),
])
def test_runtime_images_are_sam_clis(case: str, runtime: str, architecture: str,
                                     image: str) -> None:
    assert runtime_image(runtime, architecture) == image


def test_an_image_function_runs_its_own_image() -> None:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="", runtime="",
                        code_dir=Path("/nowhere"), package_type="Image",
                        image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1")
    assert image_for(spec) == "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"


def test_a_zip_function_runs_its_runtimes_image() -> None:
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime="python3.12", code_dir=Path("/nowhere"), architecture="arm64")
    assert image_for(spec) == "public.ecr.aws/lambda/python:3.12-arm64"
