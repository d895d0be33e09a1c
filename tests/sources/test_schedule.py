"""The schedule event source: schedules fire through a ManualClock, with the events
EventBridge and EventBridge Scheduler send; one runs a real Python function."""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from samlite.clock import ManualClock, SystemClock
from samlite.errors import Mark, UsageError
from samlite.graph.build import build_graph
from samlite.graph.model import Graph, Schedule, ScheduleTarget
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import FunctionSpec
from samlite.sources.schedule import Scheduler
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

from .fakes import FakeService

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
START = datetime(2026, 1, 1, tzinfo=UTC)          # ManualClock's default start


def schedule(expression: str, *, logical_id: str = "Tick", source: str = "Schedule",
             function: str = "HelloFunction", input: str | None = None,
             **fields: Any) -> Schedule:
    return Schedule(logical_id=logical_id, source=source, expression=expression,
                    targets=(ScheduleTarget(function=function, input=input),),
                    at=Mark("template.yaml"), **fields)


def scheduler(*schedules: Schedule, clock: ManualClock | None = None,
              ) -> tuple[Scheduler, FakeService, ManualClock]:
    clock = clock or ManualClock()
    service = FakeService()
    ids = iter(f"event-{n}" for n in range(1000))
    return (Scheduler(Graph(schedules=schedules), service, clock=clock, region="eu-west-1",
                      account_id="111122223333", new_id=lambda: next(ids)), service, clock)


def events(service: FakeService) -> list[Any]:
    return [json.loads(call.payload) for call in service.calls]


def fixture(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert doc.pop("_source")
    return doc


def test_a_rate_fires_every_interval_from_start_with_eventbridges_event() -> None:
    sched, service, clock = scheduler(schedule("rate(1 minute)"))
    clock.advance(seconds=59)
    assert sched.run_due() == 0
    clock.advance(seconds=1)
    assert sched.run_due() == 1
    assert sched.run_due() == 0            # each occurrence once
    clock.advance(seconds=60)
    assert sched.run_due() == 1
    first, second = events(service)
    assert [call.kind for call in service.calls] == ["async", "async"]
    assert first == {
        "version": "0", "id": "event-0", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "111122223333", "time": "2026-01-01T00:01:00Z",
        "region": "eu-west-1", "resources": ["arn:aws:events:eu-west-1:111122223333:rule/Tick"],
        "detail": {}}
    assert second["time"] == "2026-01-01T00:02:00Z" and second["id"] == "event-1"


@pytest.mark.parametrize(("source", "name"), [
    ("Schedule", "schedule-rule-aws-docs.json"),
    ("ScheduleV2", "schedule-scheduler-default.json")])
def test_the_event_has_the_shape_aws_sends(source: str, name: str) -> None:
    sched, service, clock = scheduler(schedule("rate(1 minute)", source=source))
    clock.advance(seconds=60)
    sched.run_due()
    [ours] = events(service)
    theirs = fixture(name)
    assert ours.keys() == theirs.keys()
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
    for key in ("version", "detail-type", "source", "detail"):
        assert ours[key] == theirs[key]


def test_scheduler_schedules_send_their_default_notification_without_input() -> None:
    sched, service, clock = scheduler(schedule("rate(1 minute)", source="ScheduleV2"))
    clock.advance(seconds=60)
    sched.run_due()
    [event] = events(service)
    assert event["resources"] == [
        "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/Tick"]
    assert (event["source"], event["detail"]) == ("aws.scheduler", "{}")


NAMED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 minute), Name: nightly-rule}
  EventSchedule:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: my-schedule
      GroupName: reports
      ScheduleExpression: rate(1 minute)
      FlexibleTimeWindow: {Mode: "OFF"}
      Target: {Arn: !GetAtt Fn.Arn, RoleArn: arn:aws:iam::111122223333:role/r}
