"""S3 -> Lambda: which notifications an object event fires (events.py) and their delivery to
the Lambda service (notifications.py)."""
