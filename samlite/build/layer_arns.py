"""What a layer ARN in a function's `Layers` is, locally: a folder or requirements file the
user mapped it to, an AWS-published Powertools for AWS Lambda (Python) layer (installed from
the package index), or neither. Pure: no downloads, no installs.

Layer version ARNs look like `arn:aws:lambda:us-east-1:017000801446:layer:NAME:VERSION`
(Lambda API reference, "LayerVersionArn": arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}(-gov)?-[a-z]+-
\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import ConfigError

LAYER_FLAG = "--layer"
# The pattern of LayerVersionArn in the Lambda API reference (GetLayerVersionByArn).
_LAYER_VERSION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}(-gov)?-[a-z]+-\d)"
    r":(?P<account>\d{12}):layer:(?P<name>[a-zA-Z0-9_-]+):(?P<version>[0-9]+)")

# The account that publishes Powertools for AWS Lambda (Python) layers in the commercial
# regions (docs/index.md of aws-powertools/powertools-lambda-python).
POWERTOOLS_ACCOUNT = "017000801446"
POWERTOOLS_PACKAGE = "aws-lambda-powertools"
# The layers hold the package with all its extras: their stacks build them with
# include_extras=True (layer_v3/layer/layer_stack.py), and docs/index.md tells layer users to
# add "aws-lambda-powertools[all]" as a development dependency to match it.
POWERTOOLS_EXTRAS = "all"
# V1 "AWSLambdaPowertoolsPython", V2 "AWSLambdaPowertoolsPythonV2[-Arm64]" and V3
# "AWSLambdaPowertoolsPythonV3-python312-x86_64|arm64" (named "-x86" before v3.1.0).
_POWERTOOLS_NAME = re.compile(
    r"AWSLambdaPowertoolsPython(?:V(?P<major>[23]))?"
    r"(?:-Arm64|-python3\d+-(?:x86_64|x86|arm64))?")

# Layer version -> package version, for the versions whose package the Powertools docs'
# history tells: each release's workflow rewrites the layer ARNs of docs/index.md (commits
# "chore: update v2 layer ARN on documentation", "chore(ci): layer docs update", "docs(layer):
# update layer version number - vX.Y.Z"); an entry is kept only where the newest release
# tagged before that commit and the version in pyproject.toml at that commit agree, or the
# commit names the version. Numbers are eu-central-1's, which the docs use for every region
# (all regions share them since v2.29.1, "make the Lambda Layer version consistent"). A
# number not here gets the newest release of its major version.
POWERTOOLS_RELEASES: Mapping[int, Mapping[int, str]] = {
    2: {11: "2.0.0", 13: "2.1.0", 14: "2.3.0", 15: "2.3.1", 16: "2.4.0", 17: "2.5.0",
        18: "2.6.0", 19: "2.7.0", 20: "2.7.1", 21: "2.8.0", 22: "2.9.0", 23: "2.9.1",
        24: "2.10.0", 25: "2.11.0", 26: "2.12.0", 30: "2.14.0", 31: "2.14.1", 32: "2.15.0",
        33: "2.16.1", 34: "2.16.2", 35: "2.17.0", 38: "2.20.0", 40: "2.22.0", 41: "2.23.0",
        42: "2.23.1", 47: "2.26.1", 48: "2.27.0", 50: "2.28.0", 51: "2.28.1", 55: "2.29.1",
        56: "2.30.0", 57: "2.30.1", 58: "2.30.2", 59: "2.31.0", 60: "2.32.0", 62: "2.33.1",
        66: "2.35.0", 67: "2.35.1", 69: "2.37.0", 71: "2.38.1"},
    3: {2: "3.1.0", 3: "3.2.0"},
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LayerArn:
    arn: str
    region: str
    account: str
    name: str
    version: int

    @property
    def short(self) -> str:
        """"AWSLambdaPowertoolsPythonV2:79": what a table has room for."""
        return f"{self.name}:{self.version}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MappedFolder:
    """The user's folder stands for the layer: its content, as a LayerVersion's ContentUri
    (Python packages under `python/`)."""

    arn: LayerArn
    folder: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class MappedRequirements:
    """The user's requirements file stands for the layer: installed, then on the path as
    the layer's `python/` folder."""

    arn: LayerArn
    requirements: Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Powertools:
    """An AWS-published Powertools for AWS Lambda (Python) layer."""

    arn: LayerArn
    major: int
    version: str | None     # the release the layer version ships; None: not known here

    @property
    def requirement(self) -> str:
        """The pip requirement that installs what the layer holds."""
        package = f"{POWERTOOLS_PACKAGE}[{POWERTOOLS_EXTRAS}]"
        if self.version is not None:
            return f"{package}=={self.version}"
        return f"{package}>={self.major},<{self.major + 1}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown:
    """Neither mapped nor known: not run locally, and the flag that would map it."""

    arn: str

    @property
    def flag(self) -> str:
        return f"{LAYER_FLAG} {self.arn}=PATH"


