"""SNS deliveries: each published message to the topic's lambda and sqs subscribers."""
