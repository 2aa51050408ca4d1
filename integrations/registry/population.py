"""The people the registry simulator knows: fixed demo residents plus a seeded population.

The demo residents are shared with the demo data and the tests, so a scenario ("Nagy Péter
typed his mother's name without the accent") reads the same everywhere. Each demo resident has
`registry` (what the registry answers) and `typed` (what the resident typed into the profile).

Vehicles (the road-vehicle register) follow the same idea: fixed demo vehicles with a constant
for each plate (the parking-permit scenarios), plus a seeded fleet for the seeded people.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from integrations.registry.contract import Address, PersonRecord, VehicleRecord

POPULATION_SEED = 20240612
# seeded people besides the fixed ones; a larger population (REGISTRY_SIM_POPULATION, e.g. for a
# benchmark) keeps the first 300 and their vehicles as they are
POPULATION_SIZE = int(os.environ.get("REGISTRY_SIM_POPULATION", "300"))


@dataclass(frozen=True)
class TypedProfile:
    """What a demo resident typed into their e-Portal profile before verification."""

    email: str
    family_name: str
    given_names: str
    birth_name: str
    mother_birth_name: str
    birth_date: date
    birth_place: str
    address: Address
    document_type: str
    document_number: str


@dataclass(frozen=True)
class DemoResident:
    key: str
    typed: TypedProfile
    registry: PersonRecord

    @property
    def email(self) -> str:
        return self.typed.email


# --- (a) Kovács Anna: everything she typed matches the registry, address in the district ----------
_KOVACS_ANNA_ADDRESS = Address(
    postcode="1122",
    settlement="Budapest",
    district="XII",
    street_name="Városmajor",
    street_type="utca",
    house_number="12",
    floor="2",
    door="5",
)
KOVACS_ANNA = DemoResident(
    key="kovacs_anna",
    typed=TypedProfile(
        email="kovacs.anna@example.hu",
        family_name="Kovács",
        given_names="Anna",
        birth_name="Kovács Anna",
        mother_birth_name="Szabó Mária",
        birth_date=date(1985, 3, 14),
        birth_place="Budapest",
        address=_KOVACS_ANNA_ADDRESS,
        document_type="id_card",
        document_number="123456AB",
    ),
    registry=PersonRecord(
        person_id="a1f4c2d0-0000-4000-8000-000000000001",
        family_name="Kovács",
        given_names="Anna",
        birth_name="Kovács Anna",
        mother_birth_name="Szabó Mária",
        birth_date=date(1985, 3, 14),
        birth_place="Budapest",
        sex="F",
        permanent_address=_KOVACS_ANNA_ADDRESS,
        document_type="id_card",
        document_number="123456AB",
        document_valid_until=date(2031, 5, 20),
        document_status="valid",
    ),
)

# --- (b) Nagy Péter: mother's name typed without the accent, house number 16 instead of 18 -----------
NAGY_PETER = DemoResident(
    key="nagy_peter",
    typed=TypedProfile(
        email="nagy.peter@example.hu",
        family_name="Nagy",
        given_names="Péter",
        birth_name="Nagy Péter",
        mother_birth_name="Tóth Erzsebet",
        birth_date=date(1979, 11, 2),
        birth_place="Győr",
        address=Address(
            postcode="1124",
            settlement="Budapest",
            district="XII",
            street_name="Csörsz",
            street_type="utca",
            house_number="16",
        ),
        document_type="id_card",
        document_number="234567CD",
    ),
    registry=PersonRecord(
        person_id="a1f4c2d0-0000-4000-8000-000000000002",
        family_name="Nagy",
        given_names="Péter",
        birth_name="Nagy Péter",
        mother_birth_name="Tóth Erzsébet",
        birth_date=date(1979, 11, 2),
        birth_place="Győr",
        sex="M",
        permanent_address=Address(
            postcode="1124",
            settlement="Budapest",
            district="XII",
            street_name="Csörsz",
            street_type="utca",
            house_number="18",
        ),
        document_type="id_card",
        document_number="234567CD",
        document_valid_until=date(2030, 9, 1),
        document_status="valid",
    ),
)

# --- (c) Horváth Eszter: passport, permanent address outside the district (Budapest V) -------------
_HORVATH_ESZTER_ADDRESS = Address(
    postcode="1051",
    settlement="Budapest",
    district="V",
    street_name="Nádor",
    street_type="utca",
    house_number="7",
    floor="3",
    door="2",
)
HORVATH_ESZTER = DemoResident(
    key="horvath_eszter",
    typed=TypedProfile(
        email="horvath.eszter@example.hu",
        family_name="Horváth",
        given_names="Eszter",
        birth_name="Horváth Eszter",
        mother_birth_name="Kiss Ilona",
        birth_date=date(1992, 7, 21),
        birth_place="Pécs",
        address=_HORVATH_ESZTER_ADDRESS,
        document_type="passport",
        document_number="BA1234567",
    ),
    registry=PersonRecord(
        person_id="a1f4c2d0-0000-4000-8000-000000000003",
        family_name="Horváth",
        given_names="Eszter",
        birth_name="Horváth Eszter",
        mother_birth_name="Kiss Ilona",
        birth_date=date(1992, 7, 21),
        birth_place="Pécs",
        sex="F",
        permanent_address=_HORVATH_ESZTER_ADDRESS,
        document_type="passport",
        document_number="BA1234567",
        document_valid_until=date(2032, 2, 10),
        document_status="valid",
    ),
)

# --- (d) Szabó Gábor: his identity card expired ------------------------------------------------------
_SZABO_GABOR_ADDRESS = Address(
    postcode="1126",
    settlement="Budapest",
    district="XII",
    street_name="Böszörményi",
    street_type="út",
    house_number="30",
    floor="1",
    door="3",
)
SZABO_GABOR = DemoResident(
    key="szabo_gabor",
    typed=TypedProfile(
        email="szabo.gabor@example.hu",
        family_name="Szabó",
        given_names="Gábor",
        birth_name="Szabó Gábor",
        mother_birth_name="Molnár Katalin",
        birth_date=date(1968, 1, 25),
        birth_place="Debrecen",
        address=_SZABO_GABOR_ADDRESS,
        document_type="id_card",
        document_number="345678EF",
    ),
    registry=PersonRecord(
        person_id="a1f4c2d0-0000-4000-8000-000000000004",
        family_name="Szabó",
        given_names="Gábor",
        birth_name="Szabó Gábor",
        mother_birth_name="Molnár Katalin",
        birth_date=date(1968, 1, 25),
        birth_place="Debrecen",
        sex="M",
        permanent_address=_SZABO_GABOR_ADDRESS,
        document_type="id_card",
        document_number="345678EF",
        document_valid_until=date(2023, 6, 30),
        document_status="expired",
    ),
)

# --- (e) Szűcs Levente: the portal's pre-identified demo resident (lakos@example.hu), one car ----------
_SZUCS_LEVENTE_ADDRESS = Address(
    postcode="1126",
    settlement="Budapest",
    district="XII",
    street_name="Böszörményi",
    street_type="út",
    house_number="30",
    floor="1",
    door="3",
)
SZUCS_LEVENTE = DemoResident(
    key="szucs_levente",
    typed=TypedProfile(
        email="lakos@example.hu",
        family_name="Szűcs",
        given_names="Levente",
        birth_name="Szűcs Levente",
        mother_birth_name="Németh Katalin",
        birth_date=date(1968, 5, 30),
        birth_place="Budapest",
        address=_SZUCS_LEVENTE_ADDRESS,
        document_type="id_card",
        document_number="456789GH",
    ),
    registry=PersonRecord(
        person_id="a1f4c2d0-0000-4000-8000-000000000005",
        family_name="Szűcs",
        given_names="Levente",
        birth_name="Szűcs Levente",
        mother_birth_name="Németh Katalin",
        birth_date=date(1968, 5, 30),
        birth_place="Budapest",
        sex="M",
        permanent_address=_SZUCS_LEVENTE_ADDRESS,
        document_type="id_card",
        document_number="456789GH",
        document_valid_until=date(2029, 8, 31),
        document_status="valid",
    ),
)

DEMO_RESIDENTS: tuple[DemoResident, ...] = (KOVACS_ANNA, NAGY_PETER, HORVATH_ESZTER, SZABO_GABOR, SZUCS_LEVENTE)

# --- people the registry knows who have no e-Portal profile ----------------------------------------
#: Nagy Péter's neighbour (same house, Csörsz utca 18): his car already has a valid parking permit.
FEHER_BELA = PersonRecord(
    person_id="a1f4c2d0-0000-4000-8000-000000000006",
    family_name="Fehér",
    given_names="Béla",
    birth_name="Fehér Béla",
    mother_birth_name="Balogh Irén",
    birth_date=date(1956, 8, 12),
    birth_place="Szeged",
    sex="M",
    permanent_address=Address(
        postcode="1124",
        settlement="Budapest",
        district="XII",
        street_name="Csörsz",
        street_type="utca",
        house_number="18",
        floor="3",
        door="11",
    ),
    document_type="id_card",
    document_number="567890IJ",
    document_valid_until=date(2030, 4, 15),
    document_status="valid",
)
REGISTRY_ONLY_PEOPLE: tuple[PersonRecord, ...] = (FEHER_BELA,)

#: A well-formed identity card number the registry does not know.
UNKNOWN_ID_CARD_NUMBER = "999999ZZ"


# --- seeded population -----------------------------------------------------------------------------
FAMILY_NAMES = (
    "Nagy",
    "Kovács",
    "Tóth",
    "Szabó",
    "Horváth",
    "Varga",
    "Kiss",
    "Molnár",
    "Németh",
    "Farkas",
    "Balogh",
    "Papp",
    "Takács",
    "Juhász",
    "Lakatos",
    "Mészáros",
    "Oláh",
    "Simon",
    "Rácz",
    "Fekete",
    "Szilágyi",
    "Török",
    "Fehér",
    "Balázs",
    "Gál",
    "Szűcs",
    "Kocsis",
    "Pintér",
    "Fodor",
    "Szalai",
    "Sipos",
    "Magyar",
    "Lukács",
    "Gulyás",
    "Bíró",
    "Király",
    "Katona",
    "László",
    "Jakab",
    "Sándor",
    "Boros",
    "Fazekas",
    "Kelemen",
    "Antal",
    "Orosz",
    "Somogyi",
    "Fülöp",
    "Veres",
    "Vincze",
    "Hegedűs",
    "Deák",
    "Bálint",
    "Illés",
    "Vass",
    "Szőke",
    "Fábián",
    "Vörös",
    "Lengyel",
    "Csizmadia",
    "Erdős",
)
FEMALE_GIVEN = (
    "Anna",
    "Mária",
    "Erzsébet",
    "Katalin",
    "Ilona",
    "Éva",
    "Zsuzsanna",
    "Judit",
    "Ágnes",
    "Eszter",
    "Krisztina",
    "Andrea",
    "Orsolya",
    "Réka",
    "Zsófia",
    "Dóra",
    "Viktória",
    "Júlia",
    "Nóra",
    "Lilla",
    "Boglárka",
    "Hanna",
    "Emese",
    "Tímea",
    "Margit",
    "Piroska",
)
MALE_GIVEN = (
    "László",
    "István",
    "József",
    "János",
    "Zoltán",
    "Sándor",
    "Gábor",
    "Ferenc",
    "Attila",
    "Péter",
    "Tamás",
    "Zsolt",
    "Balázs",
    "Dávid",
    "Bence",
    "Máté",
    "Ádám",
    "Levente",
    "Márton",
    "Gergely",
    "Csaba",
    "András",
    "Dániel",
    "Norbert",
    "Botond",
    "Imre",
)
BIRTH_PLACES = (
    "Budapest",
    "Budapest",
    "Budapest",
    "Budapest",
    "Budapest",
    "Győr",
    "Pécs",
    "Debrecen",
    "Szeged",
    "Miskolc",
    "Székesfehérvár",
    "Kecskemét",
    "Eger",
    "Sopron",
    "Veszprém",
    "Nyíregyháza",
    "Kolozsvár",
)
#: Streets of Hegyvidék (Budapest XII) with their postcode: (postcode, name, type)
HEGYVIDEK_STREETS = (
    ("1126", "Böszörményi", "út"),
    ("1122", "Városmajor", "utca"),
    ("1123", "Alkotás", "utca"),
    ("1121", "Normafa", "út"),
    ("1125", "Istenhegyi", "út"),
    ("1125", "Szent János", "tér"),
    ("1123", "Csörsz", "utca"),
    ("1126", "Királyhágó", "tér"),
    ("1123", "Kékgolyó", "utca"),
    ("1126", "Ugocsa", "utca"),
    ("1124", "Németvölgyi", "út"),
    ("1124", "Apor Vilmos", "tér"),
    ("1125", "Kútvölgyi", "út"),
    ("1125", "Diós", "árok"),
    ("1122", "Határőr", "út"),
    ("1122", "Maros", "utca"),
    ("1122", "Ráth György", "utca"),
    ("1121", "Zugligeti", "út"),
    ("1121", "Költő", "utca"),
    ("1121", "Eötvös", "út"),
    ("1126", "Tartsay Vilmos", "utca"),
    ("1126", "Nagy Jenő", "utca"),
    ("1126", "Kiss János altábornagy", "utca"),
    ("1126", "Beethoven", "utca"),
    ("1126", "Hollósy Simon", "utca"),
    ("1123", "Győri", "út"),
    ("1122", "Csaba", "utca"),
)
#: Addresses outside the district: (postcode, settlement, district, name, type)
OUTSIDE_STREETS = (
    ("1051", "Budapest", "V", "Nádor", "utca"),
    ("1114", "Budapest", "XI", "Bartók Béla", "út"),
    ("1027", "Budapest", "II", "Margit", "körút"),
    ("1013", "Budapest", "I", "Attila", "út"),
    ("1085", "Budapest", "VIII", "Üllői", "út"),
    ("2040", "Budaörs", "", "Szabadság", "út"),
    ("2000", "Szentendre", "", "Fő", "tér"),
)
_LETTERS = "ABCDEFGHIJKLMNOPRSTUVZ"


def _document_number(rng: random.Random, document_type: str) -> str:
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    letters = lambda n: "".join(rng.choice(_LETTERS) for _ in range(n))  # noqa: E731
    if document_type == "id_card":
        return digits(6) + letters(2)
    if document_type == "passport":
        return letters(2) + digits(7)
    if document_type == "driving_licence":
        return letters(2) + digits(6)
    return "HU" + digits(7)


def _person(rng: random.Random, taken: set[tuple[str, str]]) -> PersonRecord:
    sex = rng.choice("FM")
    family = rng.choice(FAMILY_NAMES)
    given = rng.choice(FEMALE_GIVEN if sex == "F" else MALE_GIVEN)
    if rng.random() < 0.15:
        given = f"{given} {rng.choice(FEMALE_GIVEN if sex == 'F' else MALE_GIVEN)}"
    birth_family = rng.choice(FAMILY_NAMES) if sex == "F" and rng.random() < 0.25 else family
    birth_date = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 71 * 365))
    if rng.random() < 0.88:
        postcode, street, street_type = rng.choice(HEGYVIDEK_STREETS)
        settlement, district = "Budapest", "XII"
    else:
        postcode, settlement, district, street, street_type = rng.choice(OUTSIDE_STREETS)
    flat = rng.random() < 0.7
    address = Address(
        postcode=postcode,
        settlement=settlement,
        district=district,
        street_name=street,
        street_type=street_type,
        house_number=str(rng.randint(1, 120)),
        floor=str(rng.randint(0, 6)) if flat else "",
        door=str(rng.randint(1, 20)) if flat else "",
    )
    document_type = rng.choices(("id_card", "passport", "driving_licence", "residence_card"), weights=(70, 10, 15, 5))[
        0
    ]
    while True:
        number = _document_number(rng, document_type)
        if (document_type, number) not in taken:
            taken.add((document_type, number))
            break
    roll = rng.random()
    if roll < 0.08:
        status, valid_until = "expired", date(2019, 1, 1) + timedelta(days=rng.randrange(0, 5 * 365))
    elif roll < 0.11:
        status, valid_until = "revoked", date(2027, 1, 1) + timedelta(days=rng.randrange(0, 5 * 365))
    else:
        status, valid_until = "valid", date(2027, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
    return PersonRecord(
        person_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        family_name=family,
        given_names=given,
        birth_name=f"{birth_family} {given}",
        mother_birth_name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(FEMALE_GIVEN)}",
        birth_date=birth_date,
        birth_place=rng.choice(BIRTH_PLACES),
        sex=sex,  # type: ignore[arg-type]
        permanent_address=address,
        document_type=document_type,  # type: ignore[arg-type]
        document_number=number,
        document_valid_until=valid_until,
        document_status=status,  # type: ignore[arg-type]
    )


@cache
def build_population(seed: int = POPULATION_SEED, size: int = POPULATION_SIZE) -> dict[tuple[str, str], PersonRecord]:
    """Every known document, keyed by (document_type, document_number): the fixed people
    (demo residents and `REGISTRY_ONLY_PEOPLE`) first, then `size` seeded others."""
    rng = random.Random(seed)  # noqa: S311 - simulation data, not security
    people = {(p.document_type, p.document_number): p for p in _fixed_people()}
    taken = set(people) | {("id_card", UNKNOWN_ID_CARD_NUMBER)}
    for _ in range(size):
        person = _person(rng, taken)
        people[(person.document_type, person.document_number)] = person
    return people


def _fixed_people() -> tuple[PersonRecord, ...]:
    return tuple(d.registry for d in DEMO_RESIDENTS) + REGISTRY_ONLY_PEOPLE


# --- vehicles -----------------------------------------------------------------------------------------
KOVACS_ANNA_FIRST_PLATE = "MKA-512"  # her first active car by owner_since: the one a permit may be for
KOVACS_ANNA_SECOND_PLATE = "AA-KN-731"  # her second active car: refused, "not the first vehicle"
KOVACS_ANNA_DEREGISTERED_PLATE = "JKA-208"  # history: sold for scrap in 2016
NAGY_PETER_PLATE = "NPR-418"
HORVATH_ESZTER_PLATE = "AE-HE-205"  # lives in district V: refused, "address outside the district"
SZABO_GABOR_PLATE = "SGB-968"
SZUCS_LEVENTE_PLATE = "AB-SL-126"  # the happy path: granted
SZUCS_LEVENTE_SECOND_PLATE = "AB-SL-471"  # his second car: the permit for a further vehicle, for a fee
NEIGHBOUR_PERMIT_PLATE = "PFB-118"  # Fehér Béla's car; the parking system already has a valid permit for it
COMPANY_CAR_PLATE = "AC-CF-300"  # owned and operated by a company, not a natural person
#: A plate the parking system blocks (unpaid parking penalties); not in the vehicle register.
PARKING_BLOCKED_PLATE = "KRT-404"

_KOVACS = KOVACS_ANNA.registry.person_id


def _car(
    plate: str, make: str, model: str, first: date, since: date, owner: str, status: str = "active"
) -> VehicleRecord:
    return VehicleRecord(
        plate=plate,
        make=make,
        model=model,
        category="M1",
        first_registered=first,
        owner_since=since,
        status=status,  # type: ignore[arg-type]
        owner_person_id=owner,
        operator_person_id=owner,
    )


DEMO_VEHICLES: tuple[VehicleRecord, ...] = (
    _car(KOVACS_ANNA_DEREGISTERED_PLATE, "Opel", "Astra", date(2004, 4, 11), date(2009, 6, 1), _KOVACS, "deregistered"),
    _car(KOVACS_ANNA_FIRST_PLATE, "Toyota", "Yaris", date(2016, 3, 2), date(2016, 3, 2), _KOVACS),
    _car(KOVACS_ANNA_SECOND_PLATE, "Škoda", "Fabia", date(2023, 5, 17), date(2023, 5, 17), _KOVACS),
    _car(NAGY_PETER_PLATE, "Suzuki", "Vitara", date(2018, 9, 20), date(2019, 2, 14), NAGY_PETER.registry.person_id),
    _car(HORVATH_ESZTER_PLATE, "Fiat", "500", date(2024, 1, 9), date(2024, 1, 9), HORVATH_ESZTER.registry.person_id),
    _car(SZABO_GABOR_PLATE, "Dacia", "Duster", date(2014, 7, 1), date(2014, 7, 1), SZABO_GABOR.registry.person_id),
    _car(
        SZUCS_LEVENTE_PLATE,
        "Volkswagen",
        "Golf",
        date(2022, 11, 4),
        date(2022, 11, 4),
        SZUCS_LEVENTE.registry.person_id,
    ),
    _car(
        SZUCS_LEVENTE_SECOND_PLATE,
        "Mazda",
        "2",
        date(2019, 6, 12),
        date(2025, 3, 10),
        SZUCS_LEVENTE.registry.person_id,
    ),
    _car(NEIGHBOUR_PERMIT_PLATE, "Opel", "Corsa", date(2017, 5, 23), date(2017, 5, 23), FEHER_BELA.person_id),
    VehicleRecord(
        plate=COMPANY_CAR_PLATE,
        make="Škoda",
        model="Octavia",
        category="M1",
        first_registered=date(2021, 2, 15),
        owner_since=date(2021, 2, 15),
        status="active",
        owner_person_id="",
        operator_person_id="",
        owner_kind="company",
        owner_company_name="Hegyvidéki Kertépítő Kft.",
        owner_company_id="01-09-912345",
    ),
)

MAKES_MODELS = (
    ("Suzuki", "Swift"),
    ("Suzuki", "Vitara"),
    ("Suzuki", "SX4 S-Cross"),
    ("Opel", "Astra"),
    ("Opel", "Corsa"),
    ("Volkswagen", "Golf"),
    ("Volkswagen", "Polo"),
    ("Volkswagen", "Passat"),
    ("Škoda", "Octavia"),
    ("Škoda", "Fabia"),
    ("Škoda", "Superb"),
    ("Toyota", "Corolla"),
    ("Toyota", "Yaris"),
    ("Toyota", "RAV4"),
    ("Ford", "Focus"),
    ("Renault", "Clio"),
    ("Dacia", "Duster"),
    ("Dacia", "Sandero"),
    ("BMW", "320d"),
    ("Mercedes-Benz", "C 200"),
    ("Audi", "A4"),
    ("Kia", "Ceed"),
    ("Hyundai", "i30"),
    ("Peugeot", "208"),
    ("Fiat", "500"),
    ("Nissan", "Qashqai"),
    ("Tesla", "Model 3"),
)
#: The first plates of the current format (two letters, two letters, three digits) were issued
#: in September 2022; vehicles registered before keep the old ABC-123 plate.
NEW_PLATE_FORMAT_FROM = date(2022, 9, 1)
_FLEET_NEWEST = date(2025, 10, 31)


def _plate(rng: random.Random, first_registered: date) -> str:
    letters = lambda n: "".join(rng.choice(_LETTERS) for _ in range(n))  # noqa: E731
    digits = "".join(rng.choice("0123456789") for _ in range(3))
    if first_registered >= NEW_PLATE_FORMAT_FROM:
        return f"AA-{letters(2)}-{digits}"
    return f"{letters(3)}-{digits}"


def _seeded_vehicles(rng: random.Random, person: PersonRecord, taken: set[str]) -> list[VehicleRecord]:
    vehicles = []
    for _ in range(rng.choices((1, 2, 3), weights=(70, 22, 8))[0]):
        first = date(2004, 1, 1) + timedelta(days=rng.randrange(0, (_FLEET_NEWEST - date(2004, 1, 1)).days))
        since = first + timedelta(days=rng.randrange(0, (_FLEET_NEWEST - first).days + 1))
        make, model = rng.choice(MAKES_MODELS)
        while (plate := _plate(rng, first)) in taken:
            pass
        taken.add(plate)
        vehicles.append(
            VehicleRecord(
                plate=plate,
                make=make,
                model=model,
                category="N1" if rng.random() < 0.05 else "M1",
                first_registered=first,
                owner_since=since,
                status="deregistered" if rng.random() < 0.06 else "active",
                owner_person_id=person.person_id,
                operator_person_id=person.person_id,
            )
        )
    return vehicles


@cache
def build_vehicles(seed: int = POPULATION_SEED) -> dict[str, VehicleRecord]:
    """Every registered vehicle, keyed by plate: the demo vehicles, then about 60% of the seeded
    people with one to three vehicles each (from their own random stream, so the people stay
    the same whatever the fleet does)."""
    rng = random.Random(seed + 1)  # noqa: S311 - simulation data, not security
    vehicles = {v.plate: v for v in DEMO_VEHICLES}
    taken = set(vehicles) | {PARKING_BLOCKED_PLATE}
    fixed = {p.person_id for p in _fixed_people()}
    for person in build_population(seed).values():
        if person.person_id in fixed or rng.random() >= 0.6:
            continue
        for vehicle in _seeded_vehicles(rng, person, taken):
            vehicles[vehicle.plate] = vehicle
    return vehicles
