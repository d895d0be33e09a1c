"""The composition root: a template and options -> a running app (functions, gateway, local
AWS endpoint, sources), reloaded as files are saved. The only package that wires the others."""
