"""Rule docs for family 7, 70xx-71xx: SAM's translation rules on any resource and on
functions and layers (validation/checks/sam_rules.py, sam_function_rules.py,
sam_policy_rules.py)."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import function, resource
from samlite.validation.rule_docs.model import SAM, RuleDoc

HANDLER = "def handler(event, context):\n    return {}\n"
IS_PROD = "Conditions:\n  IsProd: !Equals [!Ref 'AWS::Region', eu-west-1]\n"
ALIAS_PARAMETER = "Parameters:\n  Alias:\n    Type: String\n    Default: '{}'\n"
IMAGE = "ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"


def _image_function(extra: str) -> str:
    return (SAM + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      PackageType: Image\n" + extra)


def _layer(extra: str) -> str:
    return (SAM + "Resources:\n  Shared:\n    Type: AWS::Serverless::LayerVersion\n"
            "    Properties:\n" + extra)


DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E7001", title="A logical id is not alphanumeric",
        why="CloudFormation's logical ids may hold only A-Z, a-z and 0-9, and SAM's "
            "translator checks it first (\"Logical ids must be alphanumeric\").",
        example=SAM + "Resources:\n" + resource("Jobs-Queue", "AWS::SQS::Queue"),
        fix=SAM + "Resources:\n" + resource("JobsQueue", "AWS::SQS::Queue"),
    ),
    RuleDoc(
        code="E7002", title="A resource is not a mapping with Type and Properties",
        why="Each entry of Resources must be a mapping with at least Type; usually the "
            "resource's lines are indented one level too little, so YAML reads them as "
            "resources of their own.",
        example=SAM + "Resources:\n  Queue:\n  Type: AWS::SQS::Queue\n",
        fix=SAM + "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
    ),
    RuleDoc(
        code="E7003", title="A resource's Properties is not a mapping",
        why="SAM's translator reads Properties as a mapping (\"Attribute 'Properties' should "
            "be a map\"), and CloudFormation too.",
        example=SAM + "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
                      "    Properties:\n      - QueueName: jobs\n",
        fix=SAM + "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
                  "    Properties:\n      QueueName: jobs\n",
    ),
    RuleDoc(
        code="E7004", title="A resource has the id SAM gives a resource it generates",
        why="SAM creates resources named after the function (FnRole, FnUrl, "
            "Fn<Event>Permission, …); when the template already has one with that id, the "
            "transform fails instead of overwriting it.",
        example=function(after=resource("FnRole", "AWS::SNS::Topic")),
        fix=function(after=resource("AlertsTopic", "AWS::SNS::Topic")),
    ),
    RuleDoc(
        code="E7005", title="Fn::If without three arguments where SAM splits it",
        why="SAM reads Role, DeadLetterQueue.TargetArn and event invoke destinations itself "
            "and splits an Fn::If into its two branches, so it must be [condition, value if "
            "true, value if false] (\"Malformed ... property\").",
        example=function("Role: !If [IsProd, arn:aws:iam::123456789012:role/prod]",
                         head=IS_PROD),
        fix=function("Role: !If [IsProd, arn:aws:iam::123456789012:role/prod, "
                     "!Ref 'AWS::NoValue']", head=IS_PROD),
    ),
    RuleDoc(
        code="E7006", title="A Fn::Sub variable is not a string",
        why="SAM's translator resolves Fn::Sub variables it can and refuses one that is a "
            "list or map (\"Fn::Sub expects all variables to be strings\"), including a "
            "parameter whose Default is a list.",
        example=function("Description: !Sub ['${Who} handler', {Who: [a, b]}]"),
        fix=function("Description: !Sub ['${Who} handler', {Who: orders}]"),
    ),
    RuleDoc(
        code="E7007", title="Fn::FindInMap without three values, or on a one-level map",
        why="SAM resolves Fn::FindInMap while translating and needs [MapName, TopLevelKey, "
            "SecondLevelKey] on a two-level mapping, as CloudFormation does.",
        example=function("MemorySize: !FindInMap [Sizes, prod]",
                         head="Mappings:\n  Sizes:\n    prod: {Memory: 512}\n"),
        fix=function("MemorySize: !FindInMap [Sizes, prod, Memory]",
                     head="Mappings:\n  Sizes:\n    prod: {Memory: 512}\n"),
    ),
    RuleDoc(
        code="W7101", title="A function has no CodeUri or InlineCode (a layer no ContentUri)",
        why="SAM CLI then packages the template's own folder, which real projects rely on, "
            "so it is a warning; SAM's translator alone refuses it, and the whole folder, "
            "template included, becomes the function's code.",
        example=SAM + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                      "    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n",
        fix=function(code="CodeUri: src/"),
        files={"app.py": HANDLER, "src/app.py": HANDLER},
    ),
    RuleDoc(
        code="E7102", title="A zip function has no Runtime or no Handler",
        why="\"Runtime and Handler needs to be present when PackageType is of type Zip\": "
            "Lambda needs both to run zip code (here or from Globals.Function).",
        example=function().replace("      Handler: app.handler\n", ""),
        fix=function(),
    ),
    RuleDoc(
        code="E7103", title="An image function has no ImageUri",
        why="An image function runs the container image ImageUri names; without it (and "
            "without Metadata.Dockerfile for `sam build` to build one) there is nothing to "
            "deploy.",
        example=_image_function(""),
        fix=_image_function(f"      {IMAGE}\n"),
    ),
    RuleDoc(
        code="E7104", title="AutoPublishAlias is empty",
        why="SAM creates an alias with that name on each published version; an empty name "
            "(often from a parameter's empty Default) cannot name an alias.",
        example=function("AutoPublishAlias: !Ref Alias", head=ALIAS_PARAMETER.format("")),
        fix=function("AutoPublishAlias: !Ref Alias", head=ALIAS_PARAMETER.format("live")),
    ),
    RuleDoc(
        code="E7105", title="DeploymentPreference without AutoPublishAlias",
        why="CodeDeploy shifts traffic between versions of the alias SAM publishes "
            "(\"'DeploymentPreference' requires AutoPublishAlias property to be specified\").",
        example=function("DeploymentPreference:\n  Type: AllAtOnce"),
        fix=function("AutoPublishAlias: live\nDeploymentPreference:\n  Type: AllAtOnce"),
    ),
    RuleDoc(
        code="E7106", title="VersionDeletionPolicy without AutoPublishAlias",
        why="The policy applies to the versions SAM publishes for the alias, so SAM refuses "
            "it alone (\"'VersionDeletionPolicy' requires 'AutoPublishAlias'\").",
        example=function("VersionDeletionPolicy: Retain"),
        fix=function("AutoPublishAlias: live\nVersionDeletionPolicy: Retain"),
    ),
    RuleDoc(
        code="E7107", title="CodeUri, ContentUri or DefinitionUri is not a path, S3 URI or "
                            "{Bucket, Key}",
        why="SAM reads these while it translates: a local path (which `sam package` uploads), "
            "s3://bucket/key or {Bucket, Key}. Another URL scheme, an intrinsic function or a "
            "dynamic reference cannot be read then.",
        example=function(code="CodeUri: https://example.com/fn.zip"),
        fix=function(),
    ),
    RuleDoc(
        code="E7108", title="An event invoke destination SAM cannot build",
        why="EventInvokeConfig destinations take Type SQS, SNS, Lambda, EventBridge or "
            "S3Bucket; "
            "only for SQS and SNS may Destination be left out (SAM then creates the queue "
            "or topic).",
        example=function("EventInvokeConfig:\n  DestinationConfig:\n    OnFailure:\n"
                         "      Type: Lambda"),
        fix=function("EventInvokeConfig:\n  DestinationConfig:\n    OnFailure:\n"
                     "      Type: SQS"),
    ),
    RuleDoc(
        code="E7109", title="DeadLetterQueue's Type or TargetArn is missing, empty or not "
                            "a string",
        why="SAM picks the dead-letter queue's permissions by Type (SQS or SNS) and needs the "
            "queue or topic ARN, so both must be given and Type written out.",
        example=function("DeadLetterQueue:\n  Type: SQS\n  TargetArn: ''"),
        fix=function("DeadLetterQueue:\n  Type: SQS\n  TargetArn: !GetAtt Dlq.Arn",
                     after=resource("Dlq", "AWS::SQS::Queue")),
    ),
    RuleDoc(
        code="E7110", title="A Policies item SAM cannot read",
        why="Each item of a function's Policies is a managed policy name or ARN, a policy "
            "document (a Statement), or a policy template SAM knows; an IAM role's inline "
            "policy form (PolicyName, PolicyDocument) or an unknown template name is refused.",
        example=function("Policies:\n  - PolicyName: read\n    PolicyDocument:\n"
                         "      Statement: [{Effect: Allow, Action: 's3:GetObject', "
                         "Resource: '*'}]"),
        fix=function("Policies:\n  - Statement: [{Effect: Allow, Action: 's3:GetObject', "
                     "Resource: '*'}]"),
    ),
    RuleDoc(
        code="E7111", title="FunctionUrlConfig without AuthType, or Cors SAM refuses",
        why="A function URL needs AuthType (AWS_IAM or NONE), and its Cors takes Lambda's keys "
            "(AllowOrigins, AllowMethods, …) with their types.",
        example=function("FunctionUrlConfig:\n  Cors:\n    AllowOrigins: ['*']"),
        fix=function("FunctionUrlConfig:\n  AuthType: NONE\n  Cors:\n"
                     "    AllowOrigins: ['*']"),
    ),
    RuleDoc(
        code="E7112", title="A setting that tenant isolation does not allow",
        why="Functions with TenancyConfig support no provisioned concurrency, function URL or "
            "SnapStart, and only Api and HttpApi event sources.",
        example=function("TenancyConfig:\n  TenantIsolationMode: PER_TENANT\n"
                         "FunctionUrlConfig:\n  AuthType: AWS_IAM"),
        fix=function("TenancyConfig:\n  TenantIsolationMode: PER_TENANT"),
    ),
    RuleDoc(
        code="E7113", title="A layer's RetentionPolicy is not Retain or Delete",
        why="SAM turns RetentionPolicy into the layer version's DeletionPolicy itself, so it "
            "reads the value while translating: Retain or Delete, or a Ref to a String "
            "parameter holding one.",
        example=_layer("      ContentUri: s3://my-bucket/layer.zip\n      RetentionPolicy: Keep\n"),
        fix=_layer("      ContentUri: s3://my-bucket/layer.zip\n      RetentionPolicy: Retain\n"),
    ),
    RuleDoc(
        code="E7114", title="AutoPublishAlias is not a name an alias can have",
        why="Lambda alias names use letters, digits, '-' and '_' and are not only digits (a "
            "number names a version).",
        example=function("AutoPublishAlias: my.alias"),
        fix=function("AutoPublishAlias: my_alias"),
    ),
    RuleDoc(
        code="E7115", title="AutoPublishAlias is an intrinsic SAM cannot resolve",
        why="SAM names the alias while it translates, when only Refs to parameters have a "
            "value; Fn::Sub, Fn::If and the like are refused.",
        example=function("AutoPublishAlias: !Sub '${Stage}live'",
                         head="Parameters:\n  Stage:\n    Type: String\n    Default: prod\n"),
        fix=function("AutoPublishAlias: !Ref Stage",
                     head="Parameters:\n  Stage:\n    Type: String\n    Default: prod\n"),
    ),
    RuleDoc(
        code="E7116", title="ProvisionedConcurrencyConfig without AutoPublishAlias",
        why="SAM sets provisioned concurrency on the alias it publishes, so there must be one.",
        example=function("ProvisionedConcurrencyConfig:\n  ProvisionedConcurrentExecutions: 2"),
        fix=function("AutoPublishAlias: live\nProvisionedConcurrencyConfig:\n"
                     "  ProvisionedConcurrentExecutions: 2"),
    ),
    RuleDoc(
        code="E7117", title="AutoPublishCodeSha256 is not a string",
        why="SAM adds it to the hash it names the published version's logical id with, while "
            "translating, so it must be a string or a Ref to a String parameter.",
        example=function("AutoPublishAlias: live\nAutoPublishCodeSha256: !GetAtt Fn.Arn"),
        fix=function("AutoPublishAlias: live\nAutoPublishCodeSha256: '2024-06-01'"),
    ),
    RuleDoc(
        code="E7118", title="Runtime, Handler or Layers on an image function",
        why="A container image holds its own runtime, handler and code; Lambda refuses these "
            "properties when PackageType is Image.",
        example=_image_function(f"      {IMAGE}\n      Handler: app.handler\n"),
        fix=_image_function(f"      {IMAGE}\n      ImageConfig:\n"
                            "        Command: [app.handler]\n"),
    ),
    RuleDoc(
        code="E7119", title="ImageConfig on a zip function",
        why="ImageConfig overrides a container image's settings; Lambda refuses it for zip "
            "functions.",
        example=function("ImageConfig:\n  Command: [app.handler]"),
        fix=function(),
    ),
    RuleDoc(
        code="E7120", title="DeploymentPreference SAM cannot turn into a CodeDeploy group",
        why="An enabled DeploymentPreference needs Type (how traffic shifts, e.g. "
            "Canary10Percent5Minutes); Alarms must be a list and PassthroughCondition a "
            "boolean SAM can read.",
        example=function("AutoPublishAlias: live\nDeploymentPreference:\n  Enabled: true"),
        fix=function("AutoPublishAlias: live\nDeploymentPreference:\n  Enabled: true\n"
                     "  Type: Canary10Percent5Minutes"),
    ),
    RuleDoc(
        code="E7121", title="A tag key SAM reserves",
        why="SAM tags what it creates with lambda:createdBy, and the Serverless Application "
            "Repository keeps serverlessrepo:applicationId and :semanticVersion; a function "
            "may not set them.",
        example=function("Tags:\n  'lambda:createdBy': me"),
        fix=function("Tags:\n  owner: me"),
    ),
    RuleDoc(
        code="E7122", title="A policy template is missing a parameter",
        why="SAM fills each policy template's placeholders from its parameters and refuses "
            "one that lacks a parameter the template needs (SQSPollerPolicy needs QueueName).",
        example=function("Policies:\n  - SQSPollerPolicy:\n      Queue: jobs"),
        fix=function("Policies:\n  - SQSPollerPolicy:\n      QueueName: jobs"),
    ),
)
