"""DynamoDB stream event source mappings (see poller.py)."""
