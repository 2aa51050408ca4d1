"""Registry client against the registry simulator, over real HTTP on loopback."""

from __future__ import annotations

import time

import pytest

from integrations.http import HttpClient, IntegrationRejected, IntegrationUnavailable, NotFound
from integrations.models import Exchange
from integrations.registry.client import RegistryClient
from integrations.registry.population import (
    HORVATH_ESZTER,
    KOVACS_ANNA,
    NAGY_PETER,
    SZABO_GABOR,
    UNKNOWN_ID_CARD_NUMBER,
    build_population,
)
from integrations.registry.simulator import DEFAULT_TOKEN
from tests.integrations.conftest import http

pytestmark = pytest.mark.django_db


def client_for(server, **overrides) -> RegistryClient:
    options = {"base_url": server.base_url, "token": DEFAULT_TOKEN, "timeout_s": 2.0, "backoff_factor": 0.01}
    return RegistryClient(**{**options, **overrides})


def set_faults(server, **faults) -> None:
    assert http("POST", f"{server.base_url}/_sim/faults", json_body=faults).status == 200


def sim_stats(server) -> dict:
    return http("GET", f"{server.base_url}/_sim/stats").json()


def test_person_lookup_returns_the_registry_record_and_logs_a_redacted_exchange(registry_server):
    # given the registry knows Kovács Anna's identity card
    client = client_for(registry_server)

    # when we look her up
    person = client.person_lookup(document_type="id_card", document_number="123456ab", idempotency_key="case-1:lookup")

    # then we get exactly the registry's record of her
    assert person == KOVACS_ANNA.registry
    assert person.permanent_address.one_line() == "1122 Budapest XII, Városmajor utca 12. 2. em. 5."
    # and one exchange is logged, with the protected fields masked
    exchange = Exchange.objects.get()
    assert (exchange.system, exchange.operation, exchange.method) == ("registry", "person_lookup", "POST")
    assert exchange.url == f"{registry_server.base_url}/v1/persons/lookup"
    assert (exchange.status_code, exchange.attempts, exchange.error) == (200, 1, "")
    assert exchange.idempotency_key == "case-1:lookup"
    assert len(exchange.request_id) == 32
    assert exchange.request_body == {"document_type": "id_card", "document_number": "***"}
    logged = exchange.response_body["person"]
    assert {
        k: logged[k]
        for k in (
            "family_name",
            "given_names",
            "birth_name",
            "mother_birth_name",
            "birth_date",
            "birth_place",
            "document_number",
        )
    } == dict.fromkeys(
        (
            "family_name",
            "given_names",
            "birth_name",
            "mother_birth_name",
            "birth_date",
            "birth_place",
            "document_number",
        ),
        "***",
    )
    assert logged["permanent_address"] == {
        "postcode": "1122",
        "settlement": "Budapest",
        "district": "XII",
        "street_name": "Városmajor",
        "street_type": "utca",
        "house_number": "***",
        "building": "",
        "floor": "***",
        "door": "***",
    }
    assert logged["document_status"] == "valid"
    # and nothing of her identity reaches the log in clear text
    assert "Kovács" not in str(exchange.response_body) and "123456AB" not in str(exchange.request_body)


def test_demo_residents_are_served_as_the_scenarios_need(registry_server):
    # given the fixed demo residents
    client = client_for(registry_server)

    # when each is looked up with the document they typed
    found = {
        demo.key: client.person_lookup(
            document_type=demo.typed.document_type, document_number=demo.typed.document_number, idempotency_key=demo.key
        )
        for demo in (NAGY_PETER, HORVATH_ESZTER, SZABO_GABOR)
    }

    # then the registry differs from what Nagy Péter typed, Horváth Eszter lives in district V,
    # and Szabó Gábor's card is expired
    assert (found["nagy_peter"].mother_birth_name, NAGY_PETER.typed.mother_birth_name) == (
        "Tóth Erzsébet",
        "Tóth Erzsebet",
    )
    assert (found["nagy_peter"].permanent_address.house_number, NAGY_PETER.typed.address.house_number) == ("18", "16")
    assert found["horvath_eszter"].permanent_address.district == "V"
    assert found["horvath_eszter"].document_type == "passport"
    assert (found["szabo_gabor"].document_status, str(found["szabo_gabor"].document_valid_until)) == (
        "expired",
        "2023-06-30",
    )


