"""`samlite init`: new SAM projects written from the templates shipped in templates/ (no
network). `catalog.py` says which templates and runtimes there are, `project.py` writes one."""
