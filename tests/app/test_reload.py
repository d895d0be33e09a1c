"""Which functions a saved file touches, whether the template reloads, and the one line that
says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.app.reload import ChangePlan, describe_template_change, plan_changes, watch_roots
from samlite.errors import Mark
from samlite.graph.build import build_graph
from samlite.graph.model import ApiKind, Graph, Route
from samlite.template.load import parse_template
from samlite.template.resolve import resolve
from tests.sources.fakes import spec

PROJECT = Path("/proj")
TEMPLATE = PROJECT / "template.yaml"
SAMCONFIG = PROJECT / "samconfig.toml"
SPECS = (
    spec("HelloFunction", code_dir=PROJECT / "hello", layer_dirs=(PROJECT / "layers/deps",)),
    spec("WorldFunction", code_dir=PROJECT / "world", layer_dirs=(PROJECT / "layers/deps",)),
    spec("SharedA", code_dir=PROJECT / "shared"),
    spec("SharedB", code_dir=PROJECT / "shared"),
    spec("ImageFunction", code_dir=PROJECT, package_type="Image", image_uri="img:latest"),
)


def plan(*changed: str) -> ChangePlan:
    return plan_changes([PROJECT / p for p in changed], template=TEMPLATE, specs=SPECS,
                        extra_files=[SAMCONFIG])


PLANS = [
    ("one function's code", ["hello/app.py"], ("HelloFunction",), False,
     "HelloFunction: hello/app.py changed"),
    ("a nested file", ["hello/pkg/util.py"], ("HelloFunction",), False,
     "HelloFunction: hello/pkg/util.py changed"),
    ("a deleted code folder", ["hello"], ("HelloFunction",), False,
     "HelloFunction: hello changed"),
    ("a layer touches every user", ["layers/deps/python/lib.py"],
     ("HelloFunction", "WorldFunction"), False,
     "HelloFunction, WorldFunction: layers/deps/python/lib.py changed"),
    ("a shared CodeUri", ["shared/app.py"], ("SharedA", "SharedB"), False,
     "SharedA, SharedB: shared/app.py changed"),
    ("two functions, two clauses", ["world/app.py", "hello/app.py"],
     ("HelloFunction", "WorldFunction"), False,
     "HelloFunction: hello/app.py changed; WorldFunction: world/app.py changed"),
    ("many files are counted", ["hello/a.py", "hello/b.py", "hello/c.py", "hello/d.py",
                                "hello/e.py"], ("HelloFunction",), False,
     "HelloFunction: hello/a.py, hello/b.py, hello/c.py and 2 more changed"),
    ("the template", ["template.yaml"], (), True, "template.yaml changed"),
    ("samconfig.toml", ["samconfig.toml"], (), True, "samconfig.toml changed"),
    ("template and code together", ["template.yaml", "hello/app.py"], ("HelloFunction",),
     True, "template.yaml changed; HelloFunction: hello/app.py changed"),
    ("a file nothing uses", ["README.md", "hello_test/x.py"], (), False, ""),
    ("an image function has no code folder", ["Dockerfile"], (), False, ""),
]


@pytest.mark.parametrize(("case", "changed", "recycle", "reload_template", "why"), PLANS,
                         ids=[c[0] for c in PLANS])
def test_plan_changes(case: str, changed: list[str], recycle: tuple[str, ...],
                      reload_template: bool, why: str) -> None:
    result = plan(*changed)
    assert (result.recycle, result.reload_template, result.why) == (recycle, reload_template,
                                                                    why)
    assert result.is_empty == (not recycle and not reload_template)


def test_the_line_after_a_template_reload_says_what_it_applied() -> None:
    result = plan("template.yaml", "hello/app.py")
    assert result.line("+NewFunction") == ("template.yaml changed: +NewFunction; "
                                           "HelloFunction: hello/app.py changed")
    assert plan("hello/app.py").line("ignored") == "HelloFunction: hello/app.py changed"


def test_a_template_inside_a_code_folder_reloads_but_does_not_recycle() -> None:
    # CodeUri: . puts the template inside the function's own folder.
    specs = (spec("RootFunction", code_dir=PROJECT),)
    result = plan_changes([TEMPLATE, PROJECT / "app.py"], template=TEMPLATE, specs=specs)
    assert result.reload_template
    assert result.why == "template.yaml changed; RootFunction: app.py changed"


def test_watch_roots_are_code_and_layer_folders_and_the_settings_files() -> None:
    assert watch_roots(TEMPLATE, SPECS, [SAMCONFIG]) == {
        TEMPLATE, SAMCONFIG, PROJECT / "hello", PROJECT / "world", PROJECT / "shared",
        PROJECT / "layers/deps"}


def route(method: str, path: str, function: str, api: str = "ServerlessHttpApi") -> Route:
    return Route(api=api, kind=ApiKind.HTTP, method=method, path=path, function=function,
                 event="E", payload_format_version="2.0", at=Mark("template.yaml", 1, 1))


def test_describe_template_change() -> None:
    old = (spec("HelloFunction"), spec("OldFunction"), spec("SameFunction"))
    new = (spec("HelloFunction", memory_mb=256), spec("NewFunction"), spec("SameFunction"))
    old_routes = (route("GET", "/hello", "HelloFunction"), route("POST", "/old", "OldFunction"),
                  route("GET", "/same", "SameFunction"))
    new_routes = (route("GET", "/hello", "NewFunction"), route("GET", "/same", "SameFunction"),
                  route("GET", "/items", "NewFunction", api="MyApi"))
    assert describe_template_change(old, new, old_routes, new_routes) == (
        "+NewFunction, -OldFunction, ~HelloFunction; "
        "routes +MyApi GET /items, -POST /old, ~GET /hello")
    assert describe_template_change(old, old) == "nothing to apply"


def test_describe_template_change_names_queues_buckets_and_event_sources() -> None:
    from samlite.graph.model import Bucket, Graph, Queue, SqsSettings, Trigger, TriggerKind

    def queue(name: str, line: int, visibility: int = 30) -> Queue:
        return Queue(logical_id=name, queue_name=name, url=f"u/{name}", arn=f"a:{name}",
                     visibility_timeout_s=visibility, at=Mark("template.yaml", line, 1))

    def trigger(enabled: bool, line: int) -> Trigger:
        return Trigger(logical_id="Jobs", kind=TriggerKind.SQS, event_type="SQS",
                       function="Worker", source="Jobs", runs_locally=True,
                       sqs=SqsSettings(is_enabled=enabled), at=Mark("template.yaml", line, 1))

    from samlite.graph.model import Function

    def graph(*, enabled: bool, shift: int, queues: tuple[Queue, ...],
              buckets: tuple[Bucket, ...] = ()) -> Graph:
        worker = Function(logical_id="Worker", resource_type="AWS::Serverless::Function",
                          function_name="Worker", events=(trigger(enabled, 9 + shift),),
                          at=Mark("template.yaml", 5 + shift, 1))
        return Graph(functions=(worker,), queues=queues, buckets=buckets)

    before = graph(enabled=False, shift=0, queues=(queue("Jobs", 2),))
    moved = graph(enabled=False, shift=3, queues=(queue("Jobs", 5),))
    assert describe_template_change((), (), (), (), before, moved) == "nothing to apply"
    after = graph(enabled=True, shift=0, queues=(queue("Jobs", 2, visibility=60),
                                                 queue("Dlq", 3)),
                  buckets=(Bucket(logical_id="Inbox", bucket_name="inbox",
                                  at=Mark("template.yaml", 4, 1)),))
    assert describe_template_change((), (), (), (), before, after) == \
        "buckets +Inbox; queues +Dlq, ~Jobs; triggers ~Worker.Jobs"


REQUIREMENTS = {"HelloFunction": (PROJECT / "hello/requirements.txt",),
                "Deps": (PROJECT / "layers/deps/requirements.txt", PROJECT / "base.txt")}


@pytest.mark.parametrize(("case", "changed", "reinstall", "recycle", "why"), [
    ("a function's requirements", ["hello/requirements.txt"], ("HelloFunction",),
     ("HelloFunction",), "HelloFunction: hello/requirements.txt changed"),
    ("a layer's requirements", ["layers/deps/requirements.txt"], ("Deps",),
     ("HelloFunction", "WorldFunction"),
     "HelloFunction, WorldFunction: layers/deps/requirements.txt changed"),
    ("an included file outside every code folder", ["base.txt"], ("Deps",), (),
     "requirements of Deps changed"),
    ("code only installs nothing", ["hello/app.py"], (), ("HelloFunction",),
     "HelloFunction: hello/app.py changed"),
], ids=lambda value: value if isinstance(value, str) and " " in value else "")
def test_a_requirements_change_reinstalls_its_owner(case: str, changed: list[str],
                                                    reinstall: tuple[str, ...],
                                                    recycle: tuple[str, ...], why: str) -> None:
    result = plan_changes([PROJECT / p for p in changed], template=TEMPLATE, specs=SPECS,
                          requirements=REQUIREMENTS)
    assert (result.reinstall, result.recycle, result.why) == (reinstall, recycle, why)
    assert not result.is_empty


HTTP_API = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: https://issuer.example.com
              audience: [@AUDIENCE@]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: GET
            Path: /items
            Auth: {Authorizer: Jwt, AuthorizationScopes: [@SCOPE@]}
"""


