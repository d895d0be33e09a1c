"""The local SQS: moto's SQS wire protocol (route.py, backend.py) over samlite's own queue
engine (store.py, model.py) persisted in SQLite (persist.py); service.py is what the app uses."""
