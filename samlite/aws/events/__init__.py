"""The local EventBridge: buses behind moto's EventBridge wire protocol, with PutEvents handed
to samlite's rule engine (sources/eventbridge/) instead of moto's own."""
