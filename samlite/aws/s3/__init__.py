"""The local S3: moto's S3 wire protocol (route.py, backend.py) over objects kept as plain
files (files.py) with their metadata in SQLite (store.py); service.py is what the app uses."""