"""


def test_named_schedules_send_their_name_in_resources_not_the_logical_id() -> None:
    # A queue policy's aws:SourceArn condition names this ARN (corpus app
    # eventbridge-schedule-to-lambda-dlq-sam-python).
    graph = build_graph(resolve(parse_template(NAMED, name="template.yaml")))
    clock = ManualClock()
    service = FakeService()
    sched = Scheduler(graph, service, clock=clock, region="eu-west-1",
                      account_id="111122223333", new_id=lambda: "id")
    clock.advance(seconds=60)
    sched.run_due()
    assert sorted(e["resources"][0] for e in events(service)) == [
        "arn:aws:events:eu-west-1:111122223333:rule/nightly-rule",
        "arn:aws:scheduler:eu-west-1:111122223333:schedule/reports/my-schedule"]


@pytest.mark.parametrize("source", ["Schedule", "ScheduleV2", "AWS::Events::Rule",
                                    "AWS::Scheduler::Schedule"])
def test_input_replaces_the_event(source: str) -> None:
    sched, service, clock = scheduler(schedule("rate(1 minute)", source=source,
                                               input='{"report": "daily"}'))
    clock.advance(seconds=60)
    sched.run_due()
    assert [call.payload for call in service.calls] == [b'{"report": "daily"}']
    # The dashboard's trigger names the schedule, which the Input no longer shows.
    assert [call.trigger for call in service.calls] == ["schedule Tick"]


def test_a_cron_fires_in_its_time_zone_across_a_dst_change() -> None:
    # 09:00 in New York every day: 14:00 UTC in winter, 13:00 UTC after 8 March 2026
    start = datetime(2026, 3, 6, 15, tzinfo=UTC).timestamp()
    sched, service, clock = scheduler(
        schedule("cron(0 9 * * ? *)", source="ScheduleV2", timezone="America/New_York"),
        clock=ManualClock(start))
    [(lid, function, when)] = sched.next_fires()
    assert (lid, function) == ("Tick", "HelloFunction")
    assert when == datetime(2026, 3, 7, 9, tzinfo=ZoneInfo("America/New_York"))
    for _ in range(4 * 24):                 # four days, an hour at a time
        clock.advance(seconds=3600)
        sched.run_due()
    assert [e["time"] for e in events(service)] == [
        "2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z",
        "2026-03-10T13:00:00Z"]


def fired_times(service: FakeService) -> list[str]:
    return [e["time"] for e in events(service)]


def run_for(sched: Scheduler, clock: ManualClock, *, hours: int, step_s: int = 900) -> None:
    for _ in range(hours * 3600 // step_s):
        clock.advance(seconds=step_s)
        sched.run_due()


def at_utc(*fields: int) -> ManualClock:
    return ManualClock(datetime(*fields, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(("zone", "start", "expected"), [
    pytest.param("Europe/Berlin", (2026, 3, 28, 10), ["2026-03-29T10:00:00Z",
                                                       "2026-03-30T10:00:00Z"], id="berlin"),
    pytest.param("America/New_York", (2026, 10, 31, 15), ["2026-11-01T15:00:00Z",
                                                           "2026-11-02T15:00:00Z"], id="ny"),
])
def test_a_rate_of_one_day_is_24_real_hours_across_a_dst_change(
        zone: str, start: tuple[int, ...], expected: list[str]) -> None:
    sched, service, clock = scheduler(
        schedule("rate(1 day)", source="ScheduleV2", timezone=zone), clock=at_utc(*start))
    run_for(sched, clock, hours=49)
    assert fired_times(service) == expected


def test_a_rate_that_fell_behind_across_a_dst_change_stays_on_its_real_time_grid() -> None:
    sched, service, clock = scheduler(
        schedule("rate(1 day)", source="ScheduleV2", timezone="Europe/Berlin"),
        clock=at_utc(2026, 3, 28, 10))
    clock.advance(seconds=3 * 86400 + 3600)             # asleep across the spring change
    sched.run_due()
    assert fired_times(service) == ["2026-03-31T10:00:00Z"]


@pytest.mark.parametrize(("zone", "expression", "start", "expected"), [
    pytest.param("America/New_York", "cron(30 2 * * ? *)", (2026, 3, 7, 5),
                 ["2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z"],
                 id="new-york-spring-skips-0230"),
    pytest.param("Europe/Berlin", "cron(30 2 * * ? *)", (2026, 3, 28, 0),
                 ["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"],
                 id="berlin-spring-skips-0230"),
    pytest.param("America/New_York", "cron(30 1 * * ? *)", (2026, 10, 31, 4),
                 ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z"],
                 id="new-york-autumn-0130-once"),
    pytest.param("Europe/Berlin", "cron(30 2 * * ? *)", (2026, 10, 24, 0),
                 ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
                 id="berlin-autumn-0230-once"),
])
def test_a_cron_skips_times_that_do_not_exist_and_fires_repeated_times_once(
        zone: str, expression: str, start: tuple[int, ...], expected: list[str]) -> None:
    sched, service, clock = scheduler(
        schedule(expression, source="ScheduleV2", timezone=zone), clock=at_utc(*start))
    run_for(sched, clock, hours=50)
    assert fired_times(service) == expected


def test_a_scheduler_started_in_the_second_pass_of_a_repeated_hour_waits_for_its_end() -> None:
    # 06:10 UTC on 1 November 2026 is 01:10 EST, New York's repeated hour for the second time
    sched, service, clock = scheduler(
        schedule("cron(0/30 * * * ? *)", source="ScheduleV2", timezone="America/New_York"),
        clock=at_utc(2026, 11, 1, 6, 10))
    [(_, _, when)] = sched.next_fires()
    assert when.astimezone(UTC) == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)   # 02:00 EST
    run_for(sched, clock, hours=1, step_s=60)
    assert fired_times(service) == ["2026-11-01T07:00:00Z"]


def test_a_disabled_schedule_does_not_fire_but_can_be_fired_by_hand() -> None:
    sched, service, clock = scheduler(schedule("rate(1 minute)", is_enabled=False))
    assert sched.next_fires() == []
    clock.advance(seconds=3600)
    assert sched.run_due() == 0
    assert sched.fire_now("Tick") == "r-async"
    [event] = events(service)
    assert event["time"] == "2026-01-01T01:00:00Z"


def test_fire_now_names_the_schedules_when_the_name_is_unknown() -> None:
    sched, _, _ = scheduler(schedule("rate(1 minute)"))
    with pytest.raises(UsageError, match=r"no schedule 'Nope' \(schedules: Tick\)"):
        sched.fire_now("Nope")


def test_an_at_schedule_fires_once() -> None:
    sched, service, clock = scheduler(schedule("at(2026-01-01T00:05:00)",
                                               source="AWS::Scheduler::Schedule"))
    for _ in range(20):
        clock.advance(seconds=60)
        sched.run_due()
    assert [e["time"] for e in events(service)] == ["2026-01-01T00:05:00Z"]
    assert sched.next_fires() == []


def test_start_and_end_dates_bound_the_fires() -> None:
    sched, service, clock = scheduler(schedule(
        "cron(0/10 * * * ? *)", source="ScheduleV2", start_date="2026-01-01T00:20:00Z",
        end_date="2026-01-01T00:40:00Z"))
    for _ in range(60):
        clock.advance(seconds=60)
        sched.run_due()
    assert [e["time"] for e in events(service)] == [
        "2026-01-01T00:20:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:40:00Z"]
    assert sched.next_fires() == []


def test_a_rate_counts_from_a_future_start_date() -> None:
    sched, _, _ = scheduler(schedule("rate(5 minutes)", source="ScheduleV2",
                                     start_date="2026-01-01T01:00:00Z"))
    assert [when for _, _, when in sched.next_fires()] == [START + timedelta(hours=1,
                                                                               minutes=5)]


def test_a_schedule_that_fell_behind_fires_its_latest_occurrence_once() -> None:
    sched, service, clock = scheduler(schedule("rate(1 minute)"),
                                      schedule("cron(0 * * * ? *)", logical_id="Hourly"))
    clock.advance(seconds=3 * 3600 + 90)    # asleep for three hours and a half minute
    assert sched.run_due() == 2
    assert [(e["resources"][0].rsplit("/")[-1], e["time"]) for e in events(service)] == [
        ("Hourly", "2026-01-01T03:00:00Z"), ("Tick", "2026-01-01T03:01:00Z")]
    clock.advance(seconds=30)
    assert sched.run_due() == 1             # then back on its grid
    assert events(service)[-1]["time"] == "2026-01-01T03:02:00Z"


def test_occurrences_fire_in_time_order_across_schedules() -> None:
    sched, service, clock = scheduler(schedule("rate(2 minutes)", logical_id="B"),
                                      schedule("rate(1 minute)", logical_id="A"))
    clock.advance(seconds=120)
    sched.run_due(START + timedelta(seconds=60))
    sched.run_due(START + timedelta(seconds=120))
    assert [(e["resources"][0][-1], e["time"][11:16]) for e in events(service)] == [
        ("A", "00:01"), ("A", "00:02"), ("B", "00:02")]


def test_every_target_of_a_rule_gets_the_same_event() -> None:
    rule = Schedule(logical_id="Rule", source="AWS::Events::Rule", expression="rate(1 minute)",
                    targets=(ScheduleTarget(function="A"), ScheduleTarget(function="B")),
                    at=Mark("template.yaml"))
    sched, service, clock = scheduler(rule)
    clock.advance(seconds=60)
    assert sched.run_due() == 2
    assert [call.function for call in service.calls] == ["A", "B"]
    assert service.calls[0].payload == service.calls[1].payload


def test_update_keeps_unchanged_schedules_and_follows_changed_ones() -> None:
    sched, service, clock = scheduler(schedule("rate(5 minutes)"),
                                      schedule("rate(1 minute)", logical_id="Gone"))
    clock.advance(seconds=120)
    sched.update(Graph(schedules=(schedule("rate(5 minutes)"),
                                  schedule("rate(1 hour)", logical_id="New"))))
    assert [(lid, when) for lid, _, when in sched.next_fires()] == [
        ("Tick", START + timedelta(minutes=5)),       # still counting from the start
        ("New", START + timedelta(minutes=62))]       # counting from the reload
    sched.update(Graph(schedules=(schedule("rate(5 minutes)", is_enabled=False),)))
    clock.advance(seconds=3600)
    assert sched.run_due() == 0 and service.calls == []


def test_the_thread_fires_at_its_time_not_before() -> None:
    clock = SystemClock()
    fired: list[float] = []
    done = threading.Event()

    class Recorder(FakeService):
        def invoke_async(self, function: str, payload: bytes, *,
                         trigger: str | None = None) -> str:
            fired.append(clock.now())
            done.set()
            return "r-1"

    due = datetime.fromtimestamp(int(clock.now()) + 2, UTC)
    expression = f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    sched = Scheduler(Graph(schedules=(schedule(expression, source="ScheduleV2"),)),
                      Recorder(), clock=clock)
    sched.start()
    try:
        assert done.wait(timeout=20)   # due in at most 2 s: only a thread that never fires
    finally:
        sched.stop()
    # Not early: a lower bound no slow machine breaks. How late (target: within 100 ms) is
    # benchmarks/aws.py's "schedule fire accuracy" figure, not a test's.
    assert fired[0] >= due.timestamp()


def test_stop_wakes_a_sleeping_thread() -> None:
    sched, _, _ = scheduler(schedule("rate(1 day)"))
    sched.start()
    stopped = threading.Thread(target=sched.stop)
    stopped.start()
    stopped.join(timeout=2)
    assert not stopped.is_alive()


def test_a_rate_schedule_runs_a_real_python_function(tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "app.py").write_text(
        "import json\n"
        "def handler(event, context):\n"
        "    print('EVENT ' + json.dumps(event), flush=True)\n", encoding="utf-8")
    spec = FunctionSpec(logical_id="Fn", function_name="Fn", handler="app.handler",
                        runtime=f"python{sys.version_info.major}.{sys.version_info.minor}",
                        code_dir=code)
    got: list[dict[str, Any]] = []
    seen = threading.Event()

    def log(function: str, line: str) -> None:
        if line.startswith("EVENT "):
            got.append(json.loads(line.removeprefix("EVENT ")))
            seen.set()

    clock = ManualClock()
    service = LambdaService([spec], environments=ProcessEnvironment,  # type: ignore[arg-type]
                            log=log, tmp_root=tmp_path / "envs")
    service.start()
    try:
        sched = Scheduler(Graph(schedules=(schedule("rate(1 minute)", function="Fn"),)),
                          service, clock=clock)
        clock.advance(seconds=30)
        assert sched.run_due() == 0
        clock.advance(seconds=30)
        assert sched.run_due() == 1
        assert seen.wait(timeout=30)
    finally:
        service.stop(grace_s=1)
    [event] = got
    assert (event["detail-type"], event["time"]) == ("Scheduled Event", "2026-01-01T00:01:00Z")


def test_startup_shows_each_schedules_next_fire() -> None:
    from samlite.cli.summary import startup_lines

    graph = Graph(schedules=(
        schedule("cron(0 9 * * ? *)", source="ScheduleV2", timezone="Europe/Paris",
                 logical_id="HelloFunctionTick", event="Tick"),
        schedule("rate(1 hour)", logical_id="Off", is_enabled=False)))
    sched, _, _ = scheduler(*graph.schedules)
    lines = startup_lines(graph, [], runtime_kind="process", route_lines=[],
                          function_urls={}, next_fires=sched.next_fires())
    at = lines.index("Schedules (2)")
    # TRIGGER: the names `samlite trigger` takes, the event's own and its full id
    assert lines[at + 1:at + 4] == [
        "  SCHEDULE           EXPRESSION                        FUNCTION       NEXT FIRE"
        "                  TRIGGER",
        "  HelloFunctionTick  cron(0 9 * * ? *) (Europe/Paris)  HelloFunction  "
        "2026-01-01 09:00:00+01:00  Tick or HelloFunctionTick",
        "  Off                rate(1 hour)                      HelloFunction  disabled"
        "                   Off"]
    assert not any("Other triggers" in line for line in lines)


def test_an_app_with_an_http_gateway_runs_the_templates_schedules(tmp_path: Path) -> None:
    from samlite.app.root import App, AppOptions
    from tests.app.test_app import write_app

    from .fakes import fake_factory

    template = write_app(tmp_path, "HelloFunction", extra="""      Events:
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 2 * * ? *)
            StartDate: "2026-06-01T00:00:00Z"
