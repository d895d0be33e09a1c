"""The local AWS services behind the endpoint: S3 and SQS state on moto's wire protocols,
kept under the state directory. Sources (sources/) reach them in-process; users reach them
over HTTP on `--aws-port`."""
