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


def test_init_templates_ship_as_package_data() -> None:
    """Every file of samlite init's templates is matched by the package-data globs (so a
    wheel carries it) and ends in .tmpl (so it is never linted, collected or imported)."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    package = PROJECT / "samlite" / "scaffold"
    globs = config["tool"]["setuptools"]["package-data"]["samlite.scaffold"]
    shipped = {path for pattern in globs for path in package.glob(pattern) if path.is_file()}
    on_disk = {path for path in (package / "templates").rglob("*") if path.is_file()
               and "__pycache__" not in path.parts}
    assert on_disk == shipped
    assert all(path.name.endswith(".tmpl") for path in on_disk)


def test_every_init_template_has_its_language_folders() -> None:
    from importlib.resources import files

    from samlite.scaffold.catalog import TEMPLATES

    root = files("samlite.scaffold").joinpath("templates")
    for template in TEMPLATES:
        for language in template.languages:
            assert root.joinpath(template.name, language, "template.yaml.tmpl").is_file()


def test_the_node_runtime_client_ships_inside_the_package() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["samlite.runtime"]
    assert (PROJECT / "samlite" / "runtime" / "node_loop.cjs").is_file()
    assert "*.cjs" in shipped


def test_dashboard_static_files_ship_as_package_data() -> None:
    """The dashboard's script and style sheet are in the wheel: it works with no network."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    package = PROJECT / "samlite" / "dashboard"
    globs = config["tool"]["setuptools"]["package-data"]["samlite.dashboard"]
    shipped = {path for pattern in globs for path in package.glob(pattern) if path.is_file()}
    assert shipped == {path for path in (package / "static").iterdir() if path.is_file()}
    assert {path.name for path in shipped} >= {"dashboard.js", "dashboard.css"}
