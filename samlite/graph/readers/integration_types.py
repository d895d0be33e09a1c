"""The words of a REST API integration that both reading it (rest_integrations.py) and
validating it (validation/checks/mapping_templates.py) use. Pure constants and one test; kept
apart so validating a template does not import the graph's model."""

from __future__ import annotations

# The types whose mapping templates API Gateway renders (a proxy passes the request through).
TEMPLATED_TYPES = ("aws", "http", "mock")


def is_http_status(code: str) -> bool:
    """A three-digit HTTP status code, 100 to 599."""
    return code.isdigit() and 100 <= int(code) <= 599
