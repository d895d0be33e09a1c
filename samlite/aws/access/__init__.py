"""IAM on the local endpoint: which action and resource each request is (operations.py),
the functions' own credentials (credentials.py), and the route that checks every request
against the caller's policies before its service sees it (guard.py)."""
