"""The neutral HTTP layer both the gateway (sources/) and the local AWS endpoint (aws/)
build on: requests, responses and routes (messages.py), and the threaded server (server.py)."""
