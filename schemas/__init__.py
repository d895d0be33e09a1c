"""JSON Schemas for SAM and CloudFormation templates (data; see README.md here)."""
