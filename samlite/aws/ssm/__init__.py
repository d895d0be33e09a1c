"""The local SSM Parameter Store: parameters kept across restarts."""
