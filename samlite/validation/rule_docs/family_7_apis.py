"""Rule docs for family 7, 74xx: SAM's rules on AWS::Serverless::Api and HttpApi and the
events that add routes to them (validation/checks/sam_api_rules.py, sam_api_event_rules.py,
sam_api_settings.py), and what the local gateway cannot serve (mapping_templates.py,
definition_files.py, parameter_mappings.py; warnings, as API Gateway deploys them)."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import api, events, http_api, resource
from samlite.validation.rule_docs.model import RuleDoc

_REST = resource("Api", "AWS::Serverless::Api", "StageName: prod")
_HTTP = resource("Http", "AWS::Serverless::HttpApi")
_FN = resource("Fn", "AWS::Serverless::Function",
               "CodeUri: s3://my-bucket/fn.zip\nHandler: app.handler\nRuntime: python3.13")
_URI = "DefinitionUri: s3://my-bucket/openapi.yaml"


def _mock_route(responses: str, *, request: str = "") -> str:
    """A REST API whose DefinitionBody has GET /hello answered by a mock integration."""
    return api("StageName: prod\nDefinitionBody:\n  openapi: '3.0.1'\n"
               "  info: {title: hello, version: '1'}\n  paths:\n    /hello:\n      get:\n"
               "        x-amazon-apigateway-integration:\n          type: mock\n"
               "          requestTemplates:\n"
               "            application/json: '" + (request or '{"statusCode": 200}') + "'\n"
               "          responses:\n" + responses)


def _proxy_route(parameters: str) -> str:
    """An HTTP API whose DefinitionBody sends GET /items/{id} to a URL, with parameter
    mappings."""
    return http_api("DefinitionBody:\n  openapi: '3.0.1'\n  info: {title: items, version: '1'}\n"
                    "  paths:\n    /items/{id}:\n      get:\n"
                    "        x-amazon-apigateway-integration:\n          type: http_proxy\n"
                    "          httpMethod: GET\n          uri: https://example.com/items\n"
                    "          payloadFormatVersion: '1.0'\n          requestParameters:\n"
                    + parameters)


_OPENAPI_FILE = ("openapi: '3.0.1'\ninfo: {title: items, version: '1'}\npaths:\n  /items:\n"
                 "    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
                 "        httpMethod: POST\n        payloadFormatVersion: '2.0'\n        uri:\n")

DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E7401", title="An Api event's RestApiId names an HTTP API or nothing",
        why="SAM adds the route to the REST API RestApiId names, which must be a resource of "
            "the template (a logical id or a Ref); an AWS::Serverless::HttpApi is a different "
            "kind of API, used by HttpApi events.",
        example=events("Get:\n  Type: Api\n  Properties:\n    RestApiId: !Ref Http\n"
                       "    Path: /hello\n    Method: get", after=_HTTP),
        fix=events("Get:\n  Type: HttpApi\n  Properties:\n    ApiId: !Ref Http\n"
                   "    Path: /hello\n    Method: get", after=_HTTP),
    ),
    RuleDoc(
        code="E7402", title="An HttpApi event's ApiId names nothing in the template",
        why="SAM adds the route to the HTTP API ApiId names, which must be a resource of the "
            "same template (a logical id or a Ref).",
        example=events("Get:\n  Type: HttpApi\n  Properties:\n    ApiId: !Ref HttpApi\n"
                       "    Path: /hello\n    Method: get", after=_HTTP),
        fix=events("Get:\n  Type: HttpApi\n  Properties:\n    ApiId: !Ref Http\n"
                   "    Path: /hello\n    Method: get", after=_HTTP),
    ),
    RuleDoc(
        code="E7403", title="The same method and path twice on one API",
        why="An API has one integration per method and path, so SAM refuses a second event "
            "for it (\"API method ... defined multiple times for path ...\"); method names "
            "are compared without case.",
        example=events("Add:\n  Type: Api\n  Properties: {Path: /items, Method: post}\n"
                       "AddAgain:\n  Type: Api\n  Properties: {Path: /items, Method: POST}"),
        fix=events("Add:\n  Type: Api\n  Properties: {Path: /items, Method: post}\n"
                   "List:\n  Type: Api\n  Properties: {Path: /items, Method: get}"),
    ),
    RuleDoc(
        code="E7404", title="An API event without Path or Method, or with one SAM cannot read",
        why="SAM builds the route from Path and Method (an HttpApi event may leave out both, "
            "for the $default route) and reads them while translating, so an intrinsic "
            "function there cannot be used.",
        example=events("Get:\n  Type: HttpApi\n  Properties:\n    Path: /hello"),
        fix=events("Get:\n  Type: HttpApi\n  Properties:\n    Path: /hello\n    Method: get"),
    ),
    RuleDoc(
        code="E7405", title="An Api event's RequestParameters are not in SAM's format",
        why="Each entry is 'method.request.querystring|path|header.Name', or a map of such a "
            "name to {Required, Caching}; SAM refuses other forms.",
        example=events("Get:\n  Type: Api\n  Properties:\n    Path: /hello\n    Method: get\n"
                       "    RequestParameters: [Authorization]"),
        fix=events("Get:\n  Type: Api\n  Properties:\n    Path: /hello\n    Method: get\n"
                   "    RequestParameters: [method.request.header.Authorization]"),
    ),
    RuleDoc(
        code="E7406", title="StageName is empty",
        why="API Gateway names the stage (and the URL's path segment) after it, and SAM "
            "refuses an empty one (\"StageName cannot be empty\").",
        example=api("StageName: ''"), fix=api("StageName: prod"),
    ),
    RuleDoc(
        code="E7407", title="OpenApiVersion is not a version like 3.0.1",
        why="SAM decides between Swagger 2.0 and OpenAPI 3 from this value and refuses one "
            "not of the form '3.0.0' (or 2.x).",
        example=api("StageName: prod\nOpenApiVersion: '3'"),
        fix=api("StageName: prod\nOpenApiVersion: '3.0.1'"),
    ),
    RuleDoc(
        code="E7408", title="Cors SAM cannot write",
        why="SAM writes Cors into the API's OPTIONS responses: it is a quoted origin string or "
            "a map of AllowOrigin, AllowMethods, AllowHeaders, MaxAge and AllowCredentials; "
            "browsers refuse credentials with the '*' origin, and so does SAM.",
        example=api("StageName: prod\nCors:\n  AllowOrigin: \"'*'\"\n  AllowCredentials: true"),
        fix=api("StageName: prod\nCors:\n  AllowOrigin: \"'https://example.com'\"\n"
                "  AllowCredentials: true"),
    ),
    RuleDoc(
        code="E7409", title="A setting SAM writes into the definition, with DefinitionUri",
        why="SAM adds Cors, Auth, GatewayResponses, Models and the like to the OpenAPI "
            "definition it has inline; a DefinitionUri file is uploaded as written, so SAM "
            "cannot add them and refuses. Put them in the file, or use DefinitionBody.",
        example=api(f"StageName: prod\n{_URI}\nCors: \"'*'\""),
        fix=api(f"StageName: prod\n{_URI}"),
    ),
    RuleDoc(
        code="E7410", title="Both DefinitionUri and DefinitionBody",
        why="An API has one definition: SAM refuses both (\"Specify either 'DefinitionUri' or "
            "'DefinitionBody' property and not both\").",
        example=http_api(f"{_URI}\nDefinitionBody:\n  openapi: '3.0.1'\n"
                         "  info: {title: api, version: '1'}\n  paths: {}"),
        fix=http_api(_URI),
    ),
    RuleDoc(
        code="E7411", title="A DefinitionBody SAM cannot edit",
        why="SAM adds events' routes, authorizers and Cors to DefinitionBody, so it must be a "
            "Swagger 2.0 or OpenAPI 3 document whose parts SAM edits have their documented "
            "shapes (an operation a mapping, tags and security lists, …).",
        example=api("StageName: prod\nDefinitionBody:\n  swagger: '2.0'\n"
                    "  info: {title: api, version: '1'}\n  paths:\n    /hello:\n      get:"),
        fix=api("StageName: prod\nDefinitionBody:\n  swagger: '2.0'\n"
                "  info: {title: api, version: '1'}\n  paths:\n    /hello:\n"
                "      get:\n        responses: {}"),
    ),
    RuleDoc(
        code="E7412", title="An authorizer SAM cannot set up",
        why="An event's Auth.Authorizer must be one of the API's Authorizers (or AWS_IAM, "
            "NONE), and each authorizer needs the properties its kind takes (a JWT one "
            "IdentitySource and JwtConfiguration, a Lambda one on an HTTP API "
            "AuthorizerPayloadFormatVersion, …).",
        example=events("Get:\n  Type: Api\n  Properties:\n    Path: /hello\n    Method: get\n"
                       "    Auth:\n      Authorizer: TokenCheck"),
        fix=events("Get:\n  Type: Api\n  Properties:\n    Path: /hello\n    Method: get\n"
                   "    Auth:\n      Authorizer: AWS_IAM"),
    ),
    RuleDoc(
        code="E7413", title="A gateway response SAM cannot write",
        why="GatewayResponses map a response type to StatusCode (a number), "
            "ResponseParameters (Headers, Paths, QueryStrings) and ResponseTemplates; SAM "
            "refuses other keys and a non-numeric status.",
        example=api("StageName: prod\nGatewayResponses:\n  UNAUTHORIZED:\n"
                    "    StatusCode: four-oh-one"),
        fix=api("StageName: prod\nGatewayResponses:\n  UNAUTHORIZED:\n    StatusCode: 401"),
    ),
    RuleDoc(
        code="W7414", title="A mapping template that does not parse",
        why="API Gateway stores a Velocity (VTL) template as text and fails only when a "
            "request renders it, so the app deploys: a warning. The local gateway cannot run "
            "it, so `samlite up` leaves the route out.",
        example=_mock_route("            default:\n              statusCode: '200'\n",
                            request='#if($input.params(\"id\")) {\"statusCode\": 200}'),
        fix=_mock_route("            default:\n              statusCode: '200'\n",
                        request='#if($input.params(\"id\")) {\"statusCode\": 200} #end'),
    ),
    RuleDoc(
        code="W7415", title="A selectionPattern that is not a regular expression",
        why="API Gateway matches an integration's error against each response's "
            "selectionPattern (a Java regular expression) when a request comes, so a broken "
            "pattern deploys; the local gateway cannot serve the route.",
        example=_mock_route("            default:\n              statusCode: '200'\n"
                            "            '(Bad.*':\n              statusCode: '400'\n"),
        fix=_mock_route("            default:\n              statusCode: '200'\n"
                        "            'Bad.*':\n              statusCode: '400'\n"),
    ),
    RuleDoc(
        code="W7416", title="A gateway response template with VTL directives",
        why="API Gateway does not run Velocity in gateway response templates: only variables "
            "such as $context.error.messageString are filled in, and #if or #set reach the "
            "client as written, on AWS as locally.",
        example=api("StageName: prod\nGatewayResponses:\n  DEFAULT_4XX:\n"
                    "    ResponseTemplates:\n      application/json: "
                    "'#if(true){\"error\": \"$context.error.messageString\"}#end'"),
        fix=api("StageName: prod\nGatewayResponses:\n  DEFAULT_4XX:\n"
                "    ResponseTemplates:\n      application/json: "
                "'{\"error\": \"$context.error.messageString\"}'"),
    ),
    RuleDoc(
        code="W7417", title="An integration response's statusCode is not an HTTP status",
        why="Method responses are keyed by an HTTP status code (100-599); API Gateway takes "
            "the template, but no response can be sent with another value, and the local "
            "gateway leaves the route out.",
        example=_mock_route("            default:\n              statusCode: ok\n"),
        fix=_mock_route("            default:\n              statusCode: '200'\n"),
    ),
    RuleDoc(
        code="W7418", title="An intrinsic function in a DefinitionUri file",
        why="API Gateway imports the file DefinitionUri (or BodyS3Location) names as written, "
            "so an Fn::Sub or !GetAtt in it is not evaluated and reaches API Gateway as text; "
            "`samlite up` leaves such routes out. Include the file with AWS::Include in "
            "DefinitionBody to have its intrinsics evaluated.",
        example=http_api("DefinitionUri: openapi.yaml", after=_FN),
        fix=http_api("DefinitionBody:\n  Fn::Transform:\n    Name: AWS::Include\n"
                     "    Parameters:\n      Location: openapi.yaml", after=_FN),
        files={"openapi.yaml": _OPENAPI_FILE + "          Fn::Sub: arn:aws:apigateway:"
                               "${AWS::Region}:lambda:path/2015-03-31/functions/"
                               "${Fn.Arn}/invocations\n"},
    ),
    RuleDoc(
        code="W7419", title="A selection expression inside text, without braces",
        why="API Gateway's HTTP API parameter mappings take one whole expression "
            "($request.path.id) or, inside text, each variable in braces "
            "(${request.path.id}); samlite sends any other value as written.",
        example=_proxy_route("            overwrite:path: /v2/items/$request.path.id\n"),
        fix=_proxy_route("            overwrite:path: /v2/items/${request.path.id}\n"),
    ),
    RuleDoc(
        code="E7420", title="RequestModel names a model the API does not define",
        why="SAM sets the request model on the method from the API's Models (\"Unable to set "
            "RequestModel\"), so the name must be one of them.",
        example=events("Add:\n  Type: Api\n  Properties:\n    RestApiId: !Ref Api\n"
                       "    Path: /users\n    Method: post\n    RequestModel: {Model: User}",
                       after=resource("Api", "AWS::Serverless::Api",
                                      "StageName: prod\nModels:\n  Order: {type: object}")),
        fix=events("Add:\n  Type: Api\n  Properties:\n    RestApiId: !Ref Api\n"
                   "    Path: /users\n    Method: post\n    RequestModel: {Model: User}",
                   after=resource("Api", "AWS::Serverless::Api",
                                  "StageName: prod\nModels:\n  User: {type: object}")),
    ),
    RuleDoc(
        code="E7421", title="OverrideApiAuth with nothing to override with",
        why="OverrideApiAuth replaces the API's default auth on this route with the event's "
            "own Authorizer, ApiKeyRequired or ResourcePolicy; with none of them SAM refuses it.",
        example=events("Get:\n  Type: Api\n  Properties:\n    RestApiId: !Ref Api\n"
                       "    Path: /hello\n    Method: get\n    Auth: {OverrideApiAuth: true}",
                       after=_REST),
        fix=events("Get:\n  Type: Api\n  Properties:\n    RestApiId: !Ref Api\n"
                   "    Path: /hello\n    Method: get\n"
                   "    Auth: {OverrideApiAuth: true, Authorizer: AWS_IAM}", after=_REST),
    ),
    RuleDoc(
        code="E7422", title="ApiKeyRequired: false on an API that requires no keys",
        why="An event can turn API keys off only where the API's Auth.ApiKeyRequired turns "
            "them on (\"Unable to set ApiKeyRequired\").",
        example=events("Get:\n  Type: Api\n  Properties:\n    Path: /hello\n    Method: get\n"
                       "    Auth: {ApiKeyRequired: false}"),
        fix=events("Get:\n  Type: Api\n  Properties:\n    Path: /hello\n    Method: get"),
    ),
    RuleDoc(
        code="E7423", title="A custom Domain SAM cannot create",
        why="A REST API's domain endpoint is REGIONAL, EDGE or PRIVATE (an HTTP API's only "
            "REGIONAL), MutualTlsAuthentication takes TruststoreUri and TruststoreVersion, "
            "and Route53 needs HostedZoneId or HostedZoneName.",
        example=api("StageName: prod\nDomain:\n  DomainName: api.example.com\n"
                    "  CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x\n"
                    "  EndpointConfiguration: GLOBAL"),
        fix=api("StageName: prod\nDomain:\n  DomainName: api.example.com\n"
                "  CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x\n"
                "  EndpointConfiguration: REGIONAL"),
    ),
    RuleDoc(
        code="E7424", title="An API's Auth SAM cannot read",
        why="SAM reads the API's Auth itself: only the keys its kind of API takes "
            "(DefaultAuthorizer, Authorizers, ApiKeyRequired, UsagePlan, ResourcePolicy, …), "
            "and a UsagePlan map with CreateUsagePlan PER_API, SHARED or NONE.",
        example=api("StageName: prod\nAuth:\n  DefaultAuthoriser: AWS_IAM"),
        fix=api("StageName: prod\nAuth:\n  DefaultAuthorizer: AWS_IAM"),
    ),
    RuleDoc(
        code="E7425", title="An HTTP API's Name or Description also set in its DefinitionBody",
        why="SAM writes Name into info.title and Description into info.description of the "
            "DefinitionBody, and refuses when the body already has its own.",
        example=http_api("Description: Orders API\nDefinitionBody:\n  openapi: '3.0.1'\n"
                         "  info: {title: orders, version: '1', description: Orders}\n"
                         "  paths: {}"),
        fix=http_api("DefinitionBody:\n  openapi: '3.0.1'\n"
                     "  info: {title: orders, version: '1', description: Orders}\n"
                     "  paths: {}"),
    ),
    RuleDoc(
        code="E7426", title="Both VPCEndpointIds and VpcEndpointIds",
        why="SAM accepts either spelling of a private REST API's endpoint ids, not both.",
        example=api("StageName: prod\nEndpointConfiguration:\n  Type: PRIVATE\n"
                    "  VPCEndpointIds: [vpce-0123]\n  VpcEndpointIds: [vpce-4567]"),
        fix=api("StageName: prod\nEndpointConfiguration:\n  Type: PRIVATE\n"
                "  VPCEndpointIds: [vpce-0123, vpce-4567]"),
    ),
    RuleDoc(
        code="E7427", title="An AWS::Serverless::Api without StageName",
        why="SAM creates the API's stage from StageName (here or in Globals.Api), so it is "
            "required (\"Missing required property 'StageName'\").",
        example=api("Description: orders"), fix=api("Description: orders\nStageName: prod"),
    ),
)
