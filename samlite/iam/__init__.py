"""IAM as the local endpoint applies it: policy documents (policy.py), how IAM evaluates them
(evaluation.py, conditions.py, patterns.py), and a function's effective policy from its
template (sources.py, sam_templates.py, managed.py). Pure: no I/O beyond reading the
packaged SAM policy templates."""
