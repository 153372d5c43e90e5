"""Overall call deadlines: an answer trickled one byte at a time (the drip server) ends
within the deadline for the kit's pools and both connectors' clients, typed as a
retriable error and retried by the one policy until it stops."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import urllib3
from pydantic import SecretStr

from connectors.base import RetriableError
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.config import HubSpotOptions
from connectors.kit.deadline import Deadline, DeadlineExceeded, deadline_pools
from connectors.kit.retry import RetryPolicy
from connectors.salesforce.client import ATTEMPTS, SalesforceClient
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.transport import CountingSession
from tests.kit.clock import ManualClock
from tests.kit.drip import DripServer
from tests.kit.salesforce_connector import CONSUMER_KEY, key_pair

#: A byte every DRIP seconds; each socket read succeeds well within DEADLINE.
DRIP = 0.05
DEADLINE = 0.3
#: The slack allowed past each deadline (thread start-up, signing, a loaded machine);
#: without the deadline the drip's answer would take about 14 hours.
SLACK = 2.0


def test_a_dripped_answer_is_cut_at_the_deadline() -> None:
    manager = urllib3.PoolManager(retries=False)
    deadline_pools(manager)
    with DripServer(DRIP) as drip:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as caught, Deadline(DEADLINE, what="GET /x"):
            manager.request("GET", drip.url + "/x", timeout=DEADLINE)
        elapsed = time.monotonic() - started
    assert DEADLINE <= elapsed < DEADLINE + SLACK
    assert isinstance(caught.value, RetriableError)
    assert str(caught.value).startswith("GET /x: no answer within timeout (0.3 s")


def test_a_call_within_its_deadline_is_untouched() -> None:
    with Deadline(5) as deadline:
        value = 42
    assert value == 42 and not deadline.expired


def test_the_policy_retries_a_deadline_and_stops() -> None:
    calls: list[int] = []

    def slow() -> None:
        calls.append(1)
        raise DeadlineExceeded(1.0)

    policy = RetryPolicy(lambda e: None, sleep=lambda s: None, max_attempts=3)
    with pytest.raises(DeadlineExceeded):
        policy.call(slow)
    assert len(calls) == 3


def test_hubspot_calls_end_within_the_deadline() -> None:
    clock = ManualClock()
    with DripServer(DRIP) as drip:
        options = HubSpotOptions.model_validate(
            {
                "base_url": drip.url,
                "access_token": SecretStr("t"),
                "timeout": timedelta(seconds=DEADLINE),
            }
        )
        client = HubSpotClient(options, clock=clock, sleep=clock.sleep, max_attempts=2)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.send("read", "objects.list", path={"object_type": "contacts"})
        elapsed = time.monotonic() - started
        client.close()
        attempts = drip.connections
    assert attempts == 2  # retried once by the policy, then it stopped
    assert elapsed < 2 * (DEADLINE + SLACK)


def _sf_options(url: str) -> SalesforceOptions:
    private, _ = key_pair()
    raw: dict[str, Any] = {
        "instance_url": url,
        "login_url": url,
        "auth": {
            "flow": "jwt",
            "username": "integration@syncd.example",
            "consumer_key": CONSUMER_KEY,
            "private_key": private,
        },
        "timeout": timedelta(seconds=DEADLINE),
    }
    return SalesforceOptions.model_validate(raw)


def test_salesforce_session_requests_end_within_the_deadline() -> None:
    with DripServer(DRIP) as drip:
        session = CountingSession(DEADLINE)
        session.allow_http(drip.url)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            session.get(drip.url + "/services/data/v59.0/query")
        elapsed = time.monotonic() - started
        session.close()
    assert elapsed < DEADLINE + SLACK


def test_salesforce_login_ends_within_the_deadlines_of_its_attempts() -> None:
    clock = ManualClock()
    with DripServer(DRIP) as drip:
        client = SalesforceClient(_sf_options(drip.url), clock=clock, sleep=clock.sleep)
        started = time.monotonic()
        with pytest.raises(RetriableError, match="deadline"):
            client.login()
        elapsed = time.monotonic() - started
        client.close()
        attempts = drip.connections
    assert attempts == ATTEMPTS
    assert elapsed < ATTEMPTS * (DEADLINE + SLACK)
