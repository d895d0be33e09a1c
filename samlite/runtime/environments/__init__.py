"""Execution environments: one module per kind behind the Environment protocol."""