""")
    service = FakeService()
    no_gateway = App(template, AppOptions(), service_factory=fake_factory(FakeService()),
                     environments=lambda settings: None)
    assert no_gateway.scheduler is None
    no_gateway.close()
    with App(template, AppOptions(http_port=0), service_factory=fake_factory(service),
             environments=lambda settings: None, clock=ManualClock()) as app:
        assert app.scheduler is not None
        [(lid, function, when)] = app.scheduler.next_fires()
        assert (lid, function, when) == ("HelloFunctionNightly", "HelloFunction",
                                         datetime(2026, 6, 1, 2, tzinfo=UTC))
        assert app.scheduler.fire_now("HelloFunctionNightly") == "r-async"
    assert json.loads(service.calls[0].payload)["source"] == "aws.scheduler"


class FakeRuleStates:
    """The rule engine's side: which rules are off, and rules made through the API."""

    def __init__(self) -> None:
        self.off: set[str] = set()
        self.made: tuple[Schedule, ...] = ()

    def schedule_is_enabled(self, schedule: Schedule) -> bool:
        return schedule.logical_id not in self.off

    def api_schedules(self) -> tuple[Schedule, ...]:
        return self.made


def test_a_rule_turned_off_stops_and_turned_on_counts_from_then() -> None:
    rules, clock, service = FakeRuleStates(), ManualClock(), FakeService()
    sched = Scheduler(Graph(schedules=(schedule("rate(1 hour)"),)), service, clock=clock,
                      rules=rules)
    clock.advance(seconds=1800)
    rules.off.add("Tick")
    sched.refresh()
    clock.advance(seconds=3600)
    assert sched.run_due() == 0
    rules.off.clear()
    sched.refresh()
    clock.advance(seconds=1800)
    assert sched.run_due() == 0                # not at the old rate's next hour
    clock.advance(seconds=1800)
    assert sched.run_due() == 1
    assert [e["time"] for e in events(service)] == ["2026-01-01T02:30:00Z"]


def test_rules_made_through_the_api_fire_beside_the_templates() -> None:
    rules, clock, service = FakeRuleStates(), ManualClock(), FakeService()
    sched = Scheduler(Graph(), service, clock=clock, rules=rules)
    rules.made = (schedule("rate(5 minutes)", logical_id="made", source="PutRule",
                           function="Other", input='{"api": 1}'),)
    sched.refresh()
    clock.advance(seconds=300)
    assert sched.run_due() == 1
    assert [(c.function, json.loads(c.payload)) for c in service.calls] == [
        ("Other", {"api": 1})]
