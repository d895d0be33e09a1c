"""YAML <-> JSON conversion of a template for `samlite validate --to-json/--to-yaml`.

cfn-flip does this well (short forms both ways, key order kept, `clean` off so nothing is
rewritten); it is not used for reading, because it gives no line numbers and silently keeps
the last of duplicate keys.
"""

from __future__ import annotations

from typing import Literal


def convert(text: str, to: Literal["json", "yaml"]) -> str:
    import cfn_flip  # lazy: only this option needs it

    out = cfn_flip.to_json(text) if to == "json" else cfn_flip.to_yaml(text)
    return out if out.endswith("\n") else out + "\n"
