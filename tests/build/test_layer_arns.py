"""What a layer ARN is locally: mapped by the user, an AWS-published Powertools layer (at the
release that layer version ships, where the Powertools docs' history tells it), or unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.build.layer_arns import (
    MappedFolder,
    MappedRequirements,
    Powertools,
    Unknown,
    classify,
    parse_layer_arn,
    parse_layer_mapping,
)
from samlite.errors import ConfigError

PT = "arn:aws:lambda:eu-west-1:017000801446:layer:"


@pytest.mark.parametrize(("case", "arn", "major", "version"), [
    ("v2 x86_64, known release", f"{PT}AWSLambdaPowertoolsPythonV2:62", 2, "2.33.1"),
    ("v2 arm64 shares v2's numbers", f"{PT}AWSLambdaPowertoolsPythonV2-Arm64:69", 2, "2.37.0"),
    ("v3 per python and arch", f"{PT}AWSLambdaPowertoolsPythonV3-python312-x86_64:3", 3,
     "3.2.0"),
    ("v3 arm64", f"{PT}AWSLambdaPowertoolsPythonV3-python313-arm64:2", 3, "3.1.0"),
    ("v3 before the x86_64 rename", f"{PT}AWSLambdaPowertoolsPythonV3-python311-x86:3", 3,
     "3.2.0"),
    ("v3 newer than the docs samlite read", f"{PT}AWSLambdaPowertoolsPythonV3-python312-"
     "arm64:27", 3, None),
    ("v2 number whose release is ambiguous", f"{PT}AWSLambdaPowertoolsPythonV2:12", 2, None),
    ("v1", f"{PT}AWSLambdaPowertoolsPython:40", 1, None),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_powertools_layers_are_known(case: str, arn: str, major: int,
                                     version: str | None) -> None:
    source = classify(arn, {})
    assert isinstance(source, Powertools)
    assert (source.major, source.version) == (major, version)


def test_a_known_release_is_pinned_and_an_unknown_one_takes_the_newest_of_its_major() -> None:
    pinned = classify(f"{PT}AWSLambdaPowertoolsPythonV2:62", {})
    newest = classify(f"{PT}AWSLambdaPowertoolsPythonV3-python312-x86_64:99", {})
    assert isinstance(pinned, Powertools) and isinstance(newest, Powertools)
    assert pinned.requirement == "aws-lambda-powertools[all]==2.33.1"
    assert newest.requirement == "aws-lambda-powertools[all]>=3,<4"


@pytest.mark.parametrize(("case", "arn"), [
    ("another account's layer", "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"),
    ("a look-alike name in another account",
     "arn:aws:lambda:us-east-1:123456789012:layer:AWSLambdaPowertoolsPythonV2:62"),
    ("another Powertools runtime", f"{PT}AWSLambdaPowertoolsTypeScriptV2:12"),
    ("not an ARN at all", "my-layer"),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_other_arns_are_unknown_and_say_the_flag_that_maps_them(case: str, arn: str) -> None:
    source = classify(arn, {})
    assert isinstance(source, Unknown)
    assert source.flag == f"--layer {arn}=PATH"


def test_a_mapping_wins_over_powertools_and_tells_a_folder_from_a_requirements_file(
        tmp_path: Path) -> None:
    (tmp_path / "layer").mkdir()
    (tmp_path / "requirements.txt").write_text("tabulate\n")
    powertools = f"{PT}AWSLambdaPowertoolsPythonV2:62"
    other = "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"
    assert classify(powertools, {powertools: tmp_path / "layer"}) == MappedFolder(
        arn=parse_layer_arn(powertools), folder=tmp_path / "layer")
    assert classify(other, {other: tmp_path / "requirements.txt"}) == MappedRequirements(
        arn=parse_layer_arn(other), requirements=tmp_path / "requirements.txt")


def test_a_mapping_is_arn_equals_path_resolved_from_its_base(tmp_path: Path) -> None:
    (tmp_path / "layers" / "shared").mkdir(parents=True)
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"
    assert parse_layer_mapping(f"{arn}=layers/shared", base=tmp_path) == (
        arn, tmp_path / "layers" / "shared")


@pytest.mark.parametrize(("case", "text", "message"), [
    ("no path", "arn:aws:lambda:us-east-1:123456789012:layer:shared:3", "expected ARN=PATH"),
    ("not an ARN", "shared=layers", "'shared' is not a layer version ARN"),
    ("an ARN without a version", "arn:aws:lambda:us-east-1:123456789012:layer:shared=layers",
     "is not a layer version ARN"),
    ("a path that is not there", "arn:aws:lambda:us-east-1:123456789012:layer:shared:3=nope",
     "nope does not exist"),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_a_bad_mapping_says_what_is_wrong(tmp_path: Path, case: str, text: str,
                                          message: str) -> None:
    with pytest.raises(ConfigError, match=message) as failed:
        parse_layer_mapping(text, base=tmp_path)
    assert str(failed.value).startswith(f"--layer {text!r}: ")
