"""Registry persons by id and the vehicle register, against the registry simulator over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.http import IntegrationUnavailable, NotFound
from integrations.models import Exchange
from integrations.registry.client import RegistryClient
from integrations.registry.contract import VehicleRecord, normalise_plate
from integrations.registry.population import (
    COMPANY_CAR_PLATE,
    DEMO_RESIDENTS,
    FEHER_BELA,
    HORVATH_ESZTER,
    HORVATH_ESZTER_PLATE,
    KOVACS_ANNA,
    KOVACS_ANNA_DEREGISTERED_PLATE,
    KOVACS_ANNA_FIRST_PLATE,
    KOVACS_ANNA_SECOND_PLATE,
    NAGY_PETER,
    NAGY_PETER_PLATE,
    NEIGHBOUR_PERMIT_PLATE,
    PARKING_BLOCKED_PLATE,
    SZUCS_LEVENTE,
    SZUCS_LEVENTE_PLATE,
    build_population,
    build_vehicles,
)
from integrations.registry.simulator import DEFAULT_TOKEN
from tests.integrations.conftest import set_faults, sim_stats

pytestmark = pytest.mark.django_db


def client_for(server, **overrides) -> RegistryClient:
    options = {"base_url": server.base_url, "token": DEFAULT_TOKEN, "timeout_s": 2.0, "backoff_factor": 0.01}
    return RegistryClient(**{**options, **overrides})


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ABC-123", "ABC-123"),
        ("abc123", "ABC-123"),
        (" abc 123 ", "ABC-123"),
        ("AA-BC-123", "AA-BC-123"),
        ("aa bc 123", "AA-BC-123"),
        ("AABC123", "AA-BC-123"),
        ("aa-bc123", "AA-BC-123"),
        ("AA\u00a0BC-123", "AA-BC-123"),
        ("M.K.A 512", "MKA-512"),
    ],
)
def test_plates_are_normalised_to_the_register_format(typed, normalised):
    # given a plate as a resident might type it / when normalised / then the register's spelling
    assert normalise_plate(typed) == normalised


@pytest.mark.parametrize("typed", ["", "AB-123", "ABCD-12", "123-ABC", "ÁBC-123", "AA-BC-1234", "ABC-12X"])
def test_what_is_not_a_hungarian_plate_is_refused(typed):
    # given something that is not a Hungarian plate / when normalised / then ValueError
    with pytest.raises(ValueError, match="not a Hungarian licence plate"):
        normalise_plate(typed)


def test_kovacs_anna_owns_two_active_cars_and_one_deregistered_oldest_first(registry_server):
    # given Kovács Anna's registry id
    client = client_for(registry_server)

    # when her vehicles are asked for
    vehicles = client.vehicles_by_owner(person_id=KOVACS_ANNA.registry.person_id)

    # then the register lists all three she owns, the oldest ownership first
    assert [(v.plate, v.status, v.owner_since) for v in vehicles] == [
        (KOVACS_ANNA_DEREGISTERED_PLATE, "deregistered", date(2009, 6, 1)),
        (KOVACS_ANNA_FIRST_PLATE, "active", date(2016, 3, 2)),
        (KOVACS_ANNA_SECOND_PLATE, "active", date(2023, 5, 17)),
    ]
    assert vehicles[1] == VehicleRecord(
        plate="MKA-512",
        make="Toyota",
        model="Yaris",
        category="M1",
        first_registered=date(2016, 3, 2),
        owner_since=date(2016, 3, 2),
        status="active",
        owner_person_id=KOVACS_ANNA.registry.person_id,
        operator_person_id=KOVACS_ANNA.registry.person_id,
        owner_kind="natural_person",
    )


@pytest.mark.parametrize(
    ("demo", "plate"),
    [(NAGY_PETER, NAGY_PETER_PLATE), (HORVATH_ESZTER, HORVATH_ESZTER_PLATE)],
)
def test_the_other_demo_residents_own_one_active_car(registry_server, demo, plate):
    # given a demo resident / when their vehicles are asked for
    vehicles = client_for(registry_server).vehicles_by_owner(person_id=demo.registry.person_id)

    # then exactly one active car, theirs
    assert [(v.plate, v.status, v.owner_person_id) for v in vehicles] == [(plate, "active", demo.registry.person_id)]


def test_szucs_levente_owns_two_cars_the_golf_first(registry_server):
    from integrations.registry.population import SZUCS_LEVENTE_SECOND_PLATE

    vehicles = client_for(registry_server).vehicles_by_owner(person_id=SZUCS_LEVENTE.registry.person_id)
    ordered = sorted(vehicles, key=lambda v: v.owner_since)
    assert [(v.plate, v.status) for v in ordered] == [
        (SZUCS_LEVENTE_PLATE, "active"),
        (SZUCS_LEVENTE_SECOND_PLATE, "active"),
    ]


def test_a_person_without_vehicles_gets_an_empty_list_and_an_unknown_person_not_found(registry_server):
    # given a seeded person with no vehicle, and an id the registry does not know
    owners = {v.owner_person_id for v in build_vehicles().values()}
    carless = next(p for p in build_population().values() if p.person_id not in owners)
    client = client_for(registry_server)

    # when / then
    assert client.vehicles_by_owner(person_id=carless.person_id) == []
    with pytest.raises(NotFound):
        client.vehicles_by_owner(person_id="00000000-0000-4000-8000-000000000000")


def test_person_get_returns_the_same_record_as_the_lookup_and_logs_it_redacted(registry_server):
    # given Szűcs Levente's registry id (the pre-identified demo resident)
    client = client_for(registry_server)

    # when he is fetched by id
    person = client.person_get(person_id="a1f4c2d0-0000-4000-8000-000000000005")

    # then it is his record, the same the document lookup gives
    assert person == SZUCS_LEVENTE.registry
    assert person.permanent_address.one_line() == "1126 Budapest XII, Böszörményi út 30. 1. em. 3."
    assert (
        client.person_lookup(document_type="id_card", document_number="456789gh", idempotency_key="k-szucs") == person
    )
    # and the log holds neither his id nor his name nor his precise address
    exchange = Exchange.objects.filter(operation="person_get").get()
    assert exchange.url == f"{registry_server.base_url}/v1/persons/get"
    assert exchange.request_body == {"person_id": "***"}
    assert exchange.idempotency_key.startswith("read:")
    logged = exchange.response_body["person"]
    assert (logged["person_id"], logged["family_name"], logged["given_names"]) == ("***", "***", "***")
    assert (logged["permanent_address"]["street_name"], logged["permanent_address"]["house_number"]) == (
        "Böszörményi",
        "***",
    )
    assert "Szűcs" not in str(exchange.response_body) and "a1f4c2d0" not in str(exchange.response_body)


def test_person_get_of_an_unknown_id_is_not_found(registry_server):
    # given / when / then
    with pytest.raises(NotFound) as caught:
        client_for(registry_server).person_get(person_id="no-such-person")
    assert (caught.value.status_code, caught.value.error_code) == (404, "not_found")


def test_vehicle_get_normalises_the_plate_and_logs_the_owner_redacted(registry_server):
    # given a plate typed in lower case with a space
    client = client_for(registry_server)

    # when the vehicle is fetched
    vehicle = client.vehicle_get(plate="ab sl 126")

    # then it is Szűcs Levente's Golf, asked for in the register's spelling
    assert (vehicle.plate, vehicle.make, vehicle.model, vehicle.owner_person_id) == (
        SZUCS_LEVENTE_PLATE,
        "Volkswagen",
        "Golf",
        SZUCS_LEVENTE.registry.person_id,
    )
    exchange = Exchange.objects.get()
    assert exchange.request_body == {"plate": "AB-SL-126"}
    assert exchange.response_body["vehicle"]["owner_person_id"] == "***"
    assert exchange.response_body["vehicle"]["operator_person_id"] == "***"
    assert exchange.response_body["vehicle"]["plate"] == "AB-SL-126"


def test_company_car_has_no_natural_person_owner(registry_server):
    # given / when the company car is fetched
    vehicle = client_for(registry_server).vehicle_get(plate=COMPANY_CAR_PLATE)

    # then a company owns and operates it
    assert (vehicle.owner_kind, vehicle.owner_person_id, vehicle.operator_person_id) == ("company", "", "")
    assert (vehicle.owner_company_name, vehicle.owner_company_id) == ("Hegyvidéki Kertépítő Kft.", "01-09-912345")


def test_neighbour_car_and_unknown_plates(registry_server):
    # given the car Nagy Péter's neighbour owns, and plates the register does not know
    client = client_for(registry_server)

    # when / then the neighbour's car is his; an unknown plate is NotFound; a malformed one never leaves
    assert client.vehicle_get(plate=NEIGHBOUR_PERMIT_PLATE).owner_person_id == FEHER_BELA.person_id
    with pytest.raises(NotFound):
        client.vehicle_get(plate=PARKING_BLOCKED_PLATE)
    with pytest.raises(ValueError):
        client.vehicle_get(plate="not a plate")
    assert sim_stats(registry_server)["calls"] == {"POST /v1/vehicles/get": 2}


def test_seeded_fleet_is_deterministic_well_formed_and_covers_about_sixty_percent():
    # given / when the fleet is built twice
    first, second = build_vehicles(), build_vehicles.__wrapped__()

    # then the same vehicles, plates unique and in the register's spelling, every owner known
    assert first == second
    assert all(normalise_plate(plate) == plate == vehicle.plate for plate, vehicle in first.items())
    people = {p.person_id for p in build_population().values()}
    natural = [v for v in first.values() if v.owner_kind == "natural_person"]
    assert all(v.owner_person_id in people for v in natural)
    # about 60% of the 300 seeded people own one to three vehicles
    fixed = {d.registry.person_id for d in DEMO_RESIDENTS} | {FEHER_BELA.person_id}
    per_owner: dict[str, int] = {}
    for vehicle in natural:
        if vehicle.owner_person_id not in fixed:
            per_owner[vehicle.owner_person_id] = per_owner.get(vehicle.owner_person_id, 0) + 1
    assert 150 <= len(per_owner) <= 210
    assert set(per_owner.values()) == {1, 2, 3}
    # new-format plates only on vehicles first registered since September 2022
    assert all(
        v.plate.startswith("AA-") == (v.first_registered >= date(2022, 9, 1))
        for v in first.values()
        if v.owner_person_id not in fixed and v.owner_kind == "natural_person"
    )


def test_unavailable_vehicle_register_is_retried_then_raises_unavailable(registry_server):
    # given a registry answering 503 to everything
    set_faults(registry_server, error_rate=1.0)
    client = client_for(registry_server, retries=2)

    # when a resident's vehicles are asked for
    with pytest.raises(IntegrationUnavailable) as caught:
        client.vehicles_by_owner(person_id=KOVACS_ANNA.registry.person_id)

    # then the read was tried three times under one generated key, and logged once
    assert (caught.value.status_code, caught.value.retryable) == (503, True)
    assert list(sim_stats(registry_server)["idempotency_keys"].values()) == [3]
    exchange = Exchange.objects.get()
    assert (exchange.operation, exchange.status_code, exchange.attempts) == ("vehicles_by_owner", 503, 3)


def test_slow_vehicle_register_raises_unavailable_after_the_timeout(registry_server):
    # given a registry that hangs for 3 s and a client that waits 0.5 s
    set_faults(registry_server, timeout_rate=1.0, timeout_sleep_ms=3000)

    # when a vehicle is fetched
    with pytest.raises(IntegrationUnavailable) as caught:
        client_for(registry_server, timeout_s=0.5).vehicle_get(plate=KOVACS_ANNA_FIRST_PLATE)

    # then a timeout, not retried
    assert caught.value.error_code == "timeout"
    assert sim_stats(registry_server)["calls"] == {"POST /v1/vehicles/get": 1}