LayerSource = MappedFolder | MappedRequirements | Powertools | Unknown


def parse_layer_arn(text: str) -> LayerArn | None:
    """The parts of a layer version ARN, else None."""
    match = _LAYER_VERSION_ARN.fullmatch(text.strip())
    if match is None:
        return None
    return LayerArn(arn=text.strip(), region=match["region"], account=match["account"],
                    name=match["name"], version=int(match["version"]))


def classify(arn: str, mappings: Mapping[str, Path]) -> LayerSource:
    """What `arn` is locally. `mappings` is `--layer ARN=PATH` (absolute paths); a mapping
    wins over samlite's own knowledge, so a user can pin any layer to their own copy."""
    parsed = parse_layer_arn(arn)
    mapped = mappings.get(arn.strip())
    if parsed is None:
        return Unknown(arn=arn)
    if mapped is not None:
        if mapped.is_dir():
            return MappedFolder(arn=parsed, folder=mapped)
        return MappedRequirements(arn=parsed, requirements=mapped)
    return powertools(parsed) or Unknown(arn=arn)


def powertools(arn: LayerArn) -> Powertools | None:
    """The Powertools layer `arn` names, with the release it ships where that is known."""
    match = _POWERTOOLS_NAME.fullmatch(arn.name)
    if arn.account != POWERTOOLS_ACCOUNT or match is None:
        return None
    major = int(match["major"] or 1)
    return Powertools(arn=arn, major=major,
                      version=POWERTOOLS_RELEASES.get(major, {}).get(arn.version))


def parse_layer_mapping(text: str, *, base: Path, where: str = LAYER_FLAG) -> tuple[str, Path]:
    """`ARN=PATH` (the --layer flag, samconfig.toml's `layer` list) -> (ARN, absolute PATH);
    a relative PATH is taken from `base`. ConfigError, saying what is wrong, otherwise."""
    arn, sep, path = text.partition("=")   # an ARN never holds "="; a path may
    arn, path = arn.strip(), path.strip()
    if not sep or not arn or not path:
        raise ConfigError(f"{where} {text!r}: expected ARN=PATH, e.g. "
                          "arn:aws:lambda:us-east-1:123456789012:layer:shared:3=./layers/shared")
    if parse_layer_arn(arn) is None:
        raise ConfigError(f"{where} {text!r}: {arn!r} is not a layer version ARN "
                          "(arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)")
    resolved = (base / path).resolve()
    if not resolved.exists():
        raise ConfigError(f"{where} {text!r}: {resolved} does not exist (give the layer's "
                          "folder, with its packages under python/, or a requirements file)")
    return arn, resolved


def layer_mappings(items: list[str] | tuple[str, ...], *, base: Path,
                   where: str = LAYER_FLAG) -> dict[str, Path]:
    """Every `ARN=PATH` of a list; a later one for the same ARN wins."""
    return dict(parse_layer_mapping(item, base=base, where=where) for item in items)
