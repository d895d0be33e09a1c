"""One module per resource family, each reading resolved resources into GraphParts:
functions, their SAM events, APIs, storage (layers, queues, buckets) and plain CloudFormation
resources that wire functions together."""
