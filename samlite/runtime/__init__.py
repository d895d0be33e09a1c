"""The local Lambda service: the Runtime API that execution environments poll, the control
plane that hands them invocations, and the environments themselves (process, Docker)."""
