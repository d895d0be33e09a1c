"""samlite: run an AWS SAM application locally from its template.yaml.

Importing the package has no side effects; heavy modules are imported where they are used,
so `samlite validate` stays fast as a whole process.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
