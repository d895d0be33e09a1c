"""The resource-based policies of a template's buckets (AWS::S3::BucketPolicy), queues
(AWS::SQS::QueuePolicy) and topics (AWS::SNS::TopicPolicy), keyed by the ARN of the resource
they are attached to; `policy_for` finds the one that governs a request's resource (an
object's is its bucket's)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.iam.policy import Policy, PolicyError, policy_from_document
from samlite.template.model import ResolvedTemplate, Resource
from samlite.template.nodes import mark_at

# type -> (property naming the resources, whether it is a list)
_ATTACHED_TO = {"AWS::S3::BucketPolicy": ("Bucket", False),
                "AWS::SQS::QueuePolicy": ("Queues", True),
                "AWS::SNS::TopicPolicy": ("Topics", True)}


def resource_policies(resolved: ResolvedTemplate) -> tuple[dict[str, Policy], list[str]]:
    """({resource ARN: policy}, warnings about documents IAM would refuse)."""
    pseudo = resolved.pseudo
    found: dict[str, Policy] = {}
    warnings: list[str] = []
    for res in resolved.resources.values():
        if res.type not in _ATTACHED_TO:
            continue
        where = mark_at(res.raw, ("Properties", "PolicyDocument"), res.at)
        try:
            policy = policy_from_document(res.properties.get("PolicyDocument"),
                                          source=f"{where.file}:{where.line} {res.logical_id}",
                                          resource_based=True)
        except PolicyError as exc:
            warnings.append(f"{exc}; it is not applied here")
            continue
        for arn in _arns(res, pseudo.partition, pseudo.region, pseudo.account_id):
            found[arn] = policy
    return found, warnings


def _arns(res: Resource, partition: str, region: str, account: str) -> Iterator[str]:
    name, is_list = _ATTACHED_TO[res.type]
    value: Any = res.properties.get(name)
    for item in (value if is_list and isinstance(value, list) else [value]):
        if not isinstance(item, str):
            continue
        if res.type == "AWS::S3::BucketPolicy":
            yield f"arn:{partition}:s3:::{item}"
        elif res.type == "AWS::SQS::QueuePolicy":   # Queues lists queue URLs
            yield f"arn:{partition}:sqs:{region}:{account}:{item.rstrip('/').rsplit('/', 1)[-1]}"
        else:
            yield item


def policy_for(policies: Mapping[str, Policy], resource: str) -> Policy | None:
    """The policy attached to `resource`, or to the bucket of an S3 object."""
    found = policies.get(resource)
    if found is None and resource.startswith(("arn:aws:s3:::", "arn:aws-cn:s3:::")) \
            and "/" in resource:
        found = policies.get(resource.split("/", 1)[0])
    return found
