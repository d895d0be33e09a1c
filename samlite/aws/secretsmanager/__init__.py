"""The local Secrets Manager: secrets kept across restarts."""
