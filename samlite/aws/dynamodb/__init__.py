"""The local DynamoDB and DynamoDB Streams on the shared endpoint (see service.py)."""
