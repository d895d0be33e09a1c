"""The composition root's AWS half: the local S3 and SQS behind the endpoint, the template's
buckets and queues made to exist, and the event sources that connect them to functions
(S3 notifications, SQS pollers, the durable asynchronous queue and its destinations).

moto is imported only when something needs it: an app with no bucket or queue starts
without it, and its first S3 or SQS request brings it in.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.app.messaging import Messaging
from samlite.app.secrets_parameters import ensure_parameters, ensure_secrets
from samlite.app.tables import Tables
from samlite.aws.s3.object_event import ObjectEvent
from samlite.aws.sts.route import StsRoute
from samlite.aws.sts.service import LocalSts
from samlite.aws.unserved import UnservedRoute
from samlite.clock import Clock, SystemClock
from samlite.errors import SamliteError
from samlite.graph.model import Graph, Queue, Trigger
from samlite.http.messages import BodyProblem, BodyRules, Request, Response, Route
from samlite.http.server import MAX_BODY_BYTES
from samlite.runtime.async_invoke import (
    DEFAULT_MAX_EVENT_AGE_S,
    DEFAULT_MAX_RETRY_ATTEMPTS,
    AsyncInvocations,
    AsyncPolicy,
    SqliteEventStore,
)
from samlite.sources.destinations import Destinations
from samlite.sources.s3.notifications import S3Notifications
from samlite.sources.sqs.poller import SqsEventSources
from samlite.state import StateDir

if TYPE_CHECKING:
    from samlite.aws.s3.service import LocalS3
    from samlite.aws.secretsmanager.service import LocalSecrets
    from samlite.aws.sqs.service import LocalSqs
    from samlite.aws.ssm.service import LocalParameters

LogSink = Callable[[str, str], None]


class AwsServices:
    def __init__(self, graph: Graph, *, service: Any, state: StateDir | None,
                 account_id: str, region: str, note: LogSink, clock: Clock | None = None,
                 backoff_scale: float = 1.0) -> None:
        """`service` is the LambdaService (invoke, invoke_async, run_invocation,
        use_async_events)."""
        self.graph = graph
        self._service = service
        self._state = state.create() if state is not None else None
        self._account_id = account_id
        self._region = region
        self._note = note
        self._clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._s3: LocalS3 | None = None
        self._sqs: LocalSqs | None = None
        self.sts = LocalSts(account_id=account_id, clock=self._clock)
        self._secrets: LocalSecrets | None = None
        self._parameters: LocalParameters | None = None
        self.notifications = S3Notifications(graph, invoker=service, region=region, note=note)
        self.destinations = Destinations(graph, queues=_LazyQueues(self),
                                         queue_name_for=self._queue_name_for,
                                         invoker=service, note=note,
                                         publish=lambda *args: self.messaging.to_topic(*args))
        store = SqliteEventStore(self._state.async_db) if self._state is not None else None
        self.async_events = AsyncInvocations(
            run=service.run_invocation, policy_for=self._policy_for,
            deliver=self.destinations.deliver, store=store, clock=self._clock,
            backoff_scale=backoff_scale, note=note)
        service.use_async_events(self.async_events)
        self.pollers = SqsEventSources(graph, queues=_LazyQueues(self),
                                       queue_name_for=self._queue_name_for,
                                       invoker=service, region=region, note=note)
        self.messaging = Messaging(graph, service=service, queues=_LazyQueues(self),
                                   queue_name_for=self._queue_name_for, account_id=account_id,
                                   region=region, clock=self._clock, note=note,
                                   sns_db=self._state.sns_db if self._state else None,
                                   events_db=self._state.events_db if self._state else None)
        self.tables = Tables(graph, state=self._state, account_id=account_id, region=region,
                             clock=self._clock, invoker=service, queues=_LazyQueues(self),
                             queue_name_for=self._queue_name_for, note=note)
        self.ensure_resources(graph)

    # --- the services, made on first need ----------------------------------------------
    @property
    def sqs(self) -> LocalSqs:
        with self._lock:
            if self._sqs is None:
                from samlite.aws.sqs.service import LocalSqs

                self._sqs = LocalSqs(
                    db_path=self._state.sqs_db if self._state is not None else None,
                    account_id=self._account_id, region=self._region, clock=self._clock)
            return self._sqs

    @property
    def s3(self) -> LocalS3:
        with self._lock:
            if self._s3 is None:
                from samlite.aws.s3.service import LocalS3

                self._s3 = LocalS3(state=self._state, account_id=self._account_id,
                                   region=self._region, clock=self._clock,
                                   on_event=self._on_object_event)
            return self._s3

    @property
    def secrets(self) -> LocalSecrets:
        """Made on first need (moto's import takes a while), with the template's secrets."""
        with self._lock:
            if self._secrets is None:
                from samlite.aws.secretsmanager.service import LocalSecrets

                secrets = LocalSecrets(
                    db_path=self._state.parameters_db if self._state is not None else None,
                    account_id=self._account_id, region=self._region)
                try:
                    ensure_secrets(self.graph, secrets)
                except BaseException:
                    secrets.close()
                    raise
                self._secrets = secrets
            return self._secrets

    @property
    def parameters(self) -> LocalParameters:
        """Made on first need (moto's SSM imports its EC2 models: over a second), with the
        template's parameters."""
        with self._lock:
            if self._parameters is None:
                from samlite.aws.ssm.service import LocalParameters

                parameters = LocalParameters(
                    db_path=self._state.parameters_db if self._state is not None else None,
                    account_id=self._account_id, region=self._region)
                try:
                    ensure_parameters(self.graph, parameters)
                except BaseException:
                    parameters.close()
                    raise
                self._parameters = parameters
            return self._parameters

    def call_sqs(self, request: Request) -> Response:
        """An SQS API call made in-process (the gateway's SQS service integrations)."""
        return self.sqs.route().handle(request)

    def call(self, request: Request) -> Response:
        """An AWS API call made in-process (the gateway's service integrations): SQS's when
        it is one, else S3's."""
        from samlite.aws.sqs.route import is_sqs_request

        for route in self.messaging.routes():   # SNS, EventBridge-PutEvents
            if route.handles(request):
                return route.handle(request)
        return self.call_sqs(request) if is_sqs_request(request) \
            else _S3Route(self).handle(request)

    def routes(self) -> list[Route]:
        """For the endpoint, after the Invoke API: DynamoDB (claimed by its X-Amz-Target), SNS
        and EventBridge, services not run here, STS, Secrets Manager, Parameter Store, SQS,
        then S3."""
        return [self.tables.route(), *self.messaging.routes(), UnservedRoute(),
                StsRoute(self.sts), _TargetRoute(self, "secretsmanager."),
                _TargetRoute(self, "AmazonSSM."), _SqsRoute(self), _S3Route(self)]

    @property
    def buckets_dir(self) -> Path | None:
        return self._state.buckets_dir if self._state is not None else None

    # --- lifecycle --------------------------------------------------------------------------
    def ensure_resources(self, graph: Graph) -> None:
        """The template's queues (dead-letter queues first) and buckets exist, under the
        names its Ref/GetAtt give."""
        for queue in _dead_letter_first(graph.queues):
            self.sqs.ensure_queue(queue.queue_name, queue_attributes(queue, graph))
        for bucket in graph.buckets:
            self.s3.ensure_bucket(bucket.bucket_name)
        # Secrets and parameters: now if their service exists, else when it is made (from
        # this graph, which a reload's references may already need).
        self.graph = graph
        with self._lock:
            secrets, parameters = self._secrets, self._parameters
        if secrets is not None:
            ensure_secrets(graph, secrets)
        if parameters is not None:
            ensure_parameters(graph, parameters)
        self.messaging.ensure_resources(graph)
        self.tables.ensure(graph)

    def start(self) -> None:
        self.pollers.start()
        self.tables.start(self.graph)
        self._prepare_in_background()

    def serving(self) -> None:
        """`up` is ready: the tables are made now (app/tables.py)."""
        self.tables.serving()

    def _prepare_in_background(self) -> None:
        """Make the Secrets Manager and Parameter Store the template needs while the app
        serves, so `up` starts without waiting for moto; a call that comes first waits for
        it. A secret or parameter the service refuses is said in the log."""
        wanted = [name for name, needed in (("secrets", self.graph.secrets),
                                            ("parameters", self.graph.parameters)) if needed]
        if not wanted:
            return

        def prepare() -> None:
            for name in wanted:
                try:
                    getattr(self, name)
                except SamliteError as exc:
                    self._note("samlite", f"error: {exc}")

        threading.Thread(target=prepare, name="samlite-secrets", daemon=True).start()

    def update(self, graph: Graph) -> None:
        """Hot reload: new queues and buckets appear, mappings and notifications follow."""
        self.graph = graph
        self.ensure_resources(graph)
        self.notifications.update(graph)
        self.destinations.update(graph)
        self.pollers.update(graph)
        self.tables.update(graph)

    def sync_bucket_files(self, paths: Iterable[Path]) -> None:
        """Files dropped into (or removed from) a bucket folder while running."""
        self.s3.sync_from_disk(paths)

    def stop_taking_work(self) -> None:
        """Pollers and stream readers take no new batch (the ones being invoked finish)."""
        self.tables.stop_reading()
        self.pollers.stop()

    def stop(self) -> None:
        self.tables.stop()      # before SQS: a given-up batch goes to an SQS queue
        self.pollers.stop()
        with self._lock:
            sqs, s3 = self._sqs, self._s3
        if sqs is not None:
            sqs.close()     # wakes the pollers' long polls
        self.pollers.join()
        if s3 is not None:
            s3.close()
        with self._lock:
            secrets, parameters = self._secrets, self._parameters
            self._secrets = self._parameters = None
        for service in (secrets, parameters):
            if service is not None:
                service.close()
        self.messaging.close()

    def fire_s3_trigger(self, trigger: Trigger) -> str:
        """Replay the newest object of the trigger's bucket that its filter lets through."""
        from samlite.errors import UsageError
        from samlite.sources.s3.events import matches_notification

        bucket = next((b for b in self.graph.buckets
                       if trigger.s3 is not None and b.logical_id == trigger.s3.bucket), None)
        if bucket is None or trigger.s3 is None:
            raise UsageError(f"{trigger.logical_id}: its bucket is not in this template")
        rules = trigger.s3.filter_rules

        def wanted(key: str) -> bool:
            return matches_notification(("s3:ObjectCreated:*",), rules, "ObjectCreated:Put",
                                        key)

        event = self.s3.latest_object_event(bucket.bucket_name, wanted)
        if event is None:
            raise UsageError(f"{trigger.logical_id}: bucket {bucket.bucket_name} has no object "
                             f"its filter lets through; upload one (aws s3 cp FILE "
                             f"s3://{bucket.bucket_name}/KEY --endpoint-url ...)")
        request_id = self.notifications.invoke(trigger.function, event,
                                               configuration_id=trigger.logical_id)
        if request_id is None:
            raise UsageError(f"{trigger.logical_id}: {trigger.function} refused the event "
                             "(see its log)")
        return request_id

    def fire_sqs_trigger(self, trigger: Trigger) -> str:
        """Send the trigger's queue a sample message (a body its filter's `body` fields
        accept, else {"samlite": "trigger"}); its poller hands it on as any message. The
        MessageId."""
        from samlite.aws.sqs.model import SqsError
        from samlite.errors import UsageError
        from samlite.sources.eventbridge.sample import sample_fields

        name = self._queue_name_for(trigger.source or "")
        if name is None:
            raise UsageError(f"{trigger.logical_id}: its queue {trigger.source} is not a "
                             "queue of this app, so nothing here reads it")
        patterns = trigger.sqs.filter_patterns if trigger.sqs is not None else ()
        body = next((fields["body"] for fields in map(sample_fields, patterns)
                     if isinstance(fields.get("body"), dict)), {"samlite": "trigger"})
        fifo = name.endswith(".fifo")
        try:
            return self.sqs.send(name, json.dumps(body),
                                 group_id="samlite-trigger" if fifo else None,
                                 deduplication_id=str(uuid.uuid4()) if fifo else None)
        except SqsError as exc:   # e.g. the queue was deleted through the API
            raise UsageError(f"{trigger.logical_id}: queue {name} refused the message: "
                             f"{exc}") from exc

    # --- wiring -----------------------------------------------------------------------------
    def _on_object_event(self, event: ObjectEvent) -> None:
        self.notifications.on_event(event)

    def _queue_name_for(self, reference: str) -> str | None:
        for queue in self.graph.queues:
            if reference in (queue.logical_id, queue.arn, queue.url, queue.queue_name):
                return queue.queue_name
        return self.sqs.queue_name_for(reference)

    def _policy_for(self, function: str) -> AsyncPolicy:
        fn = next((f for f in self.graph.functions if f.logical_id == function), None)
        if fn is None:
            return AsyncPolicy()
        invoke = fn.event_invoke
        retries = invoke.max_retry_attempts if invoke is not None else None
        age = invoke.max_event_age_s if invoke is not None else None
        return AsyncPolicy(
            max_retry_attempts=DEFAULT_MAX_RETRY_ATTEMPTS if retries is None else retries,
            max_event_age_s=DEFAULT_MAX_EVENT_AGE_S if age is None else age,
            on_success=invoke.on_success if invoke is not None else None,
            on_failure=invoke.on_failure if invoke is not None else None,
            dead_letter=fn.dead_letter)


def queue_attributes(queue: Queue, graph: Graph) -> dict[str, str]:
    """The SQS attributes of a template queue, as CreateQueue takes them."""
    attributes = {
        "VisibilityTimeout": str(queue.visibility_timeout_s),
        "MessageRetentionPeriod": str(queue.message_retention_s),
        "DelaySeconds": str(queue.delay_s),
        "ReceiveMessageWaitTimeSeconds": str(queue.receive_wait_s),
    }
    if queue.maximum_message_size_bytes is not None:
        attributes["MaximumMessageSize"] = str(queue.maximum_message_size_bytes)
    if queue.is_fifo:
        attributes["FifoQueue"] = "true"
        if queue.content_based_deduplication:
            attributes["ContentBasedDeduplication"] = "true"
    if queue.redrive is not None:
        target = queue.redrive.dead_letter_queue
        dlq = next((q for q in graph.queues if q.logical_id == target), None)
        attributes["RedrivePolicy"] = json.dumps({
            "deadLetterTargetArn": dlq.arn if dlq is not None else target,
            "maxReceiveCount": queue.redrive.max_receive_count or 10})
    if queue.redrive_allow_policy is not None:
        attributes["RedriveAllowPolicy"] = queue.redrive_allow_policy
    return attributes


def _dead_letter_first(queues: Iterable[Queue]) -> list[Queue]:
    """Queues ordered so each dead-letter queue exists before the queues that name it."""
    by_id = {q.logical_id: q for q in queues}
    ordered: list[Queue] = []
    seen: set[str] = set()

    def visit(queue: Queue, depth: int = 0) -> None:
        if queue.logical_id in seen or depth > len(by_id):
            return
        if queue.redrive is not None and queue.redrive.dead_letter_queue in by_id:
            visit(by_id[queue.redrive.dead_letter_queue], depth + 1)
        seen.add(queue.logical_id)
        ordered.append(queue)

    for queue in by_id.values():
        visit(queue)
    return ordered


class _LazyQueues:
    """The local SQS as pollers and destinations use it, made on first use."""

    def __init__(self, services: AwsServices) -> None:
        self._services = services

    def __getattr__(self, name: str) -> Any:
        return getattr(self._services.sqs, name)


class _SqsRoute:
    def __init__(self, services: AwsServices) -> None:
        self._services = services

    def handles(self, request: Request) -> bool:
        from samlite.aws.sqs.route import is_sqs_request

        return is_sqs_request(request)

    def handle(self, request: Request) -> Response:
        return self._services.sqs.route().handle(request)


class _TargetRoute:
    """Secrets Manager or Parameter Store, claimed by X-Amz-Target's prefix before the
    service (and moto) is made."""

    def __init__(self, services: AwsServices, prefix: str) -> None:
        self._services = services
        self._prefix = prefix

    def handles(self, request: Request) -> bool:
        return (request.header("x-amz-target") or "").startswith(self._prefix)

    def handle(self, request: Request) -> Response:
        service = self._services.secrets if self._prefix == "secretsmanager." \
            else self._services.parameters
        return service.route().handle(request)


class _S3Route:
    def __init__(self, services: AwsServices) -> None:
        self._services = services

    def handles(self, request: Request) -> bool:
        return True

    # S3's own limit and IncompleteBody answer, when the endpoint will not read a body.
    def body_limit(self, head: Request) -> int:
        route = self._services.s3.route()
        return route.body_limit(head) if isinstance(route, BodyRules) else MAX_BODY_BYTES

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None:
        route = self._services.s3.route()
        return route.refuse_body(head, problem) if isinstance(route, BodyRules) else None

    def handle(self, request: Request) -> Response:
        return self._services.s3.route().handle(request)
