from __future__ import annotations

import json

from samlite.errors import Mark, Problem
from samlite.validation.report import ReportFormat, render

MEMORY = Problem(code="E2001", at=Mark("template.yaml", 14, 7),
                 path="Resources.HelloFunction.Properties.MemorySize",
                 resource="HelloFunction",
                 message="MemorySize must be an integer from 128 to 10240, got 64")
HANDLER = Problem(code="W6002", at=Mark("template.yaml", 9, 16), resource="HelloFunction",
                  path="Resources.HelloFunction.Properties.Handler",
                  message="handler module app.py not found under hello/")


def test_text_lines_name_file_line_column_severity_code_and_path() -> None:
    out = render([MEMORY, HANDLER], ReportFormat.TEXT, files=["template.yaml"]).splitlines()
    assert out[0] == ("template.yaml:14:7: error E2001 Resources.HelloFunction.Properties."
                      "MemorySize: MemorySize must be an integer from 128 to 10240, got 64")
    assert out[1].startswith("template.yaml:9:16: warning W6002 ")
    assert out[-1] == "template.yaml: invalid (1 error, 1 warning)"


def test_text_says_valid_when_nothing_is_found() -> None:
    assert render([], ReportFormat.TEXT, files=["t.yaml"]) == "t.yaml: valid\n"


def test_json_is_one_object_per_problem() -> None:
    [item] = json.loads(render([MEMORY], ReportFormat.JSON))
    assert item == {"file": "template.yaml", "line": 14, "column": 7, "severity": "error",
                    "code": "E2001", "path": "Resources.HelloFunction.Properties.MemorySize",
                    "resource": "HelloFunction", "message": MEMORY.message}


def test_sarif_has_rules_results_and_regions() -> None:
    sarif = json.loads(render([MEMORY, HANDLER], ReportFormat.SARIF))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["E2001", "W6002"]
    first = run["results"][0]
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 14,
                                                                    "startColumn": 7}
    assert run["results"][1]["level"] == "warning"


def test_github_annotations_escape_their_properties() -> None:
    problem = Problem(code="E1001", at=Mark("dir,a:b/t.yaml", 1, 2), message="50% bad\nline")
    line = render([problem], ReportFormat.GITHUB)
    assert line == ("::error file=dir%2Ca%3Ab/t.yaml,line=1,col=2,title=samlite E1001"
                    "::50%25 bad%0Aline\n")
