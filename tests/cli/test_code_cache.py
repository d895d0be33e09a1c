"""Dataclasses made with their methods' code from samlite's cache are the ones dataclasses
makes by itself, and a cache read back from its file compiles nothing it already holds."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from samlite.cli import code_cache
from samlite.cli.code_cache import CodeCache

# As samlite's modules write them: annotations are strings.
MODEL = """
from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True, kw_only=True)
class Queue:
    logical_id: str
    timeout_s: float = 30.0
    tags: tuple[str, ...] = ()
    extra: dict[str, int] = field(default_factory=dict, compare=False)
"""


def make_model(cache: CodeCache | None, monkeypatch: pytest.MonkeyPatch) -> Any:
    module = types.ModuleType("cached_model")
    with monkeypatch.context() as patched:
        patched.setitem(sys.modules, module.__name__, module)
        if cache is not None:
            patched.setattr(dataclasses, "exec", cache.exec, raising=False)
        exec(compile(MODEL, "model.py", "exec", dont_inherit=True),  # noqa: S102 - the test's
             module.__dict__)
    return module.Queue


def behaviour(queue_type: Any) -> dict[str, Any]:
    one = queue_type(logical_id="Jobs", tags=("a",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.timeout_s = 1.0
    return {"repr": repr(one), "eq": one == queue_type(logical_id="Jobs", tags=("a",)),
            "hash": hash(one) == hash(queue_type(logical_id="Jobs", tags=("a",))),
            "replaced": repr(dataclasses.replace(one, timeout_s=5.0)),
            "signature": str(inspect.signature(queue_type)),
            "annotations": queue_type.__init__.__annotations__,
            "slots": queue_type.__slots__, "fields": [f.name for f in dataclasses.fields(one)]}


def test_a_class_made_through_the_cache_behaves_as_dataclasses_makes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = behaviour(make_model(None, monkeypatch))
    fresh = CodeCache(tmp_path / "code.marshal")
    assert behaviour(make_model(fresh, monkeypatch)) == plain
    fresh.save()
    reread = CodeCache(tmp_path / "code.marshal")
    monkeypatch.setattr(code_cache, "compile", _no_compiling, raising=False)
    assert behaviour(make_model(reread, monkeypatch)) == plain


def _no_compiling(*args: object, **kwargs: object) -> None:
    raise AssertionError("compiled although the cache held the code")


def test_an_unreadable_cache_file_is_started_over(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "code.marshal"
    path.write_bytes(b"not marshal data")
    cache = CodeCache(path)
    plain = behaviour(make_model(None, monkeypatch))
    assert behaviour(make_model(cache, monkeypatch)) == plain
    cache.save()
    assert len(CodeCache(path)._codes) > 0   # written again, whole


def test_invoke_gives_the_same_result_without_and_with_its_cache(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "def handler(event, context):\n    return {'got': event}\n", encoding="utf-8")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    (tmp_path / "template.yaml").write_text(f"""Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: python{version}, CodeUri: src/, Handler: app.handler}}
""", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-m", "samlite.cli", "invoke", "--runtime",
                            "process", "-e", "-"], input='{"n": 1}', cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
            for _ in range(2)]
    assert [json.loads(run.stdout) for run in runs] == [{"got": {"n": 1}}] * 2
    assert [run.returncode for run in runs] == [0, 0]
    assert list((tmp_path / "cache" / "samlite").glob("dataclass-code-*"))   # kept
