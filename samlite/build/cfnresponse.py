"""`cfnresponse` as Lambda provides it to `Code.ZipFile` Python functions: `send` PUTs a custom
resource response object to event["ResponseURL"]. Written for samlite from the documented
interface ("cfn-response module" and "Custom resource response objects", CloudFormation user
guide), not copied. It runs inside the function's own Python, so it uses the standard library
only; build/code.py writes it beside index.py."""

# ruff: noqa: T201  (like AWS's module, it logs the URL, the body and the status it got)

import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


# The parameter names are the documented ones: handlers pass them by keyword.
def send(event, context, responseStatus, responseData, physicalResourceId=None,
         noEcho=False, reason=None):
    """Send the response object CloudFormation waits for; never raises (a failure is logged,
    as the documented module does)."""
    response_url = event["ResponseURL"]
    print(response_url)
    body = json.dumps({
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: "
                            f"{context.log_stream_name}",
        "PhysicalResourceId": physicalResourceId or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    })
    print("Response body:")
    print(body)
    # An empty content-type: the presigned S3 URL is signed without one. The URL is the one
    # CloudFormation gave (S310).
    request = urllib.request.Request(  # noqa: S310
        response_url, data=body.encode("utf-8"), method="PUT",
        headers={"content-type": "", "content-length": str(len(body))})
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            print("Status code:", response.status)
    except Exception as exc:
        print("send(..) failed executing http.request(..):", exc)