def test_population_is_deterministic_and_mostly_in_the_district():
    # given / when the population is built twice
    first, second = build_population(), build_population.__wrapped__()

    # then it is the same people, 300 plus the 5 demo residents and Fehér Béla, most in district XII
    assert first == second
    assert len(first) == 306
    in_district = sum(1 for p in first.values() if p.permanent_address.district == "XII")
    assert 240 <= in_district < 306


def test_unknown_document_raises_not_found(registry_server):
    # given a document the registry does not know
    client = client_for(registry_server)

    # when it is looked up
    with pytest.raises(NotFound) as caught:
        client.person_lookup(document_type="id_card", document_number=UNKNOWN_ID_CARD_NUMBER, idempotency_key="k-404")

    # then NotFound (a rejection, not retryable), logged with its status
    assert (caught.value.status_code, caught.value.error_code, caught.value.retryable) == (404, "not_found", False)
    assert isinstance(caught.value, IntegrationRejected)
    exchange = Exchange.objects.get()
    assert (exchange.status_code, exchange.error, exchange.response_body) == (404, "not_found", {"error": "not_found"})


def test_bad_token_is_rejected_and_not_retried(registry_server):
    # given a client with the wrong token
    client = client_for(registry_server, token="wrong-token")

    # when it looks someone up
    with pytest.raises(IntegrationRejected) as caught:
        client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="k-401")

    # then 401 unauthorized, one call only
    assert not isinstance(caught.value, NotFound)
    assert (caught.value.status_code, caught.value.error_code) == (401, "unauthorized")
    assert sim_stats(registry_server)["calls"] == {"POST /v1/persons/lookup": 1}
    assert Exchange.objects.get().status_code == 401


def test_unavailable_registry_is_retried_then_raises_unavailable(registry_server):
    # given a registry that answers 503 to everything
    set_faults(registry_server, error_rate=1.0)
    client = client_for(registry_server, retries=2)

    # when we look someone up
    with pytest.raises(IntegrationUnavailable) as caught:
        client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="k-503")

    # then the call was tried three times with the same idempotency key, and logged once
    assert (caught.value.status_code, caught.value.retryable) == (503, True)
    assert sim_stats(registry_server)["idempotency_keys"] == {"k-503": 3}
    exchange = Exchange.objects.get()
    assert (exchange.status_code, exchange.attempts, exchange.error) == (503, 3, "unavailable")


def test_transient_errors_are_retried_until_success(registry_server):
    # given a registry whose next two answers are 503
    set_faults(registry_server, error_next=2)
    client = client_for(registry_server, retries=3)

    # when we look someone up
    person = client.person_lookup(document_type="passport", document_number="BA1234567", idempotency_key="k-flaky")

    # then the third try succeeds
    assert person == HORVATH_ESZTER.registry
    assert sim_stats(registry_server)["idempotency_keys"] == {"k-flaky": 3}
    exchange = Exchange.objects.get()
    assert (exchange.status_code, exchange.attempts) == (200, 3)


def test_retry_after_is_honoured(registry_server):
    # given a registry that asks us to come back in one second
    set_faults(registry_server, error_next=1, retry_after_s=1)
    client = client_for(registry_server, retries=1)

    # when we look someone up
    started = time.monotonic()
    person = client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="k-later")

    # then the retry waited for it
    assert person.person_id == KOVACS_ANNA.registry.person_id
    assert time.monotonic() - started >= 1.0


def test_timeout_raises_unavailable_within_the_configured_timeout(registry_server):
    # given a registry that hangs for 3 s and a client that waits 0.5 s
    set_faults(registry_server, timeout_rate=1.0, timeout_sleep_ms=3000)
    client = client_for(registry_server, timeout_s=0.5)

    # when we look someone up
    started = time.monotonic()
    with pytest.raises(IntegrationUnavailable) as caught:
        client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="k-slow")
    elapsed = time.monotonic() - started

    # then we gave up after the read timeout, without retrying a read timeout
    assert 0.5 <= elapsed < 1.2
    assert (caught.value.status_code, caught.value.error_code) == (None, "timeout")
    assert sim_stats(registry_server)["calls"] == {"POST /v1/persons/lookup": 1}
    exchange = Exchange.objects.get()
    assert exchange.status_code is None
    assert exchange.error.startswith("timeout: ReadTimeout")


