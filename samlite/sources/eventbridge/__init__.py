"""EventBridge rules: events put on a bus, matched by pattern, delivered to their targets."""
