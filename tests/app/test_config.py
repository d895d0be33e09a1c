"""samconfig.toml, --parameter-overrides and the pseudo parameters a project gets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from samlite.app.config import (
    parse_parameter_overrides,
    pseudo_parameters,
    read_samconfig,
    stack_name_for,
)
from samlite.errors import ConfigError


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param("Stage=prod", {"Stage": "prod"}, id="one-pair"),
    pytest.param("Stage=prod Size=512", {"Stage": "prod", "Size": "512"}, id="two-pairs"),
    pytest.param('Name="my app" Tag=x', {"Name": "my app", "Tag": "x"}, id="double-quoted"),
    pytest.param("Name='my app'", {"Name": "my app"}, id="single-quoted"),
    pytest.param('Json="{\\"a\\": 1}"', {"Json": '{"a": 1}'}, id="escaped-quotes"),
    pytest.param("Subnets=a,b,c", {"Subnets": "a,b,c"}, id="list-value"),
    pytest.param("Empty=", {"Empty": ""}, id="empty-value"),
    pytest.param("Url=https://x/?a=b", {"Url": "https://x/?a=b"}, id="equals-in-value"),
    pytest.param("ParameterKey=Stage,ParameterValue=prod ParameterKey=Size,ParameterValue=1",
                 {"Stage": "prod", "Size": "1"}, id="long-form"),
    pytest.param('ParameterKey=Name,ParameterValue="a b"', {"Name": "a b"},
                 id="long-form-quoted"),
    pytest.param(["Stage=prod", "Name=my app"], {"Stage": "prod", "Name": "my app"},
                 id="toml-list"),
    pytest.param(['Name="quoted"'], {"Name": "quoted"}, id="toml-list-quoted"),
    pytest.param("", {}, id="empty"),
    pytest.param(None, {}, id="none"),
])
def test_parse_parameter_overrides(given: str | list[str] | None,
                                   expected: dict[str, str]) -> None:
    assert parse_parameter_overrides(given) == expected


@pytest.mark.parametrize(("given", "words"), [
    pytest.param("Stage", "is not Key=Value", id="no-equals"),
    pytest.param('Name="unclosed', "No closing quotation", id="unclosed-quote"),
    pytest.param("my-key=1", "is not a parameter name", id="bad-name"),
])
def test_bad_parameter_overrides(given: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_parameter_overrides(given)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "samconfig.toml"
    path.write_text(textwrap.dedent(text))
    return path


SAMCONFIG = """\
    version = 0.1
    [default.global.parameters]
    stack_name = "shop"
    region = "eu-west-1"
    parameter_overrides = "Stage=dev Size=128"

    [default.deploy.parameters]
    parameter_overrides = ["Stage=prod", "Owner=ops team"]
    capabilities = "CAPABILITY_IAM"

    [default.validate.parameters]
    template_file = "infra/template.yaml"
    region = "us-west-2"

    [prod.global.parameters]
    stack_name = "shop-prod"
"""


def test_command_table_overrides_global(tmp_path: Path) -> None:
    write(tmp_path, SAMCONFIG)
    config = read_samconfig(tmp_path, command="validate")
    assert (config.stack_name, config.region, config.template_file) == (
        "shop", "us-west-2", "infra/template.yaml")
    assert "capabilities" not in config.values   # deploy-only settings stay with deploy


def test_parameter_overrides_from_deploy_global_and_command(tmp_path: Path) -> None:
    write(tmp_path, SAMCONFIG)
    config = read_samconfig(tmp_path, command="validate")
    assert config.parameter_overrides == {"Stage": "dev", "Size": "128", "Owner": "ops team"}
    deploy = read_samconfig(tmp_path, command="deploy")
    assert deploy.parameter_overrides == {"Stage": "prod", "Size": "128", "Owner": "ops team"}
    assert deploy.values["capabilities"] == "CAPABILITY_IAM"


def test_config_env(tmp_path: Path) -> None:
    write(tmp_path, SAMCONFIG)
    assert read_samconfig(tmp_path, "prod").stack_name == "shop-prod"
    with pytest.raises(ConfigError, match=r"no \[staging\] environment \(found: default, prod"):
        read_samconfig(tmp_path, "staging")


def test_sub_commands_use_underscores(tmp_path: Path) -> None:
    write(tmp_path, """\
        [default.local_start_api.parameters]
        warm_containers = "EAGER"
    """)
    assert read_samconfig(tmp_path, command="local start-api").values == {
        "warm_containers": "EAGER"}


def test_no_samconfig_means_no_settings(tmp_path: Path) -> None:
    config = read_samconfig(tmp_path)
    assert (config.path, dict(config.values), dict(config.parameter_overrides)) == (None, {}, {})


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        version = 0.1
        [default.deploy.parameters]
        stack_name = "unclosed
    """)
    with pytest.raises(ConfigError) as caught:
        read_samconfig(tmp_path)
    assert str(caught.value).startswith(f"{path}:3:")
    assert "not valid TOML" in str(caught.value)
    assert caught.value.exit_code == 2


def test_bad_parameter_overrides_in_samconfig_name_the_table(tmp_path: Path) -> None:
    write(tmp_path, """\
        [default.global.parameters]
        parameter_overrides = "NoEquals"
    """)
    with pytest.raises(ConfigError, match=r"\[default.global.parameters\] parameter_overrides"):
        read_samconfig(tmp_path)


@pytest.mark.parametrize(("environ", "region", "expected"), [
    pytest.param({}, None, ("us-east-1", "aws", "amazonaws.com"), id="default-region"),
    pytest.param({"AWS_DEFAULT_REGION": "eu-west-1"}, None, ("eu-west-1", "aws",
                                                            "amazonaws.com"),
                 id="aws-default-region"),
    pytest.param({"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "eu-west-1"}, None,
                 ("ap-south-1", "aws", "amazonaws.com"), id="aws-region-first"),
    pytest.param({"AWS_REGION": "ap-south-1"}, "cn-north-1",
                 ("cn-north-1", "aws-cn", "amazonaws.com.cn"), id="flag-wins-china"),
    pytest.param({}, "us-gov-west-1", ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
                 id="govcloud"),
])
def test_pseudo_parameters(tmp_path: Path, environ: dict[str, str], region: str | None,
                           expected: tuple[str, str, str]) -> None:
    pseudo = pseudo_parameters(tmp_path, environ, region=region)
    assert (pseudo.region, pseudo.partition, pseudo.url_suffix) == expected


def test_stack_name_from_folder_and_samconfig(tmp_path: Path) -> None:
    project = tmp_path / "my_app 2"
    project.mkdir()
    assert stack_name_for(project) == "my-app-2"
    assert stack_name_for(tmp_path / "2fast") == "samlite-2fast"
    write(project, SAMCONFIG)
    config = read_samconfig(project)
    pseudo = pseudo_parameters(project, {"AWS_REGION": "us-east-2"}, config=config)
    assert (pseudo.stack_name, pseudo.region) == ("shop", "us-west-2")
