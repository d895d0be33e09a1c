"""The AWS_ENDPOINT_URL_<SERVICE> names of each SigV4 signing name whose variable is not
simply the name in capitals (CloudWatch signs as "monitoring" but its variable is
AWS_ENDPOINT_URL_CLOUDWATCH). Data only, generated from botocore's service models (1.44:
each model's metadata signingName and serviceId, as the AWS SDKs and tools reference guide,
"Service-specific endpoints", derives the variable); tests/aws/test_wire_errors.py holds it
to botocore."""

from __future__ import annotations

ENDPOINT_VARIABLES: dict[str, tuple[str, ...]] = {
    "IoTSecuredTunneling": ("IOTSECURETUNNELING",),
    "abuse": ("ABUSE_SIGNAL",),
    "access-analyzer": ("ACCESSANALYZER",),
    "account-access": ("ACCOUNT_ACCESS", "ACCOUNT_ACCESS_RUNTIME"),
    "aco-automation": ("COMPUTE_OPTIMIZER_AUTOMATION",),
    "agent-registry": ("AGENT_REGISTRY", "AGENT_REGISTRY_CONTROL"),
    "aidevops": ("DEVOPS_AGENT",),
    "airflow": ("MWAA",),
    "airflow-serverless": ("MWAA_SERVERLESS",),
    "aoss": ("OPENSEARCHSERVERLESS",),
    "apigateway": ("APIGATEWAYV2", "API_GATEWAY"),
    "app-integrations": ("APPINTEGRATIONS",),
    "appconfig": ("APPCONFIG", "APPCONFIGDATA"),
    "application-autoscaling": ("APPLICATION_AUTO_SCALING",),
    "application-cost-profiler": ("APPLICATIONCOSTPROFILER",),
    "applicationinsights": ("APPLICATION_INSIGHTS",),
    "appmesh": ("APP_MESH",),
    "aps": ("AMP",),
    "autoscaling": ("AUTO_SCALING",),
    "autoscaling-plans": ("AUTO_SCALING_PLANS",),
    "aws-marketplace": (
        "MARKETPLACE_AGREEMENT", "MARKETPLACE_CATALOG", "MARKETPLACE_DEPLOYMENT",
        "MARKETPLACE_DISCOVERY", "MARKETPLACE_ENTITLEMENT_SERVICE", "MARKETPLACE_METERING",
        "MARKETPLACE_REPORTING",
    ),
    "awsssoportal": ("SSO",),
    "backup-search": ("BACKUPSEARCH",),
    "bedrock": (
        "BEDROCK", "BEDROCK_AGENT", "BEDROCK_AGENT_RUNTIME", "BEDROCK_DATA_AUTOMATION",
        "BEDROCK_DATA_AUTOMATION_RUNTIME", "BEDROCK_RUNTIME",
    ),
    "bedrock-agentcore": ("BEDROCK_AGENTCORE", "BEDROCK_AGENTCORE_CONTROL"),
    "cases": ("CONNECTCASES",),
    "cassandra": ("KEYSPACES", "KEYSPACESSTREAMS"),
    "ce": ("COST_EXPLORER",),
    "chime": (
        "CHIME", "CHIME_SDK_IDENTITY", "CHIME_SDK_MEDIA_PIPELINES", "CHIME_SDK_MEETINGS",
        "CHIME_SDK_MESSAGING", "CHIME_SDK_VOICE",
    ),
    "cleanrooms-ml": ("CLEANROOMSML",),
    "cloudcontrolapi": ("CLOUDCONTROL",),
    "cloudhsm": ("CLOUDHSM", "CLOUDHSM_V2"),
    "cloudsearch": ("CLOUDSEARCH", "CLOUDSEARCH_DOMAIN"),
    "cloudwatch": ("CLOUDWATCHOMNI",),
    "codeguru-profiler": ("CODEGURUPROFILER",),
    "cognito-idp": ("COGNITO_IDENTITY_PROVIDER",),
    "config": ("CONFIG_SERVICE",),
    "connect": ("CONNECT", "CONNECTSCHEDULING", "CONNECT_CONTACT_LENS"),
    "connect-campaigns": ("CONNECTCAMPAIGNS", "CONNECTCAMPAIGNSV2"),
    "cur": ("COST_AND_USAGE_REPORT_SERVICE",),
    "datapipeline": ("DATA_PIPELINE",),
    "devicefarm": ("DEVICE_FARM",),
    "directconnect": ("DIRECT_CONNECT",),
    "discovery": ("APPLICATION_DISCOVERY_SERVICE",),
    "dms": ("DATABASE_MIGRATION_SERVICE",),
    "ds": ("DIRECTORY_SERVICE",),
    "ds-data": ("DIRECTORY_SERVICE_DATA",),
    "dynamodb": ("DYNAMODB", "DYNAMODB_STREAMS"),
    "elasticbeanstalk": ("ELASTIC_BEANSTALK",),
    "elasticfilesystem": ("EFS",),
    "elasticloadbalancing": ("ELASTIC_LOAD_BALANCING", "ELASTIC_LOAD_BALANCING_V2"),
    "elasticmapreduce": ("EMR",),
    "elemental-inference": ("ELEMENTALINFERENCE",),
    "end-user-messaging": ("ENDUSERMESSAGING",),
    "es": ("ELASTICSEARCH_SERVICE", "OPENSEARCH"),
    "events": ("EVENTBRIDGE", "EVENTBRIDGEV2"),
    "execute-api": ("APIGATEWAYMANAGEMENTAPI", "CONNECTPARTICIPANT"),
    "forecast": ("FORECAST", "FORECASTQUERY"),
    "geo": ("LOCATION",),
    "globalaccelerator": ("GLOBAL_ACCELERATOR",),
    "greengrass": ("GREENGRASS", "GREENGRASSV2"),
    "health-agent": ("CONNECTHEALTH",),
    "iam": ("IAM", "IAM_TOOLBOX"),
    "iot-jobs-data": ("IOT_JOBS_DATA_PLANE",),
    "iotdata": ("IOT_DATA_PLANE",),
    "iotmanagedintegrations": ("IOT_MANAGED_INTEGRATIONS",),
    "iotwireless": ("IOT_WIRELESS",),
    "ivs": ("IVS", "IVS_REALTIME"),
    "kinesisanalytics": ("KINESIS_ANALYTICS", "KINESIS_ANALYTICS_V2"),
    "kinesisvideo": (
        "KINESIS_VIDEO", "KINESIS_VIDEO_ARCHIVED_MEDIA", "KINESIS_VIDEO_MEDIA",
        "KINESIS_VIDEO_SIGNALING", "KINESIS_VIDEO_WEBRTC_STORAGE",
    ),
    "lambda": ("LAMBDA", "LAMBDA_CORE", "LAMBDA_MICROVMS", "LAMBDA_WEB"),
    "launchwizard": ("LAUNCH_WIZARD",),
    "lex": ("LEX_MODELS_V2", "LEX_MODEL_BUILDING_SERVICE", "LEX_RUNTIME_SERVICE", "LEX_RUNTIME_V2"),
    "logs": ("CLOUDWATCH_LOGS",),
    "machinelearning": ("MACHINE_LEARNING",),
    "marketplacecommerceanalytics": ("MARKETPLACE_COMMERCE_ANALYTICS",),
    "mediastore": ("MEDIASTORE", "MEDIASTORE_DATA"),
    "mgh": ("MIGRATIONHUB_CONFIG", "MIGRATION_HUB"),
    "migrationhub-orchestrator": ("MIGRATIONHUBORCHESTRATOR",),
    "migrationhub-strategy": ("MIGRATIONHUBSTRATEGY",),
    "mobiletargeting": ("PINPOINT",),
    "monitoring": ("CLOUDWATCH",),
    "mturk-requester": ("MTURK",),
    "neptune-db": ("NEPTUNEDATA",),
    "notifications-contacts": ("NOTIFICATIONSCONTACTS",),
    "osm": ("OPENSEARCHMEMORY",),
    "partnercentral": ("PARTNERCENTRAL_REVENUE_MEASUREMENT",),
    "payment-cryptography": ("PAYMENT_CRYPTOGRAPHY", "PAYMENT_CRYPTOGRAPHY_DATA"),
    "personalize": ("PERSONALIZE", "PERSONALIZE_EVENTS", "PERSONALIZE_RUNTIME"),
    "pricingplanmanager": ("PRICING_PLAN_MANAGER",),
    "profile": ("CUSTOMER_PROFILES",),
    "rds": ("DOCDB", "NEPTUNE", "RDS"),
    "refactor-spaces": ("MIGRATION_HUB_REFACTOR_SPACES",),
    "resiliencehub": ("RESILIENCEHUB", "RESILIENCEHUBV2"),
    "route53": ("ROUTE_53",),
    "route53domains": ("ROUTE_53_DOMAINS",),
    "s3": ("S3", "S3_CONTROL"),
    "s3-outposts": ("S3OUTPOSTS",),
    "sagemaker": (
        "SAGEMAKER", "SAGEMAKERJOBRUNTIME", "SAGEMAKERTRAININGSESSIONRUNTIME",
        "SAGEMAKER_A2I_RUNTIME", "SAGEMAKER_EDGE", "SAGEMAKER_FEATURESTORE_RUNTIME",
        "SAGEMAKER_GATEWAY_RUNTIME", "SAGEMAKER_INFERENCE_ROUTER_RUNTIME", "SAGEMAKER_METRICS",
        "SAGEMAKER_RUNTIME",
    ),
    "scn": ("SUPPLYCHAIN",),
    "sdb": ("SIMPLEDB", "SIMPLEDBV2"),
    "secretsmanager": ("SECRETS_MANAGER",),
    "serverlessrepo": ("SERVERLESSAPPLICATIONREPOSITORY",),
    "servicecatalog": ("SERVICE_CATALOG", "SERVICE_CATALOG_APPREGISTRY"),
    "servicequotas": ("SERVICE_QUOTAS",),
    "ses": ("MAILMANAGER", "PINPOINT_EMAIL", "SES", "SESV2"),
    "signer": ("SIGNER", "SIGNER_DATA"),
    "sms-voice": ("PINPOINT_SMS_VOICE", "PINPOINT_SMS_VOICE_V2"),
    "social-messaging": ("SOCIALMESSAGING",),
    "sso": ("SSO_ADMIN",),
    "sso-oauth": ("SSO_OIDC",),
    "states": ("SFN",),
    "storagegateway": ("STORAGE_GATEWAY",),
    "supportapp": ("SUPPORT_APP",),
    "tagging": ("RESOURCE_GROUPS_TAGGING_API",),
    "tax": ("TAXSETTINGS",),
    "thinclient": ("WORKSPACES_THIN_CLIENT",),
    "timestream": ("TIMESTREAM_QUERY", "TIMESTREAM_WRITE"),
    "voiceid": ("VOICE_ID",),
    "wisdom": ("QCONNECT", "WISDOM"),
}


