"""One `samlite up` per state dir: the lock a second `up` meets, the record of where the
running one serves, and how `invoke` and `trigger` decide whether it is their project's.
(The same end to end, with real processes: tests/e2e/test_one_up.py.)"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from samlite.app.running import (
    Lookup,
    StateDirInUse,
    claim,
    find_up,
    read_record,
)
from samlite.errors import StateFileError
from samlite.http.messages import Request
from samlite.sources.control import PingRoute
from samlite.state import StateDir

ENDPOINT = "http://127.0.0.1:4001"   # only written into records here; nothing is sent to it


def project(root: Path) -> tuple[StateDir, Path]:
    root.mkdir(parents=True, exist_ok=True)
    template = root / "template.yaml"
    template.write_text("Resources: {}\n")
    return StateDir(root=root / ".samlite"), template


def test_a_second_claim_names_the_running_ups_pid_and_ports(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    with claim(state) as held:
        held.publish(template=template, endpoint_url=ENDPOINT, http_url="http://127.0.0.1:4000")
        with pytest.raises(StateDirInUse) as refused:
            claim(state)
    message = str(refused.value)
    assert refused.value.exit_code == 2
    assert f"another samlite up (pid {os.getpid()}) is running on the state dir " \
           f"{state.root}, serving HTTP on 127.0.0.1:4000, AWS endpoint on 127.0.0.1:4001" \
           in message
    assert message.endswith("give this one a state dir of its own with --state-dir")


def test_a_claim_whose_ports_are_not_bound_yet_is_starting(tmp_path: Path) -> None:
    state, _ = project(tmp_path)
    with claim(state), pytest.raises(StateDirInUse, match=r"still starting"):
        claim(state)


def test_a_record_left_by_a_killed_up_is_not_taken_for_the_running_ones_ports(
        tmp_path: Path) -> None:
    state, template = project(tmp_path)
    state.root.mkdir()
    stale = {"pid": 1, "template": str(template), "state_dir": str(state.root),
             "endpoint_url": ENDPOINT, "http_url": None}
    state.running_file.write_text(json.dumps(stale))
    with claim(state), pytest.raises(StateDirInUse, match=r"still starting") as refused:
        claim(state)
    assert "4001" not in str(refused.value)


def test_a_released_claim_withdraws_its_record_and_frees_the_state_dir(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    with claim(state) as held:
        record = held.publish(template=template, endpoint_url=ENDPOINT, http_url=None)
        assert read_record(state) == record
    assert read_record(state) is None
    with claim(state) as again:   # no stale lock
        again.publish(template=template, endpoint_url=ENDPOINT, http_url=None)
    assert [p.name for p in state.root.iterdir()] == ["up.lock"]   # no temp file left


def test_a_reset_keeps_the_lock_and_the_record(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    with claim(state) as held:
        held.publish(template=template, endpoint_url=ENDPOINT, http_url=None)
        state.reset()
        assert read_record(state) is not None
        with pytest.raises(StateDirInUse):
            claim(state)


def test_an_unusable_state_dir_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StateFileError, match=r"file/up.lock can't be made") as caught:
        claim(StateDir(root=tmp_path / "file"))
    assert caught.value.exit_code == 1


# --- finding this project's up ----------------------------------------------------------------

def ping_of(template: Path, state: StateDir, pid: int = 4242) -> Mapping[str, object]:
    """What the running up's endpoint answers, from its own PingRoute."""
    route = PingRoute("0", template=template, state_dir=state.root, pid=pid)
    return json.loads(route.handle(Request(method="GET", path="/_samlite/ping")).body)


def recorded(state: StateDir, template: Path) -> None:
    with claim(state) as held:
        held.publish(template=template, endpoint_url=ENDPOINT, http_url=None)
        kept = state.running_file.read_text()
    state.running_file.write_text(kept)   # as a killed up leaves it


def test_the_ping_says_which_app_it_serves(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    assert ping_of(template, state) == {"samlite": "0", "template": str(template.resolve()),
                                        "stateDir": str(state.root.resolve()), "pid": 4242,
                                        "parametersSecretsPorts": []}


def test_this_projects_up_is_found_through_its_record(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    recorded(state, template)
    asked: list[str] = []

    def ping(url: str) -> Mapping[str, object]:
        asked.append(url)
        return ping_of(template, state)

    found = find_up(state, template, ping=ping)
    assert found.up is not None and found.up.endpoint_url == ENDPOINT
    assert (found.refusal, asked) == (None, [ENDPOINT])


def test_a_record_whose_up_is_gone_is_ignored_silently(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    recorded(state, template)
    assert find_up(state, template, ping=lambda url: None) == Lookup()


@pytest.mark.parametrize("record", ["", "{not json", "[]", '{"pid": 1}',
                                    '{"pid": 1, "template": "t", "state_dir": "s", '
                                    '"endpoint_url": "file:///etc", "http_url": null}'],
                         ids=["empty", "not JSON", "a list", "fields missing", "not http"])
def test_a_damaged_record_is_ignored_and_nothing_is_asked(tmp_path: Path, record: str) -> None:
    state, template = project(tmp_path)
    state.root.mkdir()
    state.running_file.write_text(record)

    def ping(url: str) -> None:
        raise AssertionError(f"asked {url}")

    assert find_up(state, template, ping=ping) == Lookup()


def test_no_record_asks_nobody(tmp_path: Path) -> None:
    state, template = project(tmp_path)

    def ping(url: str) -> None:
        raise AssertionError(f"asked {url}")   # a default port is never tried

    assert find_up(state, template, ping=ping) == Lookup()


def test_another_projects_up_on_the_recorded_port_is_refused(tmp_path: Path) -> None:
    state, template = project(tmp_path / "a")
    other_state, other = project(tmp_path / "b")
    recorded(state, template)
    found = find_up(state, template, ping=lambda url: ping_of(other, other_state))
    assert found.up is None
    assert found.refusal == (f"the samlite up at {ENDPOINT} (pid 4242) serves "
                             f"{other.resolve()}, not {template.resolve()}; not attached to it")


def test_an_up_of_this_template_on_another_state_dir_is_refused(tmp_path: Path) -> None:
    state, template = project(tmp_path)
    recorded(state, template)
    elsewhere = StateDir(root=tmp_path / "other-state")
    found = find_up(state, template, ping=lambda url: ping_of(template, elsewhere))
    assert found.up is None
    assert found.refusal is not None and f"keeps its state in {elsewhere.root}" in found.refusal
