"""Whether a resource's Type exists: a misspelt type must not pass as "some other resource".

SAM's own types are a closed list (the SAM specification), so an AWS::Serverless:: type outside
it is an error, as CloudFormation refuses it ("Unrecognized resource types"). samlite has no
full registry of CloudFormation's types, so another AWS:: type is only a likely typo (a
warning) when it is a small edit away from a type samlite knows. Custom:: and other
namespaces (registry types) are left alone. A set lookup per resource; the edit distance runs
only for a type not found.
"""

from __future__ import annotations

from functools import cache

SAM_PREFIX = "AWS::Serverless::"

# The resource types the SAM transform defines (SAM specification, "Resource types").
SAM_TYPES: frozenset[str] = frozenset(SAM_PREFIX + name for name in (
    "Api", "Application", "Connector", "Function", "GraphQLApi", "HttpApi", "LayerVersion",
    "SimpleTable", "StateMachine"))

# Real CloudFormation types samlite reads or names without a schema of its own (schemas/ has
# the rest of the types it models).
READ_WITHOUT_SCHEMA: frozenset[str] = frozenset({
    "AWS::AmazonMQ::Broker", "AWS::ApiGateway::UsagePlan", "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster", "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role",
    "AWS::IoT::TopicRule", "AWS::KMS::Key", "AWS::Kinesis::Stream", "AWS::Logs::LogGroup",
    "AWS::MSK::Cluster", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy", "AWS::Scheduler::ScheduleGroup",
    "AWS::StepFunctions::StateMachine",
})

# Real types one small edit from a type samlite knows (ApiGatewayV2 beside ApiGateway), so
# that none of them is taken for a typo.
REAL_NEAR_KNOWN: frozenset[str] = frozenset({
    "AWS::ApiGatewayV2::Deployment", "AWS::ApiGatewayV2::Model",
    "AWS::CloudFormation::CustomResource", "AWS::IoT::Policy",
})


@cache   # a template repeats its types; each is judged once per process
def unknown_type(rtype: str, known: frozenset[str]) -> tuple[str, str] | None:
    """(code, message tail) for a type that does not exist or may not, else None.
    `known`: every type samlite knows, SAM_TYPES among them."""
    if rtype in known or not rtype.startswith("AWS::"):
        return None
    if rtype.startswith(SAM_PREFIX):
        close = closest(rtype, SAM_TYPES, segment_edits=3)
        hint = (f"did you mean {close}?" if close else
                "SAM defines " + ", ".join(sorted(SAM_TYPES)))
        return "E1017", f"SAM does not define it; {hint}"
    close = closest(rtype, known, segment_edits=2)
    if close is None:
        return None
    return "W1017", (f"samlite does not know it; did you mean {close}? (samlite knows only "
                     "the types it models, so this may still be a real type)")


def closest(rtype: str, options: frozenset[str], *, segment_edits: int) -> str | None:
    """The option that differs from `rtype` in one `::` segment only, and there by case or by
    a few edits (one on a segment of four letters or fewer: IAM is not a typo of IoT)."""
    parts = rtype.lower().split("::")
    best: tuple[int, str] | None = None
    for option, other in _segments(options):
        if len(other) != len(parts):
            continue
        differing = [(a, b) for a, b in zip(parts, other, strict=True) if a != b]
        if len(differing) > 1:
            continue
        if not differing:
            return option    # differs only by case
        word, known = differing[0]
        allowed = 1 if min(len(word), len(known)) <= 4 else segment_edits
        edits = _edits(word, known, allowed)
        if edits <= allowed and (best is None or edits < best[0]):
            best = (edits, option)
    return best[1] if best else None


@cache
def _segments(options: frozenset[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((o, tuple(o.lower().split("::"))) for o in sorted(options))


def _edits(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours from a to b
    (optimal string alignment); anything over `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if (before is not None and i > 1 and j > 1 and ca == b[j - 2]
                    and a[i - 2] == cb):
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return min(row[-1], limit + 1)