# How a request tells apart the clients that share a signing name (botocore 1.44 models, held
# to them by tests/aws/test_wire_errors.py): (how, key, variable) where how is "target" (the
# X-Amz-Target prefix, AWS JSON), "version" (the query protocol's Version), "service" (RPC v2
# CBOR's /service/<name>/ path), "path" (the first path segment, REST) or "rest" (a REST
# client whose paths are not told apart: the one left when nothing else matches).
TOLD_APART: dict[str, tuple[tuple[str, str, str], ...]] = {
    "account-access": (
        ("path", "access", "ACCOUNT_ACCESS_RUNTIME"),
        ("rest", "", "ACCOUNT_ACCESS"),
    ),
    "agent-registry": (
        ("rest", "", "AGENT_REGISTRY"),
        ("rest", "", "AGENT_REGISTRY_CONTROL"),
    ),
    "apigateway": (
        ("path", "v2", "APIGATEWAYV2"),
        ("rest", "", "API_GATEWAY"),
    ),
    "appconfig": (
        ("path", "configuration", "APPCONFIGDATA"),
        ("path", "configurationsessions", "APPCONFIGDATA"),
        ("rest", "", "APPCONFIG"),
    ),
    "aws-marketplace": (
        ("path", "2026-02-05", "MARKETPLACE_DISCOVERY"),
        ("path", "catalogs", "MARKETPLACE_DEPLOYMENT"),
        ("path", "getBuyerDashboard", "MARKETPLACE_REPORTING"),
        ("path", "tags", "MARKETPLACE_DEPLOYMENT"),
        ("rest", "", "MARKETPLACE_CATALOG"),
        ("service", "AWSMPCommerceService_v20200301", "MARKETPLACE_AGREEMENT"),
        ("service", "AWSMPEntitlementService", "MARKETPLACE_ENTITLEMENT_SERVICE"),
        ("target", "AWSMPMeteringService", "MARKETPLACE_METERING"),
    ),
    "bedrock": (
        ("rest", "", "BEDROCK"),
        ("rest", "", "BEDROCK_AGENT"),
        ("rest", "", "BEDROCK_AGENT_RUNTIME"),
        ("rest", "", "BEDROCK_DATA_AUTOMATION"),
        ("rest", "", "BEDROCK_RUNTIME"),
        ("target", "AmazonBedrockKeystoneRuntimeService", "BEDROCK_DATA_AUTOMATION_RUNTIME"),
    ),
    "bedrock-agentcore": (
        ("rest", "", "BEDROCK_AGENTCORE"),
        ("rest", "", "BEDROCK_AGENTCORE_CONTROL"),
    ),
    "cassandra": (
        ("service", "KeyspacesService", "KEYSPACES"),
        ("target", "KeyspacesStreams", "KEYSPACESSTREAMS"),
    ),
    "chime": (
        ("rest", "", "CHIME"),
        ("rest", "", "CHIME_SDK_IDENTITY"),
        ("rest", "", "CHIME_SDK_MEDIA_PIPELINES"),
        ("rest", "", "CHIME_SDK_MEETINGS"),
        ("rest", "", "CHIME_SDK_MESSAGING"),
        ("rest", "", "CHIME_SDK_VOICE"),
    ),
    "cloudhsm": (
        ("service", "BaldrApiService", "CLOUDHSM_V2"),
        ("target", "CloudHsmFrontendService", "CLOUDHSM"),
    ),
    "cloudsearch": (
        ("path", "2013-01-01", "CLOUDSEARCH_DOMAIN"),
        ("version", "2013-01-01", "CLOUDSEARCH"),
    ),
    "connect": (
        ("path", "realtime-contact-analysis", "CONNECT_CONTACT_LENS"),
        ("path", "scheduling", "CONNECTSCHEDULING"),
        ("rest", "", "CONNECT"),
    ),
    "connect-campaigns": (
        ("path", "v2", "CONNECTCAMPAIGNSV2"),
        ("rest", "", "CONNECTCAMPAIGNS"),
    ),
    "dynamodb": (
        ("target", "DynamoDBStreams_20120810", "DYNAMODB_STREAMS"),
        ("target", "DynamoDB_20120810", "DYNAMODB"),
    ),
    "elasticloadbalancing": (
        ("version", "2012-06-01", "ELASTIC_LOAD_BALANCING"),
        ("version", "2015-12-01", "ELASTIC_LOAD_BALANCING_V2"),
    ),
    "es": (
        ("path", "2015-01-01", "ELASTICSEARCH_SERVICE"),
        ("path", "2021-01-01", "OPENSEARCH"),
    ),
    "events": (
        ("service", "AWSEventsV2", "EVENTBRIDGEV2"),
        ("target", "AWSEvents", "EVENTBRIDGE"),
    ),
    "execute-api": (
        ("path", "@connections", "APIGATEWAYMANAGEMENTAPI"),
        ("path", "participant", "CONNECTPARTICIPANT"),
    ),
    "forecast": (
        ("target", "AmazonForecast", "FORECAST"),
        ("target", "AmazonForecastRuntime", "FORECASTQUERY"),
    ),
    "greengrass": (
        ("rest", "", "GREENGRASS"),
        ("rest", "", "GREENGRASSV2"),
    ),
    "iam": (
        ("path", "authorization-details", "IAM_TOOLBOX"),
        ("version", "2010-05-08", "IAM"),
    ),
    "ivs": (
        ("rest", "", "IVS"),
        ("rest", "", "IVS_REALTIME"),
    ),
    "kinesisanalytics": (
        ("target", "KinesisAnalytics_20150814", "KINESIS_ANALYTICS"),
        ("target", "KinesisAnalytics_20180523", "KINESIS_ANALYTICS_V2"),
    ),
    "kinesisvideo": (
        ("path", "getMedia", "KINESIS_VIDEO_MEDIA"),
        ("path", "joinStorageSession", "KINESIS_VIDEO_WEBRTC_STORAGE"),
        ("path", "joinStorageSessionAsViewer", "KINESIS_VIDEO_WEBRTC_STORAGE"),
        ("path", "v1", "KINESIS_VIDEO_SIGNALING"),
        ("rest", "", "KINESIS_VIDEO"),
        ("rest", "", "KINESIS_VIDEO_ARCHIVED_MEDIA"),
    ),
    "lambda": (
        ("path", "2025-03-07", "LAMBDA_WEB"),
        ("path", "2026-04-04", "LAMBDA_CORE"),
        ("path", "2026-10-01", "LAMBDA_CORE"),
        ("rest", "", "LAMBDA"),
        ("rest", "", "LAMBDA_MICROVMS"),
    ),
    "lex": (
        ("path", "bot", "LEX_RUNTIME_SERVICE"),
        ("rest", "", "LEX_MODELS_V2"),
        ("rest", "", "LEX_MODEL_BUILDING_SERVICE"),
        ("rest", "", "LEX_RUNTIME_V2"),
    ),
    "mediastore": (
        ("rest", "", "MEDIASTORE_DATA"),
        ("target", "MediaStore_20170901", "MEDIASTORE"),
    ),
    "mgh": (
        ("target", "AWSMigrationHub", "MIGRATION_HUB"),
        ("target", "AWSMigrationHubMultiAccountService", "MIGRATIONHUB_CONFIG"),
    ),
    "payment-cryptography": (
        ("rest", "", "PAYMENT_CRYPTOGRAPHY_DATA"),
        ("target", "PaymentCryptographyControlPlane", "PAYMENT_CRYPTOGRAPHY"),
    ),
    "personalize": (
        ("rest", "", "PERSONALIZE_EVENTS"),
        ("rest", "", "PERSONALIZE_RUNTIME"),
        ("target", "AmazonPersonalize", "PERSONALIZE"),
    ),
    "rds": (
        ("version", "2014-10-31", "DOCDB"),
        ("version", "2014-10-31", "NEPTUNE"),
        ("version", "2014-10-31", "RDS"),
    ),
    "resiliencehub": (
        ("path", "v2", "RESILIENCEHUBV2"),
        ("rest", "", "RESILIENCEHUB"),
    ),
    "s3": (
        ("path", "v20180820", "S3_CONTROL"),
        ("rest", "", "S3"),
    ),
    "sagemaker": (
        ("path", "BatchGetMetrics", "SAGEMAKER_METRICS"),
        ("path", "BatchPutMetrics", "SAGEMAKER_METRICS"),
        ("path", "endpoints", "SAGEMAKER_RUNTIME"),
        ("path", "global-inference-gateway", "SAGEMAKER_GATEWAY_RUNTIME"),
        ("path", "human-loops", "SAGEMAKER_A2I_RUNTIME"),
        ("path", "inference-routers", "SAGEMAKER_INFERENCE_ROUTER_RUNTIME"),
        ("path", "training-sessions", "SAGEMAKERTRAININGSESSIONRUNTIME"),
        ("path", "v1", "SAGEMAKERTRAININGSESSIONRUNTIME"),
        ("rest", "", "SAGEMAKERJOBRUNTIME"),
        ("rest", "", "SAGEMAKER_EDGE"),
        ("rest", "", "SAGEMAKER_FEATURESTORE_RUNTIME"),
        ("target", "SageMaker", "SAGEMAKER"),
    ),
    "sdb": (
        ("path", "v2", "SIMPLEDBV2"),
        ("version", "2009-04-15", "SIMPLEDB"),
    ),
    "servicecatalog": (
        ("rest", "", "SERVICE_CATALOG_APPREGISTRY"),
        ("service", "AWS242ServiceCatalogService", "SERVICE_CATALOG"),
    ),
    "ses": (
        ("path", "v1", "PINPOINT_EMAIL"),
        ("path", "v2", "SESV2"),
        ("service", "MailManagerSvc", "MAILMANAGER"),
        ("version", "2010-12-01", "SES"),
    ),
    "signer": (
        ("rest", "", "SIGNER"),
        ("rest", "", "SIGNER_DATA"),
    ),
    "sms-voice": (
        ("path", "v1", "PINPOINT_SMS_VOICE"),
        ("target", "PinpointSMSVoiceV2", "PINPOINT_SMS_VOICE_V2"),
    ),
    "timestream": (
        ("target", "Timestream_20181101", "TIMESTREAM_QUERY"),
        ("target", "Timestream_20181101", "TIMESTREAM_WRITE"),
    ),
    "wisdom": (
        ("rest", "", "QCONNECT"),
        ("rest", "", "WISDOM"),
    ),
}


