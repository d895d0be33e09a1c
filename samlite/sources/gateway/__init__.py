"""The local HTTP gateway: REST and HTTP API routes and function URLs (server.py), the route
table (routes.py), request <-> Lambda event mapping (events.py) and CORS (cors.py)."""