def http_api_graph(audience: str = "app", scope: str = "read", shift: int = 0) -> Graph:
    text = "\n" * shift + HTTP_API.replace("@AUDIENCE@", audience).replace("@SCOPE@", scope)
    return build_graph(resolve(parse_template(text, name="template.yaml")))


@pytest.mark.parametrize(("case", "after"), [
    ("a JWT authorizer's audience", http_api_graph(audience="other")),
    ("a route's authorization scopes", http_api_graph(scope="write")),
])
def test_an_api_change_is_named_not_nothing_to_apply(case: str, after: Graph) -> None:
    before = http_api_graph()
    assert describe_template_change((), (), before.routes, after.routes, before, after) == \
        "APIs ~Api"


def test_an_api_that_only_moved_is_no_change() -> None:
    before, moved = http_api_graph(), http_api_graph(shift=3)
    assert describe_template_change((), (), before.routes, moved.routes, before, moved) == \
        "nothing to apply"


RESOURCES = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
@STREAM@
  Alerts:
    Type: AWS::SNS::Topic
    Properties: {TopicName: @TOPIC@}
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: orders}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [@SOURCE@]}
      Targets: [{Id: t, Arn: !Ref Alerts}]
  Token:
    Type: AWS::SecretsManager::Secret
    Properties: {SecretString: @SECRET@}
  Flag:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: @VALUE@}
