"""fan-out end to end: the app runs in-process from ../template.yaml (the samlite pytest
plugin finds it). Lambda's waits between asynchronous retries (1 and 2 minutes) are scaled
down to milliseconds by the plugin, so the retry-then-OnFailure path takes well under a
second. Each test gets fresh buckets and queues."""

import json

DOCUMENTS = {
    "notes/a.txt": "the quick brown fox\njumps over the lazy dog\n",
    "notes/b.txt": "to be or not to be",
}


def upload_documents(app):
    bucket = app.bucket_name("DocumentsBucket")
    for key, text in DOCUMENTS.items():
        app.s3.put_object(Bucket=bucket, Key=key, Body=text.encode())


def start_job(app, keys):
    reply = app.request("POST", "/jobs", body=json.dumps({"keys": keys}),
                        headers={"Content-Type": "application/json"})
    assert reply.status == 202, reply.text
    assert reply.json()["dispatched"] == len(keys)
    return reply.json()["jobId"]


def results(app, job_id, count):
    """The job's collected results once there are `count` of them (None until then)."""
    found = app.get(f"/jobs/{job_id}").json()["results"]
    return found if len(found) >= count else None


def test_every_document_of_a_job_is_counted_and_collected(samlite_app):
    upload_documents(samlite_app)
    job_id = start_job(samlite_app, ["notes/a.txt", "notes/b.txt"])

    a, b = samlite_app.wait_for(lambda: results(samlite_app, job_id, 2))
    assert (a["key"], a["words"], a["lines"]) == ("notes/a.txt", 9, 2)
    assert a["top"][0] == "the"
    assert (b["key"], b["words"], b["top"][:2]) == ("notes/b.txt", 6, ["to", "be"])
    # The collector got Lambda's invocation record: first try, the worker's request id.
    assert a["attempts"] == 1
    assert a["workerRequestId"] != b["workerRequestId"]


def test_a_failing_document_is_retried_then_sent_to_on_failure(samlite_app):
    upload_documents(samlite_app)
    job_id = start_job(samlite_app, ["notes/a.txt", "missing.txt"])
    failed_queue = samlite_app.queue_url("FailedDocumentsQueue")

    def failures():
        reply = samlite_app.sqs.receive_message(QueueUrl=failed_queue, WaitTimeSeconds=1)
        return reply.get("Messages")

    [message] = samlite_app.wait_for(failures)
    record = json.loads(message["Body"])
    assert record["requestPayload"] == {"jobId": job_id, "key": "missing.txt"}
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3   # 1 + MaximumRetryAttempts
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "NoSuchKey"

    # The good document of the same job still reached the OnSuccess destination.
    [result] = samlite_app.wait_for(lambda: results(samlite_app, job_id, 1))
    assert result["key"] == "notes/a.txt"


def test_a_job_without_documents_is_refused(samlite_app):
    reply = samlite_app.request("POST", "/jobs", body=json.dumps({"keys": []}))
    assert reply.status == 400
    assert reply.json() == {"error": "keys must be a non-empty list of object keys"}
    assert samlite_app.get("/jobs/not-a-job").status == 404


def test_the_worker_alone_synchronously_and_asynchronously(samlite_app):
    upload_documents(samlite_app)
    # A synchronous invoke returns the result to the caller; no destination is involved.
    result = samlite_app.invoke("WorkerFunction", {"jobId": "0" * 32, "key": "notes/b.txt"})
    assert result.function_error is None
    assert result.payload["words"] == 6
    assert results(samlite_app, "0" * 32, 1) is None

    # The same call as the dispatcher makes it (boto3, InvocationType Event) is collected.
    reply = samlite_app.lambda_.invoke(FunctionName="WorkerFunction", InvocationType="Event",
                                       Payload=json.dumps({"jobId": "1" * 32,
                                                           "key": "notes/b.txt"}))
    assert reply["StatusCode"] == 202
    [collected] = samlite_app.wait_for(lambda: results(samlite_app, "1" * 32, 1))
    assert collected["words"] == 6
