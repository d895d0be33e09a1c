"""The local STS: who is calling, and temporary credentials for AssumeRole."""
