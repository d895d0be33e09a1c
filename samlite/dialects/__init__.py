"""The small languages AWS defines, as pure code: schedule expressions, event patterns
(Lambda filtering, EventBridge rules) and runtime identifiers. No I/O, no samlite model."""
