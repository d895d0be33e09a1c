"""`samlite up` runs its serving threads on one CPU, SCHED_BATCH (thread_affinity.py), yet a
function's runtime sees every CPU the machine gives samlite and the normal policy, as on
Lambda its code sees its own vCPUs, not samlite's choice; SAMLITE_PIN_THREADS=0 leaves every
thread free."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

# Busy a while, so concurrent requests start environments of their own (on the threads that
# serve them) besides the one started ahead at startup.
HANDLER = """\
import json, os, time

def handler(event, context):
    time.sleep(0.5)
    return {"statusCode": 200, "body": json.dumps(
        [sorted(os.sched_getaffinity(0)), os.sched_getscheduler(0)])}
"""
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Cpus:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python{major}.{minor}
      CodeUri: src
      Events:
        Get: {{Type: HttpApi, Properties: {{Path: /cpus, Method: get}}}}
"""


def threads_cpus(pid: int) -> list[tuple[set[int], int]]:
    """Each thread's allowed CPUs, from /proc (proc(5): Cpus_allowed_list), and its policy."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        status = (task / "status").read_text()
        listed = re.search(r"^Cpus_allowed_list:\s*(\S+)", status, re.MULTILINE)
        assert listed is not None
        cpus: set[int] = set()
        for part in listed[1].split(","):
            low, _, high = part.partition("-")
            cpus.update(range(int(low), int(high or low) + 1))
        out.append((cpus, os.sched_getscheduler(int(task.name))))
    return out


def run_up(tmp_path: Path, **env: str) -> tuple[list[list], list[tuple[set[int], int]]]:
    """What three concurrent invocations (three environments) say their CPUs and policy
    are, and `up`'s threads' CPUs and policies after them."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(major=sys.version_info.major,
                                                            minor=sys.version_info.minor))
    process = subprocess.Popen(
        [sys.executable, "-m", "samlite.cli", "up", "--port", "0", "--aws-port", "0",
         "--no-watch", "--no-ui", "--runtime", "process"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env})
    url: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout or ():
            found = re.match(r"samlite is ready: (http://\S+)", line)
            if found:
                url.append(found[1])
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(60), "samlite up did not get ready"
        seen: list[list[int]] = []

        def ask() -> None:
            with urllib.request.urlopen(f"{url[0]}/cpus", timeout=30) as answer:  # noqa: S310
                seen.append(json.loads(answer.read()))

        askers = [threading.Thread(target=ask) for _ in range(3)]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join(60)
        return seen, threads_cpus(process.pid)
    finally:
        process.terminate()
        process.wait(10)


def test_serving_threads_share_one_cpu_and_the_function_sees_every_cpu(
        tmp_path: Path) -> None:
    every = os.sched_getaffinity(0)
    seen, threads = run_up(tmp_path)
    assert seen == [[sorted(every), os.SCHED_OTHER]] * 3
    if len(every) > 1:
        assert any(len(cpus) == 1 for cpus, _ in threads)   # the servers' threads
        assert all(policy == os.SCHED_BATCH for cpus, policy in threads if len(cpus) == 1)
        assert (every, os.SCHED_OTHER) in threads           # the main thread, the watchers
    else:
        assert threads == [(every, os.SCHED_OTHER)] * len(threads)


def test_samlite_pin_threads_0_leaves_every_thread_free(tmp_path: Path) -> None:
    every = os.sched_getaffinity(0)
    seen, threads = run_up(tmp_path, SAMLITE_PIN_THREADS="0")
    assert seen == [[sorted(every), os.SCHED_OTHER]] * 3
    assert threads == [(every, os.SCHED_OTHER)] * len(threads)
