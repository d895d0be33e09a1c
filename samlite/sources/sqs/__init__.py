"""SQS -> Lambda: the event source mapping's pollers (poller.py) and the event they build
from received messages (events.py)."""
