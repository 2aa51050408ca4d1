"""Parking system (Cityform) client against its simulator, over real HTTP on loopback."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.http import IntegrationRejected, IntegrationUnavailable, NotFound
from integrations.models import Exchange
from integrations.parking.client import ParkingClient
from integrations.parking.contract import Permit, permit_valid_until
from integrations.parking.simulator import DEFAULT_TOKEN
from integrations.registry.population import (
    FEHER_BELA,
    KOVACS_ANNA,
    KOVACS_ANNA_FIRST_PLATE,
    NEIGHBOUR_PERMIT_PLATE,
    PARKING_BLOCKED_PLATE,
    SZUCS_LEVENTE,
    SZUCS_LEVENTE_PLATE,
)
from tests.integrations.conftest import http, set_faults, sim_stats

pytestmark = pytest.mark.django_db

SZUCS = SZUCS_LEVENTE.registry
VALID_FROM = date(2026, 11, 2)


def client_for(server, **overrides) -> ParkingClient:
    options = {"base_url": server.base_url, "token": DEFAULT_TOKEN, "timeout_s": 2.0, "backoff_factor": 0.01}
    return ParkingClient(**{**options, **overrides})


def this_year() -> int:
    return datetime.now(ZoneInfo("Europe/Budapest")).year


def create_for_szucs(client, *, key="case-1:permit", **changes) -> Permit:
    data = {
        "plate": SZUCS_LEVENTE_PLATE,
        "zone": "HEGYVIDEK-1",
        "holder_person_id": SZUCS.person_id,
        "holder_name": SZUCS.full_name,
        "valid_from": VALID_FROM,
        **changes,
    }
    return client.permit_create(**data, idempotency_key=key)


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        (date(2026, 11, 2), date(2027, 11, 1)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2027, 3, 1), date(2028, 2, 29)),
    ],
)
def test_a_permit_is_valid_for_a_year_less_a_day(valid_from, valid_until):
    assert permit_valid_until(valid_from) == valid_until


def test_precheck_passes_for_a_plate_without_permit_and_logs_the_holder_redacted(parking_server):
    # given Szűcs Levente's car, which has no permit
    client = client_for(parking_server)

    # when the parking system is asked whether it would accept a permit (plate typed loosely)
    result = client.precheck(
        plate="ab-sl 126", zone="HEGYVIDEK-1", holder_person_id=SZUCS.person_id, holder_address=SZUCS.permanent_address
    )

    # then it would, with no reasons
    assert (result.ok, result.reasons) == (True, ())
    # and the log shows the plate and the street, not who holds it nor the flat
    exchange = Exchange.objects.get()
    assert (exchange.system, exchange.operation, exchange.status_code) == ("parking", "permit_precheck", 200)
    assert exchange.url == f"{parking_server.base_url}/v1/permits/precheck"
    assert exchange.request_body == {
        "plate": "AB-SL-126",
        "zone": "HEGYVIDEK-1",
        "holder_person_id": "***",
        "holder_address": {
            "postcode": "1126",
            "settlement": "Budapest",
            "district": "XII",
            "street_name": "Böszörményi",
            "street_type": "út",
            "house_number": "***",
            "building": "",
            "floor": "***",
            "door": "***",
        },
    }
    assert exchange.response_body == {"ok": True}


@pytest.mark.parametrize(
    ("plate", "zone", "codes"),
    [
        (NEIGHBOUR_PERMIT_PLATE, "HEGYVIDEK-1", ("plate_has_valid_permit",)),
        (PARKING_BLOCKED_PLATE, "HEGYVIDEK-1", ("plate_blocked",)),
        (KOVACS_ANNA_FIRST_PLATE, "BELVAROS-9", ("zone_unknown",)),
        (NEIGHBOUR_PERMIT_PLATE, "BELVAROS-9", ("zone_unknown", "plate_has_valid_permit")),
    ],
)
def test_precheck_refuses_with_reasons(parking_server, plate, zone, codes):
    # given a plate with a valid permit, a blocked plate, or an unknown zone
    client = client_for(parking_server)

    # when prechecked (the address as a dict, as the case engine passes it)
    result = client.precheck(
        plate=plate,
        zone=zone,
        holder_person_id=KOVACS_ANNA.registry.person_id,
        holder_address=KOVACS_ANNA.registry.permanent_address.to_json(),
    )

    # then refused, with each reason in Hungarian and English
    assert (result.ok, result.codes) == (False, codes)
    assert all(reason.message_hu and reason.message_en for reason in result.reasons)
    assert Exchange.objects.get().response_body["ok"] is False


def test_the_neighbour_permit_is_listed_for_the_plate(parking_server):
    # given / when the neighbour's plate is looked up
    permits = client_for(parking_server).permits_for_plate(NEIGHBOUR_PERMIT_PLATE)

    # then its one valid permit, in HEGYVIDEK-1
    assert len(permits) == 1
    permit = permits[0]
    assert (permit.plate, permit.zone, permit.status) == (NEIGHBOUR_PERMIT_PLATE, "HEGYVIDEK-1", "active")
    assert permit.is_valid_on(datetime.now(ZoneInfo("Europe/Budapest")).date())
    assert FEHER_BELA.person_id not in str(Exchange.objects.get().response_body)


def test_permit_create_then_replay_with_the_same_key_gives_one_permit(parking_server):
    # given a client
    client = client_for(parking_server)

    # when the permit step runs twice with its recorded key (a worker retried after a crash)
    first = create_for_szucs(client)
    second = create_for_szucs(client)

    # then one permit, the same answer twice
    expected = Permit(
        permit_number=f"HV-{this_year()}-000123",
        plate=SZUCS_LEVENTE_PLATE,
        zone="HEGYVIDEK-1",
        valid_from=VALID_FROM,
        valid_until=date(2027, 11, 1),
        status="active",
    )
    assert first == second == expected
    stats = sim_stats(parking_server)
    assert (stats["created_permits"], stats["calls"]["POST /v1/permits"]) == (1, 2)
    assert stats["idempotency_keys"] == {"case-1:permit": 2}
    assert client.permits_for_plate(SZUCS_LEVENTE_PLATE) == [expected]
    # and the holder never reaches the log
    create_logs = Exchange.objects.filter(operation="permit_create").order_by("id")
    assert [e.status_code for e in create_logs] == [201, 201]
    assert create_logs[0].request_body["holder_name"] == "***"
    assert create_logs[0].request_body["holder_person_id"] == "***"
    assert "Szűcs" not in str(create_logs[0].request_body)


def test_second_permit_for_the_plate_with_another_key_is_a_conflict(parking_server):
    # given a permit for Szűcs Levente's car
    client = client_for(parking_server)
    permit = create_for_szucs(client, key="case-1:permit")

    # when another case asks for one with its own key
    with pytest.raises(IntegrationRejected) as caught:
        create_for_szucs(client, key="case-2:permit", valid_from=date(2027, 1, 1))

    # then 409, naming the existing permit; still one permit created
    assert (caught.value.status_code, caught.value.error_code) == (409, "plate_has_valid_permit")
    exchange = Exchange.objects.filter(operation="permit_create").latest("id")
    assert exchange.response_body == {"error": "plate_has_valid_permit", "permit_number": permit.permit_number}
    assert sim_stats(parking_server)["created_permits"] == 1
    # and a precheck now refuses the plate
    assert client.precheck(
        plate=SZUCS_LEVENTE_PLATE, zone="HEGYVIDEK-1", holder_person_id=SZUCS.person_id, holder_address={}
    ).codes == ("plate_has_valid_permit",)


def test_reused_key_with_another_body_is_rejected(parking_server):
    # given a key already used for Szűcs Levente's car
    client = client_for(parking_server)
    create_for_szucs(client, key="case-1:permit")

    # when the same key comes with another valid_from
    with pytest.raises(IntegrationRejected) as caught:
        create_for_szucs(client, key="case-1:permit", valid_from=date(2026, 12, 1))

    # then 422, and nothing new
    assert (caught.value.status_code, caught.value.error_code) == (422, "idempotency_key_reused")
    assert sim_stats(parking_server)["created_permits"] == 1


def test_permit_create_requires_an_idempotency_key(parking_server):
    # given / when the client is called without a key / then it refuses before calling
    with pytest.raises(ValueError, match="idempotency_key"):
        create_for_szucs(client_for(parking_server), key="")
    # and the parking system itself refuses a POST without one
    reply = http(
        "POST",
        f"{parking_server.base_url}/v1/permits",
        json_body={
            "plate": SZUCS_LEVENTE_PLATE,
            "zone": "HEGYVIDEK-1",
            "holder_person_id": SZUCS.person_id,
            "holder_name": SZUCS.full_name,
            "valid_from": "2026-11-02",
        },
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    )
    assert (reply.status, reply.json()) == (400, {"error": "idempotency_key_required"})
    assert sim_stats(parking_server)["created_permits"] == 0


def test_revoke_frees_the_plate_for_a_new_permit(parking_server):
    # given a permit
    client = client_for(parking_server)
    permit = create_for_szucs(client, key="case-1:permit")

    # when it is revoked (twice: harmless) and a new one is asked for
    revoked = client.permit_revoke(permit_number=permit.permit_number, reason="jármű eladva")
    again = client.permit_revoke(permit_number=permit.permit_number)
    renewed = create_for_szucs(client, key="case-3:permit")

    # then the first is revoked, the new one has the next number
    assert revoked == again == Permit(**{**permit.__dict__, "status": "revoked"})
    assert renewed.permit_number == f"HV-{this_year()}-000124"
    assert [p.status for p in client.permits_for_plate(SZUCS_LEVENTE_PLATE)] == ["active", "revoked"]
    stats = sim_stats(parking_server)
    assert (stats["created_permits"], stats["revoked_permits"]) == (2, 1)
    with pytest.raises(NotFound):
        client.permit_revoke(permit_number="HV-1999-000001")


def test_unavailable_parking_system_is_retried_then_raises_unavailable(parking_server):
    # given a parking system answering 503 to everything
    set_faults(parking_server, error_rate=1.0)
    client = client_for(parking_server, retries=2)

    # when a permit is created
    with pytest.raises(IntegrationUnavailable) as caught:
        create_for_szucs(client, key="case-1:permit")

    # then three tries with the same key, one log row, nothing created
    assert (caught.value.status_code, caught.value.retryable) == (503, True)
    stats = sim_stats(parking_server)
    assert (stats["idempotency_keys"], stats["created_permits"]) == ({"case-1:permit": 3}, 0)
    exchange = Exchange.objects.get()
    assert (exchange.status_code, exchange.attempts, exchange.error) == (503, 3, "unavailable")


def test_transient_errors_then_success_create_exactly_one_permit(parking_server):
    # given a parking system whose next two answers are 503
    set_faults(parking_server, error_next=2)

    # when a permit is created
    permit = create_for_szucs(client_for(parking_server, retries=3))

    # then the third try made it, once
    assert permit.permit_number == f"HV-{this_year()}-000123"
    assert sim_stats(parking_server)["created_permits"] == 1
    assert Exchange.objects.get().attempts == 3


def test_slow_parking_system_raises_unavailable_within_the_timeout(parking_server):
    # given a parking system that hangs for 3 s and a client that waits 0.5 s
    set_faults(parking_server, timeout_rate=1.0, timeout_sleep_ms=3000)
    client = client_for(parking_server, timeout_s=0.5)

    # when a precheck is asked for
    started = time.monotonic()
    with pytest.raises(IntegrationUnavailable) as caught:
        client.precheck(plate=SZUCS_LEVENTE_PLATE, zone="HEGYVIDEK-1", holder_person_id="", holder_address={})

    # then a timeout after about half a second, not retried
    assert 0.5 <= time.monotonic() - started < 1.2
    assert (caught.value.status_code, caught.value.error_code) == (None, "timeout")
    assert sim_stats(parking_server)["calls"] == {"POST /v1/permits/precheck": 1}
    assert Exchange.objects.get().error.startswith("timeout: ReadTimeout")


def test_bad_token_is_rejected(parking_server):
    # given a client with a wrong token / when it prechecks / then 401, not retried
    with pytest.raises(IntegrationRejected) as caught:
        client_for(parking_server, token="wrong").precheck(
            plate=SZUCS_LEVENTE_PLATE, zone="HEGYVIDEK-1", holder_person_id="", holder_address={}
        )
    assert (caught.value.status_code, caught.value.error_code) == (401, "unauthorized")
    assert sim_stats(parking_server)["calls"] == {"POST /v1/permits/precheck": 1}


def test_reset_restores_the_seed(parking_server):
    # given a created permit
    client = client_for(parking_server)
    create_for_szucs(client)

    # when the simulator is reset
    assert http("POST", f"{parking_server.base_url}/_sim/reset").status == 200

    # then the permit is gone, the neighbour's is back, counters are zero
    assert client.permits_for_plate(SZUCS_LEVENTE_PLATE) == []
    assert len(client.permits_for_plate(NEIGHBOUR_PERMIT_PLATE)) == 1
    assert sim_stats(parking_server)["created_permits"] == 0


def test_from_settings_uses_the_settings(settings, parking_server):
    # given settings pointing at the simulator
    settings.PARKING_URL = parking_server.base_url + "/"
    settings.PARKING_TOKEN = DEFAULT_TOKEN
    settings.PARKING_TIMEOUT_S = 1.5

    # when a client is made from them
    client = ParkingClient.from_settings()

    # then it uses them and works
    assert (client.base_url, client.timeout_s) == (parking_server.base_url, 1.5)
    assert client.permits_for_plate(SZUCS_LEVENTE_PLATE) == []
