"""The types samlite models (template/schema.py's modelled_types) cover every type the graph
reads or names, so none of them is also named as "does not model this resource type"."""

from __future__ import annotations

from samlite.graph import support
from samlite.graph.build import READERS
from samlite.graph.parts import FUNCTION_TYPES
from samlite.template.schema import modelled_types


def test_every_type_the_graph_reads_or_names_is_modelled() -> None:
    named = {*READERS, *FUNCTION_TYPES, "AWS::S3::Bucket", *support.NOT_SERVED,
             *support.NOT_ENFORCED,
             *(scope for scope in support.RUNS_LOCALLY if "::" in scope)}
    assert named - modelled_types() == set()
