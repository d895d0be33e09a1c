import json


def hello(event, context):
    name = event["pathParameters"]["name"]
    print(f"greeting {name}")
    return {"statusCode": 200, "body": json.dumps({"hello": name})}


def on_upload(event, context):
    for record in event["Records"]:
        print("uploaded", record["s3"]["object"]["key"])
    return {"ok": True}


def nightly(event, context):
    print("nightly run")
    return "done"
