"""What the Lambda service needs to run one function, derived from the app graph, and the
environment variables Lambda sets for it. Pure.

Variables follow "Defined runtime environment variables" in the Lambda developer guide; the
order is Lambda's own, then the template's Environment.Variables, then `--env-vars`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from samlite.graph.model import (
    EsbuildBuild,
    Function,
    FunctionAlias,
    Graph,
    ImageBuild,
    ImageConfig,
)
from samlite.runtime.credentials import FunctionCredentials, credentials_for
from samlite.template.model import PseudoParameters

# Lambda's dummy-free local stand-ins: SDKs need credentials to sign, AWS never sees them.
LATEST = "$LATEST"

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "samlite",
    "AWS_SECRET_ACCESS_KEY": "samlite",
    "AWS_SESSION_TOKEN": "samlite",
}

# What Lambda's execution environments have today (earlier ones had 169.254.79.2:2000).
XRAY_DAEMON_ADDRESS = "169.254.79.129:2000"


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasSpec:
    """An alias of a function: AutoPublishAlias, or an AWS::Lambda::Alias."""

    name: str
    on_published_version: bool = True   # False: its FunctionVersion is $LATEST


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionSpec:
    logical_id: str
    function_name: str
    handler: str
    runtime: str
    code_dir: Path                          # absolute
    layer_dirs: tuple[Path, ...] = ()       # absolute, in the template's order
    # Requirements installed by samlite (build/): the function's own go right after its
    # code (`sam build` puts them beside it); a layer's are part of its python/ folder.
    dependency_dir: Path | None = None
    layer_dependency_dirs: tuple[Path | None, ...] = ()   # one per layer_dirs entry
    # Layers with a Python BuildMethod: `sam build` copies their ContentUri into python/, so
    # the folder itself is their /opt/python ("Building Lambda layers", SAM developer guide).
    built_layer_dirs: frozenset[Path] = frozenset()
    memory_mb: int = 128
    timeout_s: float = 3.0
    ephemeral_storage_mb: int = 512
    architecture: str = "x86_64"
    variables: Mapping[str, str] = field(default_factory=dict)   # template, then --env-vars
    reserved_concurrency: int | None = None
    provisioned_concurrency: int = 0
    # Versions and aliases ("Lambda function versions", "Create an alias" in the developer
    # guide): the service publishes version 1 at start and one more on each reload.
    publishes_versions: bool = False        # AutoPublishAlias or an AWS::Lambda::Version
    aliases: tuple[AliasSpec, ...] = ()
    event_qualifier: str | None = None      # what its event sources invoke (SAM: the alias)
    provisioned_qualifier: str | None = None   # the alias or version provisioned ones run
    version: str = LATEST                   # what an environment of this spec runs
    region: str = "us-east-1"
    account_id: str = "123456789012"
    package_type: str = "Zip"
    image_uri: str | None = None
    image_build: ImageBuild | None = None   # Metadata; its docker_context made absolute
    image_config: ImageConfig | None = None
    esbuild: EsbuildBuild | None = None     # bundled with esbuild before it runs
    debug_port: int | None = None           # --debug: a debugger attaches here (debugging.py)
    not_runnable: str | None = None         # why it cannot start here (its code is in S3)
    is_tenant_isolated: bool = False        # TenancyConfig PER_TENANT
    # Its role's credentials (runtime/credentials.py); None: the shared dummy ones.
    credentials: FunctionCredentials | None = None

    @property
    def docker_context(self) -> Path | None:
        """The folder an Image function's image is built from (None: not built here)."""
        return Path(self.image_build.docker_context) if self.image_build else None

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    def alias(self, name: str) -> AliasSpec | None:
        return next((alias for alias in self.aliases if alias.name == name), None)

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def is_python(self) -> bool:
        return self.runtime.startswith("python")

    @property
    def is_nodejs(self) -> bool:
        return self.runtime.startswith("nodejs")

    @property
    def runs_samlite_client(self) -> bool:
        """Whether a process runs samlite's own runtime client for it (python_loop.py,
        node_loop.cjs), which sends its token and marks the end of each invocation's output."""
        return self.is_python or self.is_nodejs

    @property
    def is_custom_runtime(self) -> bool:
        return self.runtime.startswith("provided")

    @property
    def layers(self) -> tuple[tuple[Path, Path | None], ...]:
        """Each layer's folder with its installed requirements (or None), in Lambda's
        order: a later layer's files win over an earlier one's."""
        installed = (*self.layer_dependency_dirs,
                     *(None,) * (len(self.layer_dirs) - len(self.layer_dependency_dirs)))
        return tuple(zip(self.layer_dirs, installed, strict=False))


def with_dependencies(specs: Sequence[FunctionSpec], graph: Graph,
                      installed: Mapping[str, Path]) -> tuple[FunctionSpec, ...]:
    """`specs` with the installed requirements of each function and of each of its layers
    (`installed`: logical id -> folder; what is not there gets None)."""
    layers = {fn.logical_id: tuple(ref for ref in fn.layers if ref in _local_layers(graph))
              for fn in graph.functions}
    return tuple(dataclasses.replace(
        spec, dependency_dir=installed.get(spec.logical_id),
        layer_dependency_dirs=tuple(installed.get(ref)
                                    for ref in layers.get(spec.logical_id, ())))
        for spec in specs)


def _local_layers(graph: Graph) -> frozenset[str]:
    """The layers with a local ContentUri (an s3:// one has no folder here)."""
    return frozenset(layer.logical_id for layer in graph.layers
                     if not str(layer.content_uri).startswith("s3://"))


