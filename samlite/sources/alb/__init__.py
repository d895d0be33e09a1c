"""Application Load Balancer listeners that forward to lambda target groups."""
