"""The pseudo parameters samlite fills in (AWS::Region, AWS::AccountId, ...). Pure data.
A module of its own so that `validate` can read the command line's pseudo parameters without
importing the resolved template's classes: a process forked after loading to run the checks
that read only the loaded template never needs them (cli/check_shares.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class PseudoParameters:
    """AWS::Region, AWS::AccountId, … as samlite fills them locally."""

    region: str = "us-east-1"
    account_id: str = "123456789012"
    stack_name: str = "samlite"
    partition: str = "aws"
    url_suffix: str = "amazonaws.com"
    # The local AWS endpoint; queue URLs and function URLs point here so that the names the
    # template resolves to are the ones the local resources will have.
    endpoint_url: str = "http://127.0.0.1:3001"
