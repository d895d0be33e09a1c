"""fan-out unit tests: the handlers' pure parts, without samlite or AWS."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import jobs_api
import results_collector
import word_counter


@pytest.mark.parametrize(("request_", "problem"), [
    pytest.param({"keys": ["a.txt"]}, None, id="valid"),
    pytest.param({"keys": []}, "keys must be a non-empty list of object keys", id="no keys"),
    pytest.param(["a.txt"], "keys must be a non-empty list of object keys", id="a list"),
    pytest.param({"keys": ["a.txt", ""]}, "each key must be a non-empty string",
                 id="an empty key"),
    pytest.param({"keys": ["k"] * 101}, "at most 100 keys per job", id="too many"),
])
def test_check_keys(request_, problem):
    assert jobs_api.check_keys(request_) == problem


def test_summarize_counts_words_lines_and_the_most_common():
    summary = word_counter.summarize("It's a test.\nA TEST, it's not 42 tests!")
    assert summary == {"words": 8, "lines": 2, "top": ["it's", "a", "test"]}


def test_the_collector_keeps_the_response_and_how_it_went():
    record = {
        "version": "1.0",
        "requestContext": {"requestId": "r-1", "condition": "Success",
                           "approximateInvokeCount": 2},
        "requestPayload": {"jobId": "j", "key": "k"},
        "responsePayload": {"jobId": "j", "key": "k", "words": 3},
    }
    assert results_collector.result_of(record) == {
        "jobId": "j", "key": "k", "words": 3, "attempts": 2, "workerRequestId": "r-1"}