def test_unreachable_registry_raises_unavailable(registry_server):
    # given a registry that is not listening any more
    base_url = registry_server.base_url
    registry_server.shutdown()
    registry_server.server_close()
    client = RegistryClient(base_url=base_url, token=DEFAULT_TOKEN, timeout_s=1.0, retries=2, backoff_factor=0.01)

    # when we look someone up
    with pytest.raises(IntegrationUnavailable) as caught:
        client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="k-down")

    # then it is a network error after the connect retries
    assert (caught.value.status_code, caught.value.error_code) == (None, "network_error")
    exchange = Exchange.objects.get()
    assert (exchange.status_code, exchange.attempts) == (None, 3)
    assert exchange.error.startswith("network error: ConnectionError")


def test_idempotency_key_and_request_id_reach_the_registry(registry_server):
    # given a client
    client = client_for(registry_server)

    # when the same step is repeated with its recorded key
    first = client.person_lookup(document_type="id_card", document_number="234567CD", idempotency_key="case-7:lookup")
    second = client.person_lookup(document_type="id_card", document_number="234567CD", idempotency_key="case-7:lookup")

    # then the registry saw the key twice and each call's own request id
    stats = sim_stats(registry_server)
    assert first == second == NAGY_PETER.registry
    assert stats["idempotency_keys"] == {"case-7:lookup": 2}
    assert stats["request_ids"] == list(Exchange.objects.order_by("id").values_list("request_id", flat=True))


def test_reused_idempotency_key_with_another_document_is_rejected(registry_server):
    # given a key already used for Kovács Anna
    client = client_for(registry_server)
    client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="case-9:lookup")

    # when the same key is sent for another document
    with pytest.raises(IntegrationRejected) as caught:
        client.person_lookup(document_type="id_card", document_number="234567CD", idempotency_key="case-9:lookup")

    # then the registry refuses it
    assert (caught.value.status_code, caught.value.error_code) == (422, "idempotency_key_reused")


class _PlainClient(HttpClient):
    system = "test-plain"


def test_post_without_idempotency_key_is_not_retried_and_bad_body_is_400(registry_server):
    # given a registry answering 503 once, and a raw client sending a POST with no Idempotency-Key
    set_faults(registry_server, error_next=1)
    client = _PlainClient(base_url=registry_server.base_url, token=DEFAULT_TOKEN, timeout_s=2.0, backoff_factor=0.01)

    # when it posts twice
    with pytest.raises(IntegrationUnavailable):
        client.call("POST", "/v1/persons/lookup", operation="raw", json={"document_type": "id_card"})
    with pytest.raises(IntegrationRejected) as caught:
        client.call("POST", "/v1/persons/lookup", operation="raw", json={"document_type": "library_card"})

    # then the first 503 was not repeated, and the unknown document type is a 400
    assert sim_stats(registry_server)["calls"] == {"POST /v1/persons/lookup": 2}
    assert (caught.value.status_code, caught.value.error_code) == (400, "bad_request")
    assert list(Exchange.objects.order_by("id").values_list("status_code", "attempts")) == [(503, 1), (400, 1)]


def test_client_refuses_a_call_without_idempotency_key(registry_server):
    # given / when / then: the key must be recorded before the call, so an empty one is a bug
    with pytest.raises(ValueError, match="idempotency_key"):
        client_for(registry_server).person_lookup(
            document_type="id_card", document_number="123456AB", idempotency_key=""
        )
    assert Exchange.objects.count() == 0


def test_from_settings_uses_the_settings(settings, registry_server):
    # given settings pointing at the simulator
    settings.REGISTRY_URL = registry_server.base_url + "/"
    settings.REGISTRY_TOKEN = DEFAULT_TOKEN
    settings.REGISTRY_TIMEOUT_S = 1.5

    # when a client is made from them
    client = RegistryClient.from_settings()

    # then it uses them and works
    assert (client.base_url, client.timeout_s) == (registry_server.base_url, 1.5)
    assert (
        client.person_lookup(document_type="id_card", document_number="123456AB", idempotency_key="k").given_names
        == "Anna"
    )
