"""Dependencies, as `sam build` would package them, without a separate build step: which
requirements files an app has (plan.py) and their installs in a content-addressed cache
under the state directory (install.py)."""