"""


def resources_graph(shift: int = 0, **changes: str) -> Graph:
    values = {"STREAM": "", "TOPIC": "alerts", "SOURCE": "shop", "SECRET": "s1",
              "VALUE": "on", **changes}
    text = RESOURCES
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return build_graph(resolve(parse_template("\n" * shift + text, name="template.yaml")))


@pytest.mark.parametrize(("change", "said"), [
    ({"STREAM": "      StreamSpecification: {StreamViewType: NEW_IMAGE}"}, "tables ~Orders"),
    ({"TOPIC": "alarms"}, "topics ~Alerts"),
    ({"SOURCE": "store"}, "rules ~Rule"),
    ({"SECRET": "s2"}, "secrets ~Token"),
    ({"VALUE": "off"}, "parameters ~Flag"),
], ids=["table-stream", "topic", "rule", "secret", "parameter"])
def test_a_resource_change_is_named_not_nothing_to_apply(change: dict[str, str],
                                                          said: str) -> None:
    before, after = resources_graph(), resources_graph(**change)
    assert said in describe_template_change((), (), (), (), before, after).split("; ")


def test_resources_that_only_moved_are_no_change() -> None:
    before, moved = resources_graph(), resources_graph(shift=2)
    assert describe_template_change((), (), (), (), before, moved) == "nothing to apply"


def test_a_function_whose_code_is_the_same_bytes_is_not_recycled() -> None:
    same = plan_changes([PROJECT / "layers/deps/python/lib.py"], template=TEMPLATE,
                        specs=SPECS, same_code=("HelloFunction",))
    assert (same.recycle, same.why) == (("WorldFunction",),
                                        "WorldFunction: layers/deps/python/lib.py changed")
