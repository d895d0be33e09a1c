"""`samlite validate`: the pipeline (load -> schema -> resolve -> checks), the checks
beyond the schema, and the report formats. Pure but for reading the template and its code."""
