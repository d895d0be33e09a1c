"""Secrets, parameters and STS on the local endpoint: an App started in-process as `samlite
up` starts it (process runtime, AWS endpoint, state directory on disk), real boto3 clients
on loopback.

Prints:
- boto3 GetSecretValue and GetParameter calls per second, one client, one thread, after a
  warm-up call (each call is a full HTTP round trip to the endpoint).
- boto3 STS GetCallerIdentity calls per second, the same way.
- The Parameters and Secrets extension, from inside a function: the handler (urllib, as
  AWS's pages show) makes N GET /secretsmanager/get requests on localhost and returns each
  one's duration (time.perf_counter around urlopen); p50/p95/max of those.
- Restart with a long journal: N PutSecretValue calls, then the time to build the local
  Secrets Manager again from the journal (what the next `samlite up` does first).
- Startup cost: `App(...)` built and started (until it serves), then stopped, in a fresh
  Python process each time, for a template with one function and for the same template
  plus one generated secret and one parameter; median of R runs each. The secrets and
  parameters are made in the background after the start (moto's import of SSM takes over
  a second), so the first GetParameter right after the start is timed too.

Run:  python3 benchmarks/secrets_parameters.py   (--quick: fewer calls and runs, CI's smoke)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HANDLER = '''\
import json, os, time, urllib.request

def handler(event, context):
    url = ("http://localhost:" + os.environ["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"]
           + "/secretsmanager/get?secretId=bench/secret")
    request = urllib.request.Request(
        url, headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]})
    times = []
    for _ in range(event["n"]):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
        times.append(time.perf_counter() - started)
    return times
'''

BASE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Timeout: 120
      Layers:
        - arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:12
      Environment:
        Variables:
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: "{port}"
"""

WITH_SECRETS = """\
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: bench/secret
      GenerateSecretString: {SecretStringTemplate: '{"user": "u"}', GenerateStringKey: pw}
  Parameter:
    Type: AWS::SSM::Parameter
    Properties: {Name: /bench/parameter, Type: String, Value: v}
"""

START_ONE = """\
import sys, time
from pathlib import Path
import boto3
started = time.perf_counter()
from samlite.app.root import App, AppOptions
app = App(Path(sys.argv[1]), AppOptions(runtime="process", aws_port=0,
                                        state_dir=Path(sys.argv[2])))
app.start()
ready = time.perf_counter() - started
first = 0.0
if sys.argv[3] == "with":
    ssm = boto3.client("ssm", endpoint_url=app.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="b", aws_secret_access_key="b")
    asked = time.perf_counter()
    ssm.get_parameter(Name="/bench/parameter")
    first = time.perf_counter() - asked
app.stop()
print(ready, first)
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def project(root: Path, *, secrets: bool) -> Path:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "app.py").write_text(HANDLER)
    template = root / "template.yaml"
    template.write_text(BASE.format(port=free_port()) + (WITH_SECRETS if secrets else ""))
    return template


def per_second(call: Any, n: int) -> float:
    call()
    started = time.perf_counter()
    for _ in range(n):
        call()
    return n / (time.perf_counter() - started)


def client(url: str, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106


def api_and_extension(root: Path, calls: int, gets: int) -> None:
    from samlite.app.root import App, AppOptions

    template = project(root, secrets=True)
    app = App(template, AppOptions(runtime="process", aws_port=0, state_dir=root / ".samlite"))
    app.start()
    try:
        url = app.endpoint_url or ""
        secrets, ssm, sts = (client(url, s) for s in ("secretsmanager", "ssm", "sts"))
        # Both services are made in the background at start: wait for them before timing.
        secrets.get_secret_value(SecretId="bench/secret")
        ssm.get_parameter(Name="/bench/parameter")
        rate = per_second(lambda: secrets.get_secret_value(SecretId="bench/secret"), calls)
        print(f"GetSecretValue (boto3, 1 thread): {rate:,.0f} calls/s over {calls} calls")
        rate = per_second(lambda: ssm.get_parameter(Name="/bench/parameter"), calls)
        print(f"GetParameter (boto3, 1 thread): {rate:,.0f} calls/s over {calls} calls")
        rate = per_second(sts.get_caller_identity, calls)
        print(f"GetCallerIdentity (boto3, 1 thread): {rate:,.0f} calls/s over {calls} calls")
        app.invoke("Fn", json.dumps({"n": 5}).encode())          # warm environment
        result = app.invoke("Fn", json.dumps({"n": gets}).encode())
        times = sorted(json.loads(result.payload))
        ms = [t * 1000 for t in times]
        print(f"extension GET /secretsmanager/get from a handler: p50 "
              f"{statistics.median(ms):.2f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.2f} ms, "
              f"max {ms[-1]:.2f} ms over {gets} requests")
    finally:
        app.stop()


def long_journal(root: Path, puts: int) -> None:
    from samlite.aws.secretsmanager.service import LocalSecrets

    db = root / "journal" / "parameters.sqlite3"
    secrets = LocalSecrets(db_path=db, account_id="123456789012", region="us-east-1")
    secrets.call("CreateSecret", {"Name": "s", "SecretString": "0"})
    for index in range(puts):
        secrets.call("PutSecretValue", {"SecretId": "s", "SecretString": str(index)})
    secrets.close()
    started = time.perf_counter()
    again = LocalSecrets(db_path=db, account_id="123456789012", region="us-east-1")
    took = time.perf_counter() - started
    current = again.secret_string("s")
    again.close()
    if current != str(puts - 1):
        raise SystemExit(f"replay gave {current!r}, not {puts - 1}")
    print(f"restart after {puts} PutSecretValue: journal replayed in {took * 1000:.0f} ms")


def startup(root: Path, runs: int) -> None:
    results, firsts = {}, []
    for secrets in (False, True):
        folder = root / ("with" if secrets else "without")
        template = project(folder, secrets=secrets)
        times = []
        for run in range(runs):
            out = subprocess.run([sys.executable, "-c", START_ONE, str(template),
                                  str(folder / f".samlite-{run}"),
                                  "with" if secrets else "without"], capture_output=True,
                                 text=True, check=True, timeout=120)
            ready, first = out.stdout.strip().splitlines()[-1].split()
            times.append(float(ready))
            if secrets:
                firsts.append(float(first))
        results[secrets] = statistics.median(times)
    print(f"startup to serving (fresh process, median of {runs}): {results[False] * 1000:.0f} "
          f"ms without, {results[True] * 1000:.0f} ms with one secret and one parameter "
          f"(+{(results[True] - results[False]) * 1000:.0f} ms)")
    print(f"first GetParameter right after that start (waits for the services made in the "
          f"background): median {statistics.median(firsts) * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer calls and runs (CI's smoke run)")
    args = parser.parse_args()
    calls, gets, puts, runs = (100, 50, 100, 1) if args.quick else (2000, 1000, 1000, 5)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        api_and_extension(root / "api", calls, gets)
        long_journal(root, puts)
        startup(root / "startup", runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
