"""Every problem code samlite reports, so that a suppression naming a code that does not exist
(a typo, a code from another tool) is itself reported. A test keeps this list equal to the
codes written in the source. Codes 61xx are E under `samlite up` and W under `validate`
(a module that a build step may still create), so both letters are listed.
"""

from __future__ import annotations

KNOWN_CODES: frozenset[str] = frozenset({
    "E0001", "E0002", "E0003", "E0004", "E0005", "E0010", "E1001", "E1010", "E1011", "E1012",
    "E1013", "W1013", "E1014", "E1015", "E1016", "E1017", "W1017",
    "E2001", "W2001", "E2002", "W2002", "E2003",
    "E2004", "E2201", "E2202", "E2203", "E2204", "E2205", "E2206", "E2207", "E2208", "E2209",
    "W2209", "E2301", "E3001", "E3002", "W3003", "E3004", "E3005", "E3006", "E3007", "E3008",
    "W3009", "W3010", "E3201", "E3202", "E3203", "E3204", "E3205", "E3206", "E3207", "E3208",
    "E3209",
    "E3210", "W3211", "W3213", "E3801", "E3802", "E3803", "E3804", "E4001", "E4002", "W4003",
    "W4004", "W4005", "W4006", "E4101", "E4102", "E5001", "E5002", "E5003", "E5004", "E5005",
    "E5006", "E5007", "E5008", "E5101", "E5102", "E6001", "E6002", "W6003", "E6101", "W6101",
    "E6102", "W6102", "E6103", "W6103", "E6104", "W6104", "E6105", "W6105", "W6106", "E7001",
    "E7002", "E7003", "E7004", "E7005", "E7006", "E7007", "W7101", "E7102", "E7103", "E7104",
    "E7105", "E7106", "E7107", "E7108", "E7109", "E7110", "E7111", "E7112", "E7113", "E7114",
    "E7115", "E7116", "E7117", "E7118", "E7119", "E7120", "E7121", "E7122", "E7201", "E7202",
    "E7203", "E7204", "E7205", "E7301", "E7302", "E7303", "E7304", "E7305", "E7306", "E7307",
    "E7308", "E7309", "E7310", "E7401", "E7402", "E7403", "E7404", "E7405", "E7406", "E7407",
    "E7408", "E7409", "E7410", "E7411", "E7412", "E7413", "W7414", "W7415", "W7416", "W7417",
    "W7418", "W7419", "E7420", "E7421", "E7422", "E7423", "E7424", "E7425", "E7426", "E7427",
    "E0011",   # a template file that cannot be read at all (report.py)
    "W0011",   # a suppression names an unknown code (suppressions.py)
})


def describe(code: str) -> tuple[str, str]:
    """(title, why) of a code, for SARIF's rule metadata; docs/rules.md shows the rest."""
    from samlite.validation.rule_docs import all_rule_docs  # only when SARIF is rendered

    doc = all_rule_docs().get(code)
    if doc is None:
        return f"samlite {code}", "See the message."
    return doc.title, doc.why
