"""The container image a function runs in: for Zip functions, AWS's base image for its Runtime
and Architecture, named exactly as SAM CLI names it; for Image functions, the image built from
their Metadata, tagged as `sam build` tags it, else their ImageUri. Pure.

Follows SAM CLI's `Runtime.get_image_name_tag` (samcli/local/docker/lambda_image.py) and its
table of runtimes published for both architectures (samcli/lib/utils/architecture.py):
python3.12 + x86_64 -> public.ecr.aws/lambda/python:3.12-x86_64, nodejs20.x ->
nodejs:20-…, dotnet8 -> dotnet:8-…, provided.al2023 -> provided:al2023-…, provided ->
provided:alami. Runtimes published for x86_64 only carry no architecture in their tag.
"""

from __future__ import annotations

import re

from samlite.runtime.spec import FunctionSpec

REPOSITORY = "public.ecr.aws/lambda"
# SAM CLI's runtimes with an x86_64 image only, and the ones that were retired before arm64
# images existed (SAM CLI's table does not know them, so it adds no architecture either).
_X86_ONLY = frozenset({
    "python3.7", "python3.6", "python2.7", "java8", "go1.x", "provided",
    "nodejs10.x", "nodejs8.10", "nodejs6.10", "nodejs4.3", "nodejs4.3-edge", "nodejs",
    "ruby2.5", "dotnetcore2.1", "dotnetcore2.0", "dotnetcore1.0",
})
_NAME_VERSION = re.compile(r"^([a-z]+)([0-9][a-z0-9.]*)$")


def image_tag(runtime: str, architecture: str = "x86_64") -> str:
    """`python:3.12-x86_64`, `nodejs:20-arm64`, `provided:al2023-x86_64`, `java:8`."""
    if runtime == "provided":
        tag = "provided:alami"
    elif runtime.startswith("provided"):
        tag = runtime.replace(".", ":")
    elif runtime.startswith("dotnet"):
        tag = runtime.replace("dotnet", "dotnet:")
    else:
        tag = _NAME_VERSION.sub(r"\1:\2", runtime).replace(".x", "")
    if runtime in _X86_ONLY:
        return tag
    return f"{tag}-{architecture}"


def runtime_image(runtime: str, architecture: str = "x86_64") -> str:
    """The base image SAM CLI runs a Zip function of this runtime in."""
    return f"{REPOSITORY}/{image_tag(runtime, architecture)}"


def image_for(spec: FunctionSpec) -> str:
    """The image a function runs in: for PackageType Image the one samlite builds from its
    Metadata, else its ImageUri; for Zip its runtime's."""
    if spec.package_type == "Image":
        if spec.image_build is not None:
            return built_image_name(spec)
        return spec.image_uri or ""
    return runtime_image(spec.runtime, spec.architecture)


def built_image_name(spec: FunctionSpec) -> str:
    """`hellofunction:latest`: the tag `sam build` gives an image it builds from Metadata
    (DockerImage, else the logical id, lower-cased; then DockerTag)."""
    build = spec.image_build
    if build is None:
        raise ValueError(f"{spec.logical_id} has no Metadata to build an image from")
    return f"{(build.image_name or spec.logical_id).lower()}:{build.docker_tag}"


def docker_platform(architecture: str) -> str:
    """The platform an image is built for (SAM CLI's get_docker_platform)."""
    return "linux/arm64" if architecture == "arm64" else "linux/amd64"
