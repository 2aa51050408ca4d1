"""Filing system (Poszeidon) client against its simulator, over real HTTP on loopback."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.filing.client import FilingClient
from integrations.filing.contract import main_number_of, parse_filing_number
from integrations.filing.simulator import DEFAULT_TOKEN
from integrations.http import IntegrationRejected, IntegrationUnavailable, NotFound
from integrations.models import Exchange
from integrations.registry.population import SZUCS_LEVENTE
from tests.integrations.conftest import set_faults, sim_stats

pytestmark = pytest.mark.django_db

BUDAPEST = ZoneInfo("Europe/Budapest")
RECEIVED_AT = datetime(2026, 11, 2, 10, 15, tzinfo=BUDAPEST)
ISSUED_AT = datetime(2026, 11, 2, 10, 16, 30, tzinfo=BUDAPEST)
DELIVERED_AT = datetime(2026, 11, 3, 8, 5, tzinfo=BUDAPEST)
DECISION_SHA256 = hashlib.sha256(b"decision pdf").hexdigest()
CLIENT = {"name": SZUCS_LEVENTE.registry.full_name, "address": SZUCS_LEVENTE.registry.permanent_address.one_line()}


def client_for(server, **overrides) -> FilingClient:
    options = {"base_url": server.base_url, "token": DEFAULT_TOKEN, "timeout_s": 2.0, "backoff_factor": 0.01}
    return FilingClient(**{**options, **overrides})


def year() -> int:
    return datetime.now(BUDAPEST).year


def register(client, *, reference="PP-2026-000017", key="case-17:arrival", **changes):
    data = {
        "case_reference": reference,
        "subject": "lakossági várakozási hozzájárulás",
        "classification": "B/12",
        "client": CLIENT,
        "received_at": RECEIVED_AT,
        "channel": "e-portal",
        **changes,
    }
    return client.arrival_register(**data, idempotency_key=key)


@pytest.mark.parametrize(
    ("value", "main"),
    [("XII/1234/2026", "XII/1234/2026"), ("XII/1234-1/2026", "XII/1234/2026"), (" XII/77-12/2027 ", "XII/77/2027")],
)
def test_main_number_of_a_filing_number(value, main):
    assert main_number_of(value) == main


@pytest.mark.parametrize("value", ["", "XII/1234", "XI/1234-1/2026", "XII/12a4-1/2026", "XII/1234-1/26"])
def test_what_is_not_a_filing_number_is_refused(value):
    with pytest.raises(ValueError):
        parse_filing_number(value)


def test_arrival_then_decision_then_delivery_use_one_main_number(filing_server):
    # given a new application
    client = client_for(filing_server)

    # when it is registered, its decision issued and then delivered (reported twice)
    arrival = register(client)
    decision = client.document_issue(
        main_number=arrival.filing_number,
        kind="decision",
        document_sha256=DECISION_SHA256,
        issued_at=ISSUED_AT,
        idempotency_key="case-17:issue",
    )
    delivered = client.delivery_record(filing_number=decision.filing_number, delivered_at=DELIVERED_AT)
    again = client.delivery_record(
        filing_number=decision.filing_number, delivered_at=datetime(2026, 11, 9, 12, 0, tzinfo=BUDAPEST)
    )

    # then the arrival is sub-number 1 and the decision sub-number 2 of the same main number
    assert (arrival.filing_number, arrival.main_number) == (f"XII/1234-1/{year()}", f"XII/1234/{year()}")
    assert (decision.filing_number, decision.main_number, decision.kind, decision.issued_at) == (
        f"XII/1234-2/{year()}",
        f"XII/1234/{year()}",
        "decision",
        ISSUED_AT,
    )
    # and the delivery is recorded once: the second report answers the first record
    assert (delivered.filing_number, delivered.delivered_at, delivered.channel) == (
        decision.filing_number,
        DELIVERED_AT,
        "e-portal-download",
    )
    assert again == delivered
    # and the filing system's record of the matter holds all of it
    filing = client.filing_get(main_number=arrival.main_number)
    assert filing.arrival.filing_number == arrival.filing_number
    assert (filing.arrival.case_reference, filing.arrival.classification, filing.arrival.client_name) == (
        "PP-2026-000017",
        "B/12",
        "Szűcs Levente",
    )
    assert filing.arrival.received_at == RECEIVED_AT
    assert [(d.filing_number, d.kind, d.document_sha256, d.delivery) for d in filing.documents] == [
        (decision.filing_number, "decision", DECISION_SHA256, delivered)
    ]
    stats = sim_stats(filing_server)
    assert {k: stats[k] for k in ("arrivals", "documents", "deliveries")} == {
        "arrivals": 1,
        "documents": 1,
        "deliveries": 1,
    }
    assert stats["filing_numbers_issued"] == stats["distinct_filing_numbers"] == 2


def test_a_second_document_gets_the_next_sub_number_and_a_new_matter_the_next_main_number(filing_server):
    # given a matter with its decision
    client = client_for(filing_server)
    arrival = register(client)
    client.document_issue(
        main_number=arrival.main_number,
        kind="decision",
        document_sha256=DECISION_SHA256,
        issued_at=ISSUED_AT,
        idempotency_key="k-doc-1",
    )

    # when another document is issued in it, and another application arrives
    second = client.document_issue(
        main_number=arrival.main_number,
        kind="simplified_decision",
        document_sha256=hashlib.sha256(b"correction").hexdigest(),
        issued_at=ISSUED_AT,
        idempotency_key="k-doc-2",
    )
    other = register(client, reference="PP-2026-000018", key="case-18:arrival")

    # then sub-number 3 in the first, and main number 1235 for the second
    assert second.filing_number == f"XII/1234-3/{year()}"
    assert other.filing_number == f"XII/1235-1/{year()}"
    assert sim_stats(filing_server)["distinct_filing_numbers"] == 4


def test_a_repeated_arrival_with_its_key_is_filed_once(filing_server):
    # given a client
    client = client_for(filing_server)

    # when the arrival step runs twice with its recorded key
    first = register(client)
    second = register(client)

    # then one filing number, one arrival for the case
    assert first == second
    stats = sim_stats(filing_server)
    assert (stats["arrivals"], stats["arrivals_by_case_reference"]) == (1, {"PP-2026-000017": 1})
    assert stats["idempotency_keys"] == {"case-17:arrival": 2}


def test_concurrent_arrivals_get_distinct_numbers_and_concurrent_retries_one(filing_server):
    # given eight cases arriving at once, and one case whose arrival is sent eight times at once
    # (no exchange log: threads would write it on their own connections, outside the test's transaction)
    client = client_for(filing_server, log_exchanges=False)
    numbers: list[str] = []
    retried: list[str] = []

    def arrive(index: int) -> None:
        numbers.append(register(client, reference=f"PP-2026-{index:06d}", key=f"k-{index}").filing_number)

    def retry() -> None:
        retried.append(register(client, reference="PP-2026-000999", key="k-same").filing_number)

    threads = [threading.Thread(target=arrive, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=retry) for _ in range(8)]

    # when they all run
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then nine distinct main numbers, 1234 to 1242, the retried case filed once
    assert len(set(retried)) == 1
    mains = sorted(parse_filing_number(n)[0] for n in [*numbers, retried[0]])
    assert mains == list(range(1234, 1243))
    stats = sim_stats(filing_server)
    assert stats["filing_numbers_issued"] == stats["distinct_filing_numbers"] == 9
    assert stats["arrivals_by_case_reference"]["PP-2026-000999"] == 1


def test_reused_key_with_another_body_is_rejected(filing_server):
    # given a key already used for one case
    client = client_for(filing_server)
    register(client)

    # when it comes with another case's data
    with pytest.raises(IntegrationRejected) as caught:
        register(client, reference="PP-2026-000018")

    # then 422 and no second arrival
    assert (caught.value.status_code, caught.value.error_code) == (422, "idempotency_key_reused")
    assert sim_stats(filing_server)["arrivals"] == 1


def test_unknown_matter_and_undelivered_numbers_are_not_found(filing_server):
    # given a registered arrival without documents
    client = client_for(filing_server)
    arrival = register(client)

    # when a document is issued in an unknown matter, or the arrival itself is "delivered"
    with pytest.raises(NotFound):
        client.document_issue(
            main_number="XII/9999/2026",
            kind="decision",
            document_sha256=DECISION_SHA256,
            issued_at=ISSUED_AT,
            idempotency_key="k-404",
        )
    with pytest.raises(NotFound):
        client.delivery_record(filing_number=arrival.filing_number, delivered_at=DELIVERED_AT)
    with pytest.raises(NotFound):
        client.filing_get(main_number="XII/9999/2026")

    # then nothing was filed beyond the arrival
    assert sim_stats(filing_server)["distinct_filing_numbers"] == 1


def test_client_checks_its_input_before_calling(filing_server):
    client = client_for(filing_server)
    with pytest.raises(ValueError, match="idempotency_key"):
        register(client, key="")
    with pytest.raises(ValueError, match="timezone-aware"):
        register(client, received_at=datetime(2026, 11, 2, 10, 15))
    with pytest.raises(ValueError, match="sha256"):
        client.document_issue(
            main_number="XII/1234/2026", kind="decision", document_sha256="x", issued_at=ISSUED_AT, idempotency_key="k"
        )
    assert sim_stats(filing_server)["calls"] == {}


def test_the_log_masks_the_client_but_keeps_the_case(filing_server):
    # given / when an arrival is registered
    arrival = register(client_for(filing_server))

    # then the log shows the case and the classification, not the client's name nor address
    exchange = Exchange.objects.get()
    assert (exchange.system, exchange.operation, exchange.status_code) == ("filing", "arrival_register", 201)
    assert exchange.request_body == {
        "case_reference": "PP-2026-000017",
        "subject": "lakossági várakozási hozzájárulás",
        "classification": "B/12",
        "client": {"name": "***", "address": "***"},
        "received_at": "2026-11-02T10:15:00+01:00",
        "channel": "e-portal",
    }
    assert exchange.response_body["filing_number"] == arrival.filing_number
    assert exchange.idempotency_key == "case-17:arrival"


def test_delivery_path_carries_the_encoded_filing_number(filing_server):
    # given an issued decision
    client = client_for(filing_server)
    arrival = register(client)
    decision = client.document_issue(
        main_number=arrival.main_number,
        kind="decision",
        document_sha256=DECISION_SHA256,
        issued_at=ISSUED_AT,
        idempotency_key="k",
    )

    # when its delivery is reported
    client.delivery_record(filing_number=decision.filing_number, delivered_at=DELIVERED_AT)

    # then the slashes of the filing number travel percent-encoded
    exchange = Exchange.objects.get(operation="delivery_record")
    assert exchange.url == f"{filing_server.base_url}/v1/documents/XII%2F1234-2%2F{year()}/delivery"


def test_unavailable_filing_system_is_retried_then_raises_unavailable(filing_server):
    # given a filing system answering 503 to everything
    set_faults(filing_server, error_rate=1.0)

    # when an arrival is registered
    with pytest.raises(IntegrationUnavailable) as caught:
        register(client_for(filing_server, retries=2))

    # then three tries with the same key, nothing filed
    assert (caught.value.status_code, caught.value.retryable) == (503, True)
    stats = sim_stats(filing_server)
    assert (stats["idempotency_keys"], stats["arrivals"]) == ({"case-17:arrival": 3}, 0)
    assert (Exchange.objects.get().attempts, Exchange.objects.get().status_code) == (3, 503)


def test_slow_filing_system_raises_unavailable_within_the_timeout(filing_server):
    # given a filing system that hangs for 3 s and a client that waits 0.5 s
    set_faults(filing_server, timeout_rate=1.0, timeout_sleep_ms=3000)

    # when an arrival is registered
    started = time.monotonic()
    with pytest.raises(IntegrationUnavailable) as caught:
        register(client_for(filing_server, timeout_s=0.5))

    # then it gives up after the read timeout, without retrying
    assert 0.5 <= time.monotonic() - started < 1.2
    assert (caught.value.status_code, caught.value.error_code) == (None, "timeout")
    assert sim_stats(filing_server)["calls"] == {"POST /v1/arrivals": 1}


def test_from_settings_uses_the_settings(settings, filing_server):
    # given settings pointing at the simulator
    settings.FILING_URL = filing_server.base_url + "/"
    settings.FILING_TOKEN = DEFAULT_TOKEN
    settings.FILING_TIMEOUT_S = 1.5

    # when a client is made from them
    client = FilingClient.from_settings()

    # then it uses them and works
    assert (client.base_url, client.timeout_s) == (filing_server.base_url, 1.5)
    assert register(client).filing_number == f"XII/1234-1/{year()}"