def log_stream_name(now_s: float, stream_id: str, *, version: str = "$LATEST") -> str:
    """An execution environment's log stream as Lambda names it: its start's UTC date, the
    version in brackets and a 32-hex-digit id (`2024/01/28/[$LATEST]e3c5df2a…`), also the
    handler's context.log_stream_name."""
    day = datetime.fromtimestamp(now_s, tz=UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{stream_id}"


def lambda_variables(spec: FunctionSpec, *, runtime_api: str, task_root: str, runtime_dir: str,
                     log_stream: str, endpoint_url: str | None = None) -> dict[str, str]:
    """Every variable Lambda defines, then the function's own (which may not override the
    reserved ones; `samlite validate` reports those)."""
    variables = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        "_HANDLER": spec.handler,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        **(spec.credentials.as_variables() if spec.credentials else DUMMY_CREDENTIALS),
    }
    if endpoint_url:
        # SDKs (boto3 >= 1.28, AWS SDKs' "service-specific endpoints") send every call there,
        # so unmodified handler code reaches the local S3, SQS and Lambda. A function's own
        # variables may still point one service elsewhere (AWS_ENDPOINT_URL_DYNAMODB, ...).
        variables["AWS_ENDPOINT_URL"] = endpoint_url
    for name, value in spec.variables.items():
        variables.setdefault(name, value)
    # Not reserved, so the function's own values win ("Defined runtime environment
    # variables", unreserved): the X-Ray SDK logs rather than raises without a segment, and
    # would send to Lambda's daemon address (nothing listens there locally; traces are
    # never sampled here).
    variables.setdefault("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
    variables.setdefault("AWS_XRAY_DAEMON_ADDRESS", XRAY_DAEMON_ADDRESS)
    return variables


def function_specs(graph: Graph, *, project_dir: Path, pseudo: PseudoParameters,
                   env_overrides: Mapping[str, Mapping[str, str]] | None = None,
                   layer_arn_dirs: Mapping[tuple[str, str], Path] | None = None,
                   credential_seed: bytes | None = None,
                   ) -> tuple[FunctionSpec, ...]:
    """A spec for every function the graph has. `env_overrides` is an --env-vars file:
    {"Parameters": {...}} applies to all functions, {"<LogicalId>": {...}} to one; only
    variables the template declares are overridden, as SAM CLI does. `layer_arn_dirs` holds
    the local folder of each layer ARN that has one, by (function, ARN): it takes the ARN's
    place in the function's layers; an ARN without one is left out (app/ names it).
    `credential_seed` gives each function credentials of its own (None: the dummy ones)."""
    overrides = env_overrides or {}
    local = _local_layers(graph)
    layer_dirs = {layer.logical_id: project_dir / (layer.content_uri or ".")
                  for layer in graph.layers if layer.logical_id in local}
    built = frozenset(layer_dirs[layer.logical_id].resolve() for layer in graph.layers
                      if layer.logical_id in local
                      and (layer.build_method or "").startswith("python"))
    arn_dirs = layer_arn_dirs or {}
    specs = (_spec(fn, project_dir, pseudo,
                   {**layer_dirs, **{arn: path for (owner, arn), path in arn_dirs.items()
                                     if owner == fn.logical_id}},
                   overrides)
             for fn in graph.functions)
    return tuple(dataclasses.replace(
        spec, built_layer_dirs=built & set(spec.layer_dirs),
        credentials=None if credential_seed is None
        else credentials_for(spec.logical_id, seed=credential_seed))
        for spec in specs)


def _spec(fn: Function, project_dir: Path, pseudo: PseudoParameters,
          layer_dirs: Mapping[str, Path], overrides: Mapping[str, Mapping[str, str]],
          ) -> FunctionSpec:
    variables = dict(fn.environment)
    for scope in ("Parameters", fn.logical_id, fn.function_name):
        for name, value in (overrides.get(scope) or {}).items():
            if name in variables:
                variables[name] = "" if value is None else str(value)
    in_s3 = bool(fn.code_uri and fn.code_uri.startswith("s3://"))
    code = fn.code_uri if fn.code_uri and not in_s3 else "."
    return FunctionSpec(
        logical_id=fn.logical_id, function_name=fn.function_name,
        handler=fn.handler or "", runtime=fn.runtime or "",
        code_dir=(project_dir / code).resolve(),
        layer_dirs=tuple(layer_dirs[ref].resolve() for ref in fn.layers if ref in layer_dirs),
        memory_mb=fn.memory_mb, timeout_s=float(fn.timeout_s),
        ephemeral_storage_mb=fn.ephemeral_storage_mb,
        architecture=fn.architectures[0] if fn.architectures else "x86_64",
        variables=variables, reserved_concurrency=fn.reserved_concurrency,
        provisioned_concurrency=fn.provisioned_concurrency,
        publishes_versions=fn.publishes_versions,
        aliases=tuple(_alias_spec(alias) for alias in fn.aliases),
        event_qualifier=fn.event_qualifier, provisioned_qualifier=fn.provisioned_qualifier,
        region=pseudo.region, account_id=pseudo.account_id,
        package_type=fn.package_type, image_uri=fn.image_uri,
        image_build=dataclasses.replace(
            fn.image_build,
            docker_context=str((project_dir / fn.image_build.docker_context).resolve()))
        if fn.image_build else None,
        image_config=fn.image_config, is_tenant_isolated=fn.is_tenant_isolated,
        esbuild=fn.esbuild,
        not_runnable=f"its code is in S3 ({fn.code_uri}), which samlite does not fetch; point "
                     "its CodeUri (or Code) at a local folder or .zip"
        if in_s3 and fn.package_type == "Zip" else None,
    )


def _alias_spec(alias: FunctionAlias) -> AliasSpec:
    return AliasSpec(name=alias.name, on_published_version=alias.on_published_version)
