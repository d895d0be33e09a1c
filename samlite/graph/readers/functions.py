"""A function resource (AWS::Serverless::Function, AWS::Lambda::Function) -> graph.Function,
with its environment, layers, policies, dead-letter queue, EventInvokeConfig and URL. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    Destination,
    EdgeKind,
    EsbuildBuild,
    EventInvoke,
    Function,
    FunctionUrl,
    ImageBuild,
    ImageConfig,
    NotRunLocally,
)
from samlite.graph.parts import SERVERLESS_FUNCTION, GraphParts
from samlite.graph.readers import sam_events, versions
from samlite.graph.values import (
    as_int,
    as_list,
    as_map,
    as_text,
    as_texts,
    http_cors,
    key_at,
    s3_uri,
)
from samlite.template.model import Resource
from samlite.template.nodes import mark_at


def read_function(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    fid = res.logical_id
    pending = parts.pending_for(fid)
    is_sam = res.type == SERVERLESS_FUNCTION
    events = sam_events.read_events(parts, res, props, raw) if is_sam else []
    code = props.get("Code")
    image_uri = as_text(props.get("ImageUri") if is_sam else as_map(code).get("ImageUri"))
    package_type = as_text(props.get("PackageType")) or ("Image" if image_uri else "Zip")
    if is_sam:
        code_uri = s3_uri(props.get("CodeUri"), "Bucket", "Key")
        inline = as_text(props.get("InlineCode"))
    else:
        code_uri = s3_uri(code, "S3Bucket", "S3Key") if "ZipFile" not in as_map(code) \
            else None
        inline = as_text(as_map(code).get("ZipFile"))
    if package_type == "Zip" and code_uri and code_uri.startswith("s3://"):
        _name_code_in_s3(parts, res, props, code_uri, "CodeUri" if is_sam else "Code")
    _name_active_tracing(parts, res, props, is_sam)
    _name_settings_not_run(parts, res, props)
    dead_letter = _dead_letter(parts, fid, props, raw, is_sam)
    layers = _layers(parts, res, props, raw)
    url = _sam_function_url(parts, res, props) if is_sam else None
    function = Function(
        logical_id=fid, resource_type=res.type,
        function_name=as_text(props.get("FunctionName")) or parts.ref_name(res),
        handler=as_text(props.get("Handler")), runtime=as_text(props.get("Runtime")),
        code_uri=code_uri, inline_code=inline,
        memory_mb=as_int(props.get("MemorySize"), 128) or 128,
        timeout_s=as_int(props.get("Timeout"), 3) or 3,
        ephemeral_storage_mb=as_int(as_map(props.get("EphemeralStorage")).get("Size"), 512)
        or 512,
        architectures=as_texts(props.get("Architectures")) or ("x86_64",),
        package_type=package_type, image_uri=image_uri,
        image_build=image_build(res.metadata) if package_type == "Image" else None,
        image_config=image_config(props.get("ImageConfig")),
        esbuild=esbuild_build(res.metadata) if package_type == "Zip" else None,
        environment=_environment(parts, fid, props, raw),
        layers=tuple(layer for layer, _ in layers),
        layer_marks=tuple(at for _, at in layers),
        reserved_concurrency=as_int(props.get("ReservedConcurrentExecutions")),
        auto_publish_alias=as_text(props.get("AutoPublishAlias")) if is_sam else None,
        **versions.sam_versions(parts, res, props),
        dead_letter=dead_letter,
        event_invoke=event_invoke(parts, fid, props.get("EventInvokeConfig"),
                                  parts.refs.dig(raw, "EventInvokeConfig"))
        or pending.event_invoke,
        function_url=url or pending.url,
        events=(*events, *pending.triggers),
        is_tenant_isolated=as_text(as_map(props.get("TenancyConfig"))
                                   .get("TenantIsolationMode")) == "PER_TENANT",
        **_policies(parts, fid, props, raw),
        at=res.at)
    parts.functions.append(function)


def _name_code_in_s3(parts: GraphParts, res: Resource, props: Mapping[str, Any], uri: str,
                     key: str) -> None:
    """Code in S3 is not fetched (SAM CLI runs the project folder instead, which is never
    the function's code): the function is named and does not run."""
    local = "CodeUri: ./src (a folder) or ./app.zip" if key == "CodeUri" else \
        "Code: ./src (a folder or .zip, as sam local reads it)"
    parts.not_local.append(NotRunLocally(
        subject=f"{res.logical_id}.{key}", type=res.type, at=key_at(props, key, res.at),
        reason=f"its code is in S3 ({uri}), which samlite does not fetch, so it does not run "
               f"here; point it at the code on this machine: {local}"))


def _name_active_tracing(parts: GraphParts, res: Resource, props: Mapping[str, Any],
                         is_sam: bool) -> None:
    """X-Ray active tracing (SAM `Tracing: Active`, Lambda `TracingConfig.Mode: Active`)
    changes nothing locally, so it is said at startup rather than left to the matrix."""
    key = "Tracing" if is_sam else "TracingConfig"
    mode = as_text(props.get(key)) if is_sam else as_text(as_map(props.get(key)).get("Mode"))
    if mode != "Active":
        return
    parts.not_local.append(NotRunLocally(
        subject=f"{res.logical_id}.{key}", type=res.type, at=key_at(props, key, res.at),
        reason="X-Ray tracing is not run locally: no segments are sent and no traces "
               "recorded. Each invocation still gets _X_AMZN_TRACE_ID, with Sampled=0, so "
               "the X-Ray SDK records nothing"))


# Function settings a handler may depend on that change nothing locally: said at startup.
_SETTINGS_NOT_RUN: Mapping[str, str] = {
    "FileSystemConfigs": "no EFS file system is mounted locally: its LocalMountPath does not "
                         "exist here unless you create it",
    "VpcConfig": "the function reaches the network from your machine, not from the VPC: what "
                 "only the VPC reaches is unreachable here",
    "SnapStart": "SnapStart is not run locally: every cold start is a plain start, so "
                 "runtime hooks (before checkpoint / after restore) are not called",
}


def _name_settings_not_run(parts: GraphParts, res: Resource,
                           props: Mapping[str, Any]) -> None:
    for key, reason in _SETTINGS_NOT_RUN.items():
        value = props.get(key)
        if key == "VpcConfig":
            value = as_list(as_map(value).get("SubnetIds"))
        elif key == "SnapStart":
            value = as_text(as_map(value).get("ApplyOn")) not in (None, "None")
        if value:
            parts.not_local.append(NotRunLocally(
                subject=f"{res.logical_id}.{key}", type=res.type,
                at=key_at(props, key, res.at), reason=reason))


def _environment(parts: GraphParts, fid: str, props: Mapping[str, Any],
                 raw: Any) -> tuple[tuple[str, str], ...]:
    variables = as_map(as_map(props.get("Environment")).get("Variables"))
    raw_vars = parts.refs.dig(raw, "Environment", "Variables")
    out = []
    for name, value in variables.items():
        out.append((name, as_text(value) or ""))
        raw_value = parts.refs.dig(raw_vars, name)
        targets = parts.refs.refs_in(raw_value) if raw_value is not None else []
        found = parts.refs.lookup(value)
        for target in targets or ([found] if found else []):
            if target != fid:
                parts.edge(fid, target, EdgeKind.ENVIRONMENT, name)
    return tuple(out)


def _layers(parts: GraphParts, res: Resource, props: Mapping[str, Any],
            raw: Any) -> list[tuple[str, Mark]]:
    """Each layer (a logical id here, else an ARN) with where it is written."""
    out = []
    for index, value in enumerate(as_list(props.get("Layers"))):
        layer = parts.refs.target_or_text(parts.refs.dig(raw, "Layers", index), value)
        if layer:
            out.append((layer, mark_at(raw, ("Layers", index), res.at)))
            parts.edge(res.logical_id, layer, EdgeKind.LAYER)
    return out


def _policies(parts: GraphParts, fid: str, props: Mapping[str, Any], raw: Any) -> dict[str, Any]:
    """SAM Policies: a managed policy name/ARN, a list of them, policy templates
    ({"SQSSendMessagePolicy": {"QueueName": ...}}) and inline policy documents."""
    value = props.get("Policies")
    entries = value if isinstance(value, list) else [value] if value is not None else []
    raw_value = parts.refs.dig(raw, "Policies")
    names: list[str] = []
    targets: list[str] = []
    for index, entry in enumerate(entries):
        raw_entry = parts.refs.dig(raw_value, index) if isinstance(raw_value, list) \
            else raw_value
        if not isinstance(entry, dict):
            if (text := as_text(entry)) is not None:
                names.append(text)
            continue
        is_document = "Statement" in entry
        labels = ["inline policy"] if is_document else list(entry)
        names.extend(labels)
        for label in labels:
            part = raw_entry if is_document else parts.refs.dig(raw_entry, label)
            found = parts.refs.refs_in(part)
            if not found and not is_document:
                found = [t for v in as_map(entry.get(label)).values()
                         if (t := parts.refs.lookup(v))]
            for target in found:
                if target != fid:
                    targets.append(target)
                    parts.edge(fid, target, EdgeKind.POLICY, label)
    return {"policies": tuple(names), "policy_resources": tuple(dict.fromkeys(targets))}


def _dead_letter(parts: GraphParts, fid: str, props: Mapping[str, Any], raw: Any,
                 is_sam: bool) -> Destination | None:
    key = "DeadLetterQueue" if is_sam else "DeadLetterConfig"
    config = as_map(props.get(key))
    target = parts.refs.target_or_text(parts.refs.dig(raw, key, "TargetArn"),
                                       config.get("TargetArn"))
    if not target:
        return None
    parts.edge(fid, target, EdgeKind.DEAD_LETTER)
    return Destination(type=as_text(config.get("Type")), target=target)


def event_invoke(parts: GraphParts, fid: str, value: Any, raw: Any) -> EventInvoke | None:
    if not isinstance(value, dict):
        return None
    destinations = as_map(value.get("DestinationConfig"))
    found: dict[str, Destination | None] = {}
    for key, kind in (("OnSuccess", EdgeKind.ON_SUCCESS), ("OnFailure", EdgeKind.ON_FAILURE)):
        config = as_map(destinations.get(key))
        target = parts.refs.target_or_text(
            parts.refs.dig(raw, "DestinationConfig", key, "Destination"),
            config.get("Destination"))
        kind_text = as_text(config.get("Type"))
        # SAM creates the queue or topic itself when Destination is left out.
        if not target and kind_text:
            target = f"(a new {kind_text} destination SAM creates)"
        found[key] = Destination(type=kind_text, target=target) if target else None
        parts.edge(fid, target, kind)
    return EventInvoke(max_event_age_s=as_int(value.get("MaximumEventAgeInSeconds")),
                       max_retry_attempts=as_int(value.get("MaximumRetryAttempts")),
                       on_success=found["OnSuccess"], on_failure=found["OnFailure"])


def _sam_function_url(parts: GraphParts, res: Resource,
                      props: Mapping[str, Any]) -> FunctionUrl | None:
    config = props.get("FunctionUrlConfig")
    if not isinstance(config, dict):
        return None
    url = FunctionUrl(logical_id=f"{res.logical_id}Url", function=res.logical_id,
                      auth_type=as_text(config.get("AuthType")) or "AWS_IAM",
                      invoke_mode=as_text(config.get("InvokeMode")) or "BUFFERED",
                      cors=http_cors(config.get("Cors")),
                      at=key_at(props, "FunctionUrlConfig", res.at))
    parts.urls.append(url)
    name_response_streaming(parts, url, res.type, at=key_at(config, "InvokeMode", url.at),
                            runtime=as_text(props.get("Runtime")))
    return url


def name_response_streaming(parts: GraphParts, url: FunctionUrl, resource_type: str, *,
                            at: Mark, runtime: str | None) -> None:
    """A function URL with InvokeMode RESPONSE_STREAM streams for Node.js and custom runtimes
    (Lambda streams responses only from those: "Response streaming for Lambda functions");
    for any other, its responses are served whole, and start-up says so."""
    if url.invoke_mode != "RESPONSE_STREAM" or can_stream(runtime):
        return
    parts.not_local.append(NotRunLocally(
        subject=f"{url.logical_id}.InvokeMode", type=resource_type, at=at,
        reason=f"response streaming is run for Node.js and custom runtimes only, as Lambda "
               f"supports it; {_runtime_words(runtime)} answers with the whole response when "
               f"the handler returns; stream from a nodejs or provided runtime (or the Lambda "
               f"Web Adapter on AWS)"))


def can_stream(runtime: str | None) -> bool:
    """Whether Lambda streams responses from functions of this runtime (a Node.js managed
    runtime, or a custom one that posts in streaming mode)."""
    return bool(runtime) and runtime.startswith(("nodejs", "provided"))


def _runtime_words(runtime: str | None) -> str:
    return f"this {runtime} function" if runtime else "this image function (its runtime " \
        "client is the image's)"


def image_build(metadata: Any) -> ImageBuild | None:
    """Metadata that builds an Image function, as `sam build` reads it: DockerContext and
    Dockerfile are both needed, DockerTag defaults to "latest"."""
    meta = as_map(metadata)
    context, dockerfile = as_text(meta.get("DockerContext")), as_text(meta.get("Dockerfile"))
    if not context or not dockerfile:
        return None
    args = as_map(meta.get("DockerBuildArgs"))
    return ImageBuild(
        docker_context=context, dockerfile=dockerfile,
        docker_tag=as_text(meta.get("DockerTag")) or "latest",
        image_name=as_text(meta.get("DockerImage")),
        build_args=tuple((str(k), as_text(v) or "") for k, v in args.items()),
        target=as_text(meta.get("DockerBuildTarget")))


def esbuild_build(metadata: Any) -> EsbuildBuild | None:
    """`Metadata: BuildMethod: esbuild` with its BuildProperties; None for another method."""
    meta = as_map(metadata)
    if (as_text(meta.get("BuildMethod")) or "").lower() != "esbuild":
        return None
    build = as_map(meta.get("BuildProperties"))
    defaults = EsbuildBuild()
    return EsbuildBuild(
        entry_points=as_texts(build.get("EntryPoints")) or (),
        external=as_texts(build.get("External")) or (),
        format=as_text(build.get("Format")),
        loader=as_texts(build.get("Loader")) or (),
        main_fields=tuple(field.strip() for text in as_texts(build.get("MainFields"))
                          for field in text.split(",") if field.strip()) or defaults.main_fields,
        minify=_flag(build.get("Minify"), defaults.minify),
        out_extension=as_texts(build.get("OutExtension")) or (),
        sourcemap=_flag(build.get("Sourcemap"), defaults.sourcemap),
        target=as_text(build.get("Target")))


def _flag(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = (as_text(value) or "").lower()
    return {"true": True, "false": False}.get(text, default)


def image_config(value: Any) -> ImageConfig | None:
    """ImageConfig: Command, EntryPoint (lists) and WorkingDirectory."""
    config = as_map(value)
    if not config:
        return None
    return ImageConfig(
        command=as_texts(config["Command"]) if "Command" in config else None,
        entry_point=as_texts(config["EntryPoint"]) if "EntryPoint" in config else None,
        working_directory=as_text(config.get("WorkingDirectory")))
