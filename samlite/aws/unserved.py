"""A clear answer for AWS services the local endpoint does not run. Functions get
AWS_ENDPOINT_URL, so their Kinesis or SES calls arrive here too; the request's signature
names the service (SigV4 credential scope), and the caller gets an error that names it as
its SDK does (sesv2, not its signing name ses) and says what
is served instead of a baffling S3 answer, in that service's own protocol (wire_errors.py)
so its SDK raises a plain ClientError."""

from __future__ import annotations

from samlite.aws.endpoint_variables import endpoint_variable_for
from samlite.aws.sdk_names import SDK_NAMES
from samlite.aws.signature import signed_service
from samlite.aws.wire_errors import error_response, query_parameter
from samlite.http.messages import Request, Response

SERVED = frozenset({"s3", "sqs", "dynamodb", "lambda", "sns", "events", "sts", "secretsmanager",
                    "ssm"})
SERVED_NAMES = ("S3, SQS, DynamoDB, Lambda, SNS, EventBridge, STS, Secrets Manager and SSM "
                "Parameter Store")


class UnservedRoute:
    def handles(self, request: Request) -> bool:
        service = signed_service(request)
        return service is not None and service not in SERVED

    def handle(self, request: Request) -> Response:
        service = signed_service(request) or ""
        variables = endpoint_variable_for(
            service, target=request.header("x-amz-target"),
            version=query_parameter(request, "Version"), path=request.path)
        way = variables[0] if len(variables) == 1 else \
            f"the variable for your client, one of {', '.join(variables)}"
        name = SDK_NAMES.get(variables[0].removeprefix("AWS_ENDPOINT_URL_"), service) \
            if len(variables) == 1 else service
        message = (f"samlite's local endpoint runs {SERVED_NAMES}; {name} is not run "
                   f"locally. Point that client at the real service (or another local one) "
                   f"with {way}.")
        return error_response(request, service, status=501, code="NotImplemented",
                              message=message)
