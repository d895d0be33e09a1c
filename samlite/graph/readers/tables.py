"""DynamoDB tables (AWS::DynamoDB::Table, AWS::Serverless::SimpleTable) and the settings of
their stream event source mappings -> the graph's model. Pure.

Follows the CloudFormation reference for AWS::DynamoDB::Table, the SAM specification's
AWS::Serverless::SimpleTable and "DynamoDB" event source, and the Lambda API reference's
CreateEventSourceMapping for the mapping defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.graph.model import NotRunLocally, StreamSettings, Table
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_bool, as_int, as_list, as_map, as_text, as_texts
from samlite.template.model import Resource

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
# SimpleTable's PrimaryKey when the template gives none (SAM specification).
_SIMPLE_TABLE_KEY = {"Name": "id", "Type": "String"}
_SIMPLE_TYPES = {"String": "S", "Number": "N", "Binary": "B"}


def read_table(parts: GraphParts, res: Resource) -> bool:
    props, _ = parts.props(res)
    name = as_text(props.get("TableName")) or parts.ref_name(res)
    if res.type == "AWS::Serverless::SimpleTable":
        parts.tables.append(_simple_table(res, props, name))
        return True
    keys = tuple((as_text(k.get("AttributeName")) or "", as_text(k.get("KeyType")) or "HASH")
                 for k in as_list(props.get("KeySchema")) if isinstance(k, dict))
    definitions = tuple((as_text(d.get("AttributeName")) or "",
                         as_text(d.get("AttributeType")) or "S")
                        for d in as_list(props.get("AttributeDefinitions"))
                        if isinstance(d, dict))
    if not any(kind == "HASH" for _, kind in keys):
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=res.at,
            reason="the table has no KeySchema with a HASH key, so no local table is made "
                   "(CloudFormation would refuse it too); add KeySchema and "
                   "AttributeDefinitions"))
        return True
    throughput = as_map(props.get("ProvisionedThroughput"))
    stream = as_map(props.get("StreamSpecification"))
    ttl = as_map(props.get("TimeToLiveSpecification"))
    sse = as_map(props.get("SSESpecification"))
    parts.tables.append(Table(
        logical_id=res.logical_id, resource_type=res.type, table_name=name,
        key_schema=keys, attribute_definitions=definitions,
        billing_mode=as_text(props.get("BillingMode")) or "PROVISIONED",
        read_capacity=as_int(throughput.get("ReadCapacityUnits")),
        write_capacity=as_int(throughput.get("WriteCapacityUnits")),
        global_indexes=_json_list(props.get("GlobalSecondaryIndexes")),
        local_indexes=_json_list(props.get("LocalSecondaryIndexes")),
        stream_view_type=as_text(stream.get("StreamViewType")),
        ttl_attribute=(as_text(ttl.get("AttributeName"))
                       if as_bool(ttl.get("Enabled"), False) else None),
        sse_enabled=as_bool(sse.get("SSEEnabled"), False), at=res.at))
    return True


def _simple_table(res: Resource, props: Mapping[str, Any], name: str) -> Table:
    key = as_map(props.get("PrimaryKey")) or _SIMPLE_TABLE_KEY
    attribute = as_text(key.get("Name")) or "id"
    kind = _SIMPLE_TYPES.get(as_text(key.get("Type")) or "String", "S")
    throughput = as_map(props.get("ProvisionedThroughput"))
    return Table(
        logical_id=res.logical_id, resource_type=res.type, table_name=name,
        key_schema=((attribute, "HASH"),), attribute_definitions=((attribute, kind),),
        # SAM makes a SimpleTable PAY_PER_REQUEST unless it gives ProvisionedThroughput.
        billing_mode="PROVISIONED" if throughput else "PAY_PER_REQUEST",
        read_capacity=as_int(throughput.get("ReadCapacityUnits")),
        write_capacity=as_int(throughput.get("WriteCapacityUnits")),
        sse_enabled=as_bool(as_map(props.get("SSESpecification")).get("SSEEnabled"), False),
        at=res.at)


def stream_settings(parts: GraphParts, props: Mapping[str, Any], raw: Any) -> StreamSettings:
    """A SAM DynamoDB event's or an AWS::Lambda::EventSourceMapping's stream settings."""
    filters = as_list(as_map(props.get("FilterCriteria")).get("Filters"))
    on_failure = as_map(as_map(props.get("DestinationConfig")).get("OnFailure"))
    target = parts.refs.target_or_text(
        parts.refs.dig(raw, "DestinationConfig", "OnFailure", "Destination"),
        on_failure.get("Destination"))
    return StreamSettings(
        starting_position=as_text(props.get("StartingPosition")) or "LATEST",
        batch_size=as_int(props.get("BatchSize"), 100) or 100,
        batching_window_s=as_int(props.get("MaximumBatchingWindowInSeconds"), 0) or 0,
        is_enabled=as_bool(props.get("Enabled"), True),
        filter_patterns=tuple(t for f in filters if isinstance(f, dict)
                              if (t := as_text(f.get("Pattern"))) is not None),
        bisects_on_error=as_bool(props.get("BisectBatchOnFunctionError"), False),
        max_retry_attempts=_int(props.get("MaximumRetryAttempts"), -1),
        max_record_age_s=_int(props.get("MaximumRecordAgeInSeconds"), -1),
        parallelization_factor=as_int(props.get("ParallelizationFactor"), 1) or 1,
        reports_batch_item_failures="ReportBatchItemFailures"
        in as_texts(props.get("FunctionResponseTypes")),
        on_failure=target)


def _int(value: Any, default: int) -> int:
    found = as_int(value, default)
    return default if found is None else found


def _json_list(value: Any) -> str | None:
    return json.dumps(value) if isinstance(value, list) and value else None


def why_stream_not_run(parts: GraphParts, source: str | None) -> str | None:
    """None when `source` is a table of this template with a stream; else why not."""
    res = parts.resources.get(source or "")
    if res is None or res.type not in TABLE_TYPES:
        return (f"the stream {source} is not a table of this template, so no local stream "
                "feeds it; the function can still be invoked directly")
    if not as_map(as_map(res.properties).get("StreamSpecification")).get("StreamViewType"):
        return (f"the table {source} has no StreamSpecification.StreamViewType, so it has "
                "no stream; add one (e.g. NEW_AND_OLD_IMAGES)")
    return None


def stream_caveats(parts: GraphParts, settings: StreamSettings,
                   props: Mapping[str, Any]) -> list[str]:
    """What of a stream mapping that runs is not run as AWS runs it."""
    out = []
    target = settings.on_failure
    if target is not None:
        res = parts.resources.get(target)
        is_queue = res.type == "AWS::SQS::Queue" if res is not None \
            else target.startswith("arn:") and target.split(":")[2:3] == ["sqs"]
        if not is_queue:
            out.append(f"DestinationConfig.OnFailure {target} is not an SQS queue; records "
                       "given up are dropped locally (only SQS destinations are delivered)")
    if props.get("TumblingWindowInSeconds") not in (None, 0, "0"):
        out.append("TumblingWindowInSeconds: tumbling windows are not run locally; each "
                   "batch is invoked on its own, without the window's state")
    return out
