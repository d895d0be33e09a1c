"""Event sources: everything that hands invocations to the Lambda service (the Invoke API,
the HTTP gateway, queues, buckets, schedules). They reach the runtime through service.py."""