def endpoint_variables(signing_name: str) -> tuple[str, ...]:
    """The AWS_ENDPOINT_URL_* variables that point clients of `signing_name` elsewhere."""
    names = ENDPOINT_VARIABLES.get(signing_name, (signing_name.upper().replace("-", "_"),))
    return tuple(f"AWS_ENDPOINT_URL_{name}" for name in names)


def endpoint_variable_for(signing_name: str, *, target: str | None, version: str | None,
                          path: str) -> tuple[str, ...]:
    """The variables for the client that sent a request: one when the request tells it
    apart (`target`: its X-Amz-Target, `version`: its query Version, `path`), else all of
    the signing name's."""
    every = endpoint_variables(signing_name)
    entries = TOLD_APART.get(signing_name)
    if not entries:
        return every
    segments = path.lstrip("/").split("/")
    cbor_service = segments[1] if len(segments) > 1 and segments[0] == "service" else None
    found = {variable for how, key, variable in entries
             # an RPC v2 CBOR service may be sent as AWS JSON too (botocore's `protocols`)
             if (how in ("target", "service") and target is not None
                 and target.split(".")[0] == key)
             or (how == "version" and version == key)
             or (how == "service" and cbor_service == key)
             or (how == "path" and target is None and version is None
                 and segments[0] == key)}
    if not found and target is None and version is None and cbor_service is None:
        found = {variable for how, _, variable in entries if how == "rest"}
    return (f"AWS_ENDPOINT_URL_{found.pop()}",) if len(found) == 1 else every
