"""The `samlite` command line and what it prints: commands (main.py), console output, the
startup summary, sample events and the generated docs."""
