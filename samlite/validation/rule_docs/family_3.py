"""Rule docs for family 3: references (Ref, Fn::GetAtt, Fn::Sub, DependsOn, conditions),
intrinsic functions and dynamic references (validation/checks/references.py, secrets.py,
template/resolve.py, template/intrinsics.py)."""

from __future__ import annotations

from samlite.validation.rule_docs.model import RuleDoc

QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def _queue(props: str, *, head: str = "", more: str = "") -> str:
    """A template with a queue `Queue` whose Properties are `props`; `head` goes before
    Resources, `more` after the queue."""
    return head + QUEUE + "    Properties:\n" + props + more


def _secret(props: str) -> str:
    return ("Resources:\n  DbSecret:\n    Type: AWS::SecretsManager::Secret\n"
            "    Properties:\n" + props)


DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E3001", title="Ref names nothing in the template",
        why="CloudFormation refuses a template whose Ref names neither a parameter, a "
            "resource (SAM's generated ones included) nor a pseudo parameter "
            "(\"Unresolved resource dependencies\").",
        example=_queue("      QueueName: !Ref QueueNme\n",
                       head="Parameters:\n  QueueName:\n    Type: String\n    Default: jobs\n"),
        fix=_queue("      QueueName: !Ref QueueName\n",
                   head="Parameters:\n  QueueName:\n    Type: String\n    Default: jobs\n"),
    ),
    RuleDoc(
        code="E3002", title="Fn::GetAtt names something that is not a resource",
        why="Fn::GetAtt reads an attribute of a resource of the same template; CloudFormation "
            "refuses one naming anything else, a parameter included.",
        example=_queue("      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dlq.Arn\n"
                       "        maxReceiveCount: 3\n"),
        fix=_queue("      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dead.Arn\n"
                   "        maxReceiveCount: 3\n", more="  Dead:\n    Type: AWS::SQS::Queue\n"),
    ),
    RuleDoc(
        code="W3003", title="Fn::GetAtt reads an attribute the resource type does not have",
        why="CloudFormation rejects the attribute when it creates the stack, but SAM "
            "translates the template regardless, so it is a warning: the message lists the "
            "attributes the type has.",
        example=_queue("      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dead.Url\n"
                       "        maxReceiveCount: 3\n", more="  Dead:\n    Type: AWS::SQS::Queue\n"),
        fix=_queue("      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dead.Arn\n"
                   "        maxReceiveCount: 3\n", more="  Dead:\n    Type: AWS::SQS::Queue\n"),
    ),
    RuleDoc(
        code="E3004", title="A Fn::Sub variable names nothing",
        why="Each ${Name} in Fn::Sub must be a parameter, a resource, a resource attribute "
            "(${Res.Attr}), a pseudo parameter or a variable of the Fn::Sub's own map; "
            "CloudFormation refuses any other name.",
        example=_queue("      QueueName: !Sub '${Stage}-jobs'\n"),
        fix=_queue("      QueueName: !Sub '${AWS::StackName}-jobs'\n"),
    ),
    RuleDoc(
        code="E3005", title="DependsOn names something that is not a resource",
        why="DependsOn takes logical ids of resources in the same template; CloudFormation "
            "refuses any other name.",
        example=QUEUE + "    DependsOn: Topics\n  Topic:\n    Type: AWS::SNS::Topic\n",
        fix=QUEUE + "    DependsOn: Topic\n  Topic:\n    Type: AWS::SNS::Topic\n",
    ),
    RuleDoc(
        code="E3006", title="DependsOn goes round in a loop",
        why="CloudFormation creates a resource after those it depends on, so a loop "
            "(\"Circular dependency between resources\") leaves it no order to create them in.",
        example=QUEUE + "    DependsOn: Topic\n  Topic:\n    Type: AWS::SNS::Topic\n"
                        "    DependsOn: Queue\n",
        fix=QUEUE + "    DependsOn: Topic\n  Topic:\n    Type: AWS::SNS::Topic\n",
    ),
    RuleDoc(
        code="E3007", title="A Condition or Fn::If names a condition that is not defined",
        why="Resources' and outputs' Condition, Fn::If and {Condition: Name} must name an entry "
            "of the Conditions section; CloudFormation refuses the template otherwise.",
        example="Conditions:\n  IsProd: !Equals [!Ref 'AWS::Region', eu-west-1]\n"
                + QUEUE + "    Condition: IsProduction\n",
        fix="Conditions:\n  IsProd: !Equals [!Ref 'AWS::Region', eu-west-1]\n"
            + QUEUE + "    Condition: IsProd\n",
    ),
    RuleDoc(
        code="E3008", title="Conditions refer to each other in a loop",
        why="CloudFormation evaluates a condition from the ones it names, so a loop has no "
            "value and the template is refused.",
        example="Conditions:\n  A: !Not [{Condition: B}]\n  B: !Not [{Condition: A}]\n"
                + QUEUE + "    Condition: A\n",
        fix="Conditions:\n  A: !Not [{Condition: B}]\n"
            "  B: !Equals [!Ref 'AWS::Region', eu-west-1]\n" + QUEUE + "    Condition: A\n",
    ),
    RuleDoc(
        code="W3009", title="Fn::GetAtt Table.StreamArn on a table without a stream",
        why="A DynamoDB table has a stream only with StreamSpecification, and CloudFormation "
            "rejects StreamArn without one. SAM's translator accepts it, so it is a warning.",
        example="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n"
                "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
                "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
                "Outputs:\n  Stream:\n    Value: !GetAtt Orders.StreamArn\n",
        fix="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            "      BillingMode: PAY_PER_REQUEST\n"
            "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
            "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
            "      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}\n"
            "Outputs:\n  Stream:\n    Value: !GetAtt Orders.StreamArn\n",
    ),
    RuleDoc(
        code="W3010", title="A function's environment names a resource its policies do not "
                            "let it use",
        why="A variable holding a queue's URL, a table's name or a bucket's name is there for "
            "the handler to use it: send to or receive from the queue, read or write the "
            "table's items, get or put the bucket's objects, publish to the topic. When "
            "neither the function's policies nor the resource's own policy in the template "
            "allow any of those actions on it, AWS denies the calls at run time (the most "
            "common \"works locally, fails on AWS\" bug). The receive on any queue that SAM "
            "grants for an SQS event is for Lambda's polling: it counts for that event's own "
            "queue only. "
            "`samlite up --iam enforce` refuses the calls locally too (docs/iam.md).",
        example="Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  Api:\n"
                "    Type: AWS::Serverless::Function\n    Properties:\n"
                "      Runtime: python3.12\n      Handler: index.handler\n"
                "      InlineCode: \"def handler(event, context): return 1\"\n"
                "      Environment:\n        Variables:\n          QUEUE_URL: !Ref Jobs\n",
        fix="Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  Api:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: index.handler\n"
            "      InlineCode: \"def handler(event, context): return 1\"\n"
            "      Policies:\n        - SQSSendMessagePolicy: {QueueName: !GetAtt Jobs.QueueName}\n"
            "      Environment:\n        Variables:\n          QUEUE_URL: !Ref Jobs\n",
    ),
    RuleDoc(
        code="E3201", title="Ref to an unknown name where the reference checks do not look",
        why="Found while evaluating the template as CloudFormation would. In Properties, "
            "Outputs, Conditions and Globals the same mistake is reported as E3001; this code "
            "shows where only the evaluation meets it, such as a resource's Metadata, which "
            "CloudFormation resolves too.",
        example=QUEUE + "    Metadata:\n      Owner: !Ref Team\n",
        fix="Parameters:\n  Team:\n    Type: String\n    Default: payments\n"
            + QUEUE + "    Metadata:\n      Owner: !Ref Team\n",
    ),
    RuleDoc(
        code="E3202", title="Fn::GetAtt to a non-resource where the reference checks do not "
                            "look",
        why="Found while evaluating the template (a resource's Metadata, for instance); in "
            "Properties and Outputs the same mistake is E3002. Fn::GetAtt reads attributes of "
            "resources only.",
        example=QUEUE + "    Metadata:\n      Alerts: !GetAtt Alarms.TopicName\n",
        fix=QUEUE + "    Metadata:\n      Alerts: !GetAtt Alarms.TopicName\n"
                    "  Alarms:\n    Type: AWS::SNS::Topic\n",
    ),
    RuleDoc(
        code="E3203", title="An unknown condition where the reference checks do not look",
        why="Found while evaluating the template (an Fn::If in a resource's Metadata, for "
            "instance); elsewhere the same mistake is E3007. CloudFormation refuses a "
            "condition name the Conditions section does not define.",
        example="Conditions:\n  IsProd: !Equals [!Ref 'AWS::Region', eu-west-1]\n"
                + QUEUE + "    Metadata:\n      Tier: !If [IsProduction, gold, bronze]\n",
        fix="Conditions:\n  IsProd: !Equals [!Ref 'AWS::Region', eu-west-1]\n"
            + QUEUE + "    Metadata:\n      Tier: !If [IsProd, gold, bronze]\n",
    ),
    RuleDoc(
        code="E3204", title="Conditions in a loop, as the evaluator meets them",
        why="The evaluator's own finding of a condition that depends on itself. The reference "
            "checks find every such loop first, so `samlite validate` shows it once, as E3008; "
            "ignoring E3204 alone silences nothing.",
        example="Conditions:\n  A: !Not [{Condition: A}]\n" + QUEUE + "    Condition: A\n",
        fix="Conditions:\n  A: !Not [!Equals [!Ref 'AWS::Region', eu-west-1]]\n"
            + QUEUE + "    Condition: A\n",
        shown_as="E3008",
    ),
    RuleDoc(
        code="E3205", title="Resources' names refer to each other in a loop",
        why="A resource whose name reads another resource's name, which reads the first, can "
            "be created by neither (\"Circular dependency between resources\").",
        example=_queue("      QueueName: !Sub '${Other.QueueName}-a'\n",
                       more="  Other:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                            "      QueueName: !Sub '${Queue.QueueName}-b'\n"),
        fix=_queue("      QueueName: jobs-a\n",
                   more="  Other:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                        "      QueueName: !Sub '${Queue.QueueName}-b'\n"),
    ),
    RuleDoc(
        code="E3206", title="Values or intrinsic functions nested too deeply",
        why="Far beyond any real template (more than 120 levels): such a template is almost "
            "certainly generated wrongly, and samlite stops evaluating it there.",
        example=_queue("      Tags:\n        - Key: deep\n          Value: "
                       + "[" * 125 + "x" + "]" * 125 + "\n"),
        fix=_queue("      Tags:\n        - Key: deep\n          Value: x\n"),
    ),
    RuleDoc(
        code="E3207", title="An intrinsic function's arguments have the wrong shape",
        why="Each intrinsic takes a fixed shape (Fn::Select an index and a list, Fn::Join a "
            "delimiter and a list, …); CloudFormation refuses any other with a template "
            "format error.",
        example=_queue("      QueueName: !Select [0]\n"),
        fix=_queue("      QueueName: !Select [0, [jobs, tasks]]\n"),
    ),
    RuleDoc(
        code="E3208", title="Fn::FindInMap names a map or key that is not in Mappings",
        why="CloudFormation refuses a lookup whose map, top-level key or second-level key the "
            "Mappings section does not hold.",
        example="Mappings:\n  Sizes:\n    dev: {Delay: 5}\n"
                + _queue("      DelaySeconds: !FindInMap [Sizes, test, Delay]\n"),
        fix="Mappings:\n  Sizes:\n    dev: {Delay: 5}\n"
            + _queue("      DelaySeconds: !FindInMap [Sizes, dev, Delay]\n"),
    ),
    RuleDoc(
        code="E3209", title="An intrinsic function cannot be evaluated",
        why="Its arguments have the right shape but no value comes out (an Fn::Select index "
            "beyond the list, Fn::Join of a non-string, Fn::Cidr asking for more subnets than "
            "fit); CloudFormation fails the same way.",
        example=_queue("      QueueName: !Select [2, [jobs, tasks]]\n"),
        fix=_queue("      QueueName: !Select [1, [jobs, tasks]]\n"),
    ),
    RuleDoc(
        code="E3210", title="An unknown intrinsic function",
        why="A one-key mapping whose key starts with Fn:: is read as an intrinsic function; "
            "CloudFormation refuses a name it does not define.",
        example=_queue("      QueueName:\n        Fn::Concat: [a, b]\n"),
        fix=_queue("      QueueName:\n        Fn::Join: ['', [a, b]]\n"),
    ),
    RuleDoc(
        code="W3211", title="A condition depends on values only AWS knows",
        why="A condition reading an SSM parameter or another value resolved only at deploy "
            "time cannot be decided locally; samlite treats it as false, so what it guards is "
            "left out here. A condition on plain parameters (a Default or "
            "--parameter-overrides) is decided locally.",
        example="Parameters:\n  Stage:\n    Type: AWS::SSM::Parameter::Value<String>\n"
                "    Default: /app/stage\n"
                "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n"
                + QUEUE + "    Condition: IsProd\n",
        fix="Parameters:\n  Stage:\n    Type: String\n    Default: prod\n"
            "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n"
            + QUEUE + "    Condition: IsProd\n",
    ),
    RuleDoc(
        code="W3213", title="Fn::ForEach is not expanded locally",
        why="Fn::ForEach belongs to the AWS::LanguageExtensions transform, which samlite does "
            "not run: the resources it makes are neither checked nor run. Write them out to "
            "have samlite check and run them.",
        example="Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Queues:\n"
                "    - Name\n    - [Jobs, Tasks]\n"
                "    - ${Name}Queue:\n        Type: AWS::SQS::Queue\n",
        fix="Resources:\n  JobsQueue:\n    Type: AWS::SQS::Queue\n"
            "  TasksQueue:\n    Type: AWS::SQS::Queue\n",
    ),
    RuleDoc(
        code="E3801", title="A secret has both SecretString and GenerateSecretString",
        why="AWS::SecretsManager::Secret takes its value either as given or generated, and "
            "CloudFormation refuses a secret with both.",
        example=_secret("      SecretString: hunter2\n"
                        "      GenerateSecretString: {PasswordLength: 32}\n"),
        fix=_secret("      GenerateSecretString: {PasswordLength: 32}\n"),
    ),
    RuleDoc(
        code="E3802", title="SecretStringTemplate without GenerateStringKey, or the reverse",
        why="Secrets Manager puts the generated password into the template's JSON object "
            "under GenerateStringKey, so each needs the other.",
        example=_secret("      GenerateSecretString:\n"
                        "        SecretStringTemplate: '{\"username\": \"admin\"}'\n"),
        fix=_secret("      GenerateSecretString:\n"
                    "        SecretStringTemplate: '{\"username\": \"admin\"}'\n"
                    "        GenerateStringKey: password\n"),
    ),
    RuleDoc(
        code="E3803", title="SecretStringTemplate is not a JSON object",
        why="Secrets Manager adds the generated password as a key of this JSON object, so "
            "anything else is refused.",
        example=_secret("      GenerateSecretString:\n"
                        "        SecretStringTemplate: username=admin\n"
                        "        GenerateStringKey: password\n"),
        fix=_secret("      GenerateSecretString:\n"
                    "        SecretStringTemplate: '{\"username\": \"admin\"}'\n"
                    "        GenerateStringKey: password\n"),
    ),
    RuleDoc(
        code="E3804", title="A malformed dynamic reference ({{resolve:…}})",
        why="CloudFormation resolves {{resolve:ssm:…}}, {{resolve:ssm-secure:…}} and "
            "{{resolve:secretsmanager:…}} by their documented patterns and fails the stack "
            "operation on one it cannot parse.",
        example=_queue("      QueueName: '{{resolve:ssm:/app/queue-name:latest}}'\n"),
        fix=_queue("      QueueName: '{{resolve:ssm:/app/queue-name}}'\n"),
    ),
)
