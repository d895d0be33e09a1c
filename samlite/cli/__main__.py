"""`python -m samlite.cli` runs the `samlite` command (tests and benchmarks start it so)."""

from samlite.cli.main import main

main()
