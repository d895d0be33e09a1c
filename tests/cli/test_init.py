"""`samlite init` as a user runs it: flags or --no-input ask nothing, a terminal is asked
(choices listed, defaults marked), a folder with anything in it is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from samlite.cli import init_command
from samlite.cli.main import main


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(init_command, "is_interactive", lambda: True)


def test_no_input_writes_the_default_template_and_says_what_next(tmp_path: Path) -> None:
    code, out, _ = run("init", str(tmp_path / "shop"), "--no-input")
    assert code == 0
    assert out.splitlines()[0] == (f"Created shop in {tmp_path / 'shop'}/ from the hello-api "
                                   "template (python3.13), 8 files. Next:")
    assert f"  cd {tmp_path / 'shop'}" in out
    assert "  samlite up " in out and "  pytest " in out and "  samlite validate " in out
    written = {str(p.relative_to(tmp_path / "shop")) for p in (tmp_path / "shop").rglob("*")
               if p.is_file()}
    assert written == {"template.yaml", "samconfig.toml", "README.md", "pytest.ini",
                       ".gitignore", "src/app.py", "src/requirements.txt",
                       "tests/test_hello.py"}
    template = (tmp_path / "shop" / "template.yaml").read_text()
    assert "Runtime: python3.13" in template and "{{" not in template
    assert 'stack_name = "shop"' in (tmp_path / "shop" / "samconfig.toml").read_text()


def test_flags_choose_template_runtime_and_name(tmp_path: Path, at_a_terminal: None) -> None:
    code, out, _ = run("init", str(tmp_path / "x"), "--template", "scheduled-job",
                       "--runtime", "python3.12", "--name", "reports")
    assert code == 0, out
    assert "Which template?" not in out                   # flags given: nothing asked
    template = (tmp_path / "x" / "template.yaml").read_text()
    assert "Runtime: python3.12" in template and "ScheduleV2" in template
    assert 'stack_name = "reports"' in (tmp_path / "x" / "samconfig.toml").read_text()


def test_a_terminal_is_asked_with_choices_and_defaults(tmp_path: Path,
                                                       at_a_terminal: None) -> None:
    code, out, _ = run("init", str(tmp_path / "q"), stdin="2\n\nqueue-app\n")
    assert code == 0, out
    assert "  1 - hello-api: an HTTP API route and a function URL (default)" in out
    assert "  2 - api-queue-worker: " in out
    assert "Template [1]: 2" in out
    assert ("Runtime (python3.14, python3.13, python3.12, nodejs24.x, nodejs22.x) "
            "[python3.13]: ") in out
    assert "Project name [q]: queue-app" in out
    assert "JobsDLQ" in (tmp_path / "q" / "template.yaml").read_text()
    assert 'stack_name = "queue-app"' in (tmp_path / "q" / "samconfig.toml").read_text()


def test_no_input_asks_nothing_even_at_a_terminal(tmp_path: Path, at_a_terminal: None) -> None:
    code, out, _ = run("init", str(tmp_path / "n"), "--no-input")
    assert code == 0
    assert "Which template?" not in out


def test_a_folder_with_anything_in_it_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    code, _, err = run("init", str(tmp_path / "mine"), "--no-input")
    assert code == 2
    assert err == (f"Error: {tmp_path / 'mine'} is not empty; samlite init writes only into "
                   "an empty or new folder (choose another DIR, or empty this one)\n")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_without_a_folder_it_is_named_after_the_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init", "--template", "s3-pipeline", "--name", "docs")
    assert code == 0, out
    assert (tmp_path / "docs" / "layers" / "shared" / "python" / "textstats.py").is_file()
    assert "  cd docs" in out


def test_a_runtime_without_a_variant_is_refused_before_anything_is_written(
        tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "java"), "--runtime", "java21")
    assert code == 2
    assert "--runtime java21: hello-api ships no java variant yet" in err
    assert not (tmp_path / "java").exists()


def test_a_node_runtime_writes_the_node_variant(tmp_path: Path) -> None:
    code, out, _ = run("init", str(tmp_path / "web"), "--runtime", "nodejs22.x")
    assert code == 0, out
    assert "from the hello-api template (nodejs22.x), 8 files" in out
    written = {str(p.relative_to(tmp_path / "web")) for p in (tmp_path / "web").rglob("*")
               if p.is_file()}
    assert written == {"template.yaml", "samconfig.toml", "README.md", "pytest.ini",
                       ".gitignore", "src/app.js", "src/package.json", "tests/test_hello.py"}
    assert "Runtime: nodejs22.x" in (tmp_path / "web" / "template.yaml").read_text()
    assert '"type": "module"' in (tmp_path / "web" / "src" / "package.json").read_text()


def test_a_node_project_s_git_ignores_installed_packages_but_keeps_its_layer(
        tmp_path: Path) -> None:
    # A layer's modules live in nodejs/node_modules (where Lambda looks), yet node_modules
    # elsewhere is npm's output: the generated .gitignore must tell them apart.
    project = tmp_path / "pipe"
    code, out, _ = run("init", str(project), "--template", "s3-pipeline",
                       "--runtime", "nodejs22.x")
    assert code == 0, out
    (project / "src" / "node_modules").mkdir()
    (project / "src" / "node_modules" / "left-pad.js").write_text("")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    ignored = subprocess.run(
        ["git", "check-ignore", "layers/shared/nodejs/node_modules/textstats.js",
         "src/node_modules/left-pad.js"], cwd=project, capture_output=True, text=True,
        check=False)
    assert ignored.stdout.splitlines() == ["src/node_modules/left-pad.js"]
