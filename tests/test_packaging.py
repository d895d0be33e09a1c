from __future__ import annotations

import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_setuptools() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(PROJECT).parts)
        for init in (PROJECT / "samlite").rglob("__init__.py")
    }
    assert on_disk <= listed
    assert "samlite.schemas" in listed


def test_schemas_ship_inside_the_package() -> None:
    from importlib.resources import files

    assert any(p.name.endswith(".json") for p in files("samlite.schemas").iterdir())


def test_the_node_runtime_client_ships_inside_the_package() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["samlite.runtime"]
    assert (PROJECT / "samlite" / "runtime" / "node_loop.cjs").is_file()
    assert "*.cjs" in shipped
