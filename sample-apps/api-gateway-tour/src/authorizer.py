"""The REST API's Lambda TOKEN authorizer: it maps a bearer token to a user and answers with
an IAM policy for the API's methods, as "Use API Gateway Lambda authorizers" describes.

API Gateway checks the header against the authorizer's ValidationExpression first (no call,
401), then calls this; raising Exception("Unauthorized") also makes the client's answer a
401. The answer is cached per token for ReauthorizeEvery seconds, so the policy covers every
method of the API, not just the one being called."""

# A real authorizer would verify a signed token (a JWT, an opaque token in a table); a dict
# keeps the sample small and its outcomes obvious.
USERS = {
    "ada-token": {"user": "ada", "plan": "pro", "allowed": True},
    "bob-token": {"user": "bob", "plan": "free", "allowed": False},   # a suspended account
}


def handler(event, context):
    token = event["authorizationToken"].removeprefix("Bearer ")
    account = USERS.get(token)
    if account is None:
        raise Exception("Unauthorized")      # API Gateway answers 401 {"message":"Unauthorized"}
    return {
        "principalId": account["user"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Allow" if account["allowed"] else "Deny",
                "Resource": all_methods(event["methodArn"]),
            }],
        },
        # Passed on to the route's function as requestContext.authorizer (as strings).
        "context": {"user": account["user"], "plan": account["plan"]},
    }


def all_methods(method_arn):
    """arn:...:api-id/stage/GET/profile -> arn:...:api-id/stage/*/* (every method)."""
    api_and_stage = method_arn.split("/")[:2]
    return "/".join([*api_and_stage, "*", "*"])
