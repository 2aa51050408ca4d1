"""Demo accounts (no Django imports: the dev launcher prints them before Django starts)."""

from __future__ import annotations

import datetime

DEMO_PASSWORD = "Hegyvidek-2026"  # noqa: S105 - printed to developers; demo data only
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo staff second factor

STAFF = [
    ("admin@hegyvidek.example", "Rendszer", "Adminisztrátor", None),
    ("szerkeszto@hegyvidek.example", "Fekete", "Judit", "editor"),
    ("ugyintezo@hegyvidek.example", "Molnár", "Zsófia", "clerk"),
    ("penzugy@hegyvidek.example", "Varga", "Tamás", "finance_clerk"),
    ("ugyfel@hegyvidek.example", "Horváth", "Eszter", "crm_clerk"),
    ("hirlevel@hegyvidek.example", "Balogh", "Réka", "newsletter_admin"),
    ("operator@hegyvidek.example", "Farkas", "Dániel", "contact_centre_operator"),
    ("felugyelo@hegyvidek.example", "Papp", "Krisztina", "supervisor"),
]


def _address(postcode, street_name, street_type, house_number, floor="", door="", district="XII"):
    return {
        "postcode": postcode,
        "settlement": "Budapest",
        "district": district,
        "street_name": street_name,
        "street_type": street_type,
        "house_number": house_number,
        "building": "",
        "floor": floor,
        "door": door,
    }


RESIDENTS = [
    # what each resident typed; the registry simulator's population holds the official data
    {
        "email": "kovacs.anna@example.hu",
        "family_name": "Kovács",
        "given_names": "Anna",
        "birth_name": "Kovács Anna",
        "mother_birth_name": "Szabó Mária",
        "birth_date": datetime.date(1985, 3, 14),
        "birth_place": "Budapest",
        "phone": "+36301234567",
        "permanent_address": _address("1122", "Városmajor", "utca", "12", "2", "5"),
    },
    {
        "email": "nagy.peter@example.hu",
        "family_name": "Nagy",
        "given_names": "Péter",
        "birth_name": "Nagy Péter",
        "mother_birth_name": "Tóth Erzsebet",
        "birth_date": datetime.date(1979, 11, 2),
        "birth_place": "Győr",
        "phone": "+36209876543",
        "permanent_address": _address("1124", "Csörsz", "utca", "16"),
    },
    {
        "email": "horvath.eszter@example.hu",
        "family_name": "Horváth",
        "given_names": "Eszter",
        "birth_name": "Horváth Eszter",
        "mother_birth_name": "Kiss Ilona",
        "birth_date": datetime.date(1992, 7, 21),
        "birth_place": "Pécs",
        "phone": "+36701112233",
        "permanent_address": _address("1051", "Nádor", "utca", "7", district="V"),
    },
    {
        "email": "lakos@example.hu",
        "family_name": "Szűcs",
        "given_names": "Levente",
        "birth_name": "Szűcs Levente",
        "mother_birth_name": "Németh Katalin",
        "birth_date": datetime.date(1968, 5, 30),
        "birth_place": "Budapest",
        "phone": "+36305554444",
        "permanent_address": _address("1126", "Böszörményi", "út", "30", "1", "3"),
        "verified": True,
        # the person's identifier in the registry simulator's population (integrations/registry/population.py)
        "registry_person_id": "a1f4c2d0-0000-4000-8000-000000000005",
    },
]


#: CRM clients entered at the desk (not residents with an account): (title, family, given,
#: birth date, email, phone, address (postcode, street, type, number), Hegyvidék Kártya).
#: A few carry what cleansing cannot fix, so the cleanup queue has work in the demo.
CRM_CLIENTS = [
    (
        "",
        "Kovács",
        "János",
        datetime.date(1958, 4, 2),
        "kovacs.janos@gmail.com",
        "06 30 123 4567",
        ("1123", "Alkotás", "utca", "7/B"),
        "HK10000001",
    ),
    (
        "",
        "Kovács",
        "Jánosné",
        datetime.date(1961, 9, 30),
        "kovacs.janosne@freemail.hu",
        "06 20 555 1234",
        ("1123", "Alkotás", "utca", "7/B"),
        "",
    ),
    (
        "dr.",
        "Nagy",
        "Anna Mária",
        datetime.date(1979, 12, 1),
        "nagy.anna@citromail.hu",
        "+36 70 222 3344",
        ("1126", "Böszörményi", "út", "12"),
        "HK10000002",
    ),
    ("", "Szőke", "Ödön", datetime.date(1944, 2, 17), "", "06 1 224 5900", ("1122", "Városmajor", "utca", "44"), ""),
    (
        "",
        "Tóth",
        "Gergő",
        datetime.date(1990, 6, 21),
        "toth.gergo@gmial.com",
        "0036301112233",
        ("1125", "Istenhegyi", "út", "31"),
        "",
    ),
    (
        "ifj.",
        "Farkas",
        "Bence",
        datetime.date(2001, 3, 8),
        "bence.farkas",
        "06 30 99",
        ("1124", "Csörsz", "utca", "5"),
        "",
    ),
    (
        "",
        "Varga",
        "Zsófia",
        datetime.date(1985, 11, 11),
        "varga.zsofia@t-online.hu",
        "06 70 444 5566",
        ("1121", "Konkoly-Thege Miklós", "út", "29"),
        "HK10000003",
    ),
    ("", "Horváth", "Lőrinc", None, "horvath.lorinc@outlook.hu", "", ("1123", "Szent János", "tér", "1"), ""),
    (
        "özv.",
        "Molnár",
        "Istvánné",
        datetime.date(1938, 5, 5),
        "",
        "06 1 355 1234",
        ("1124", "Németvölgyi", "út", "80"),
        "",
    ),
    (
        "",
        "Kiss",
        "Réka",
        datetime.date(1996, 8, 30),
        "kiss.reka@icloud.com",
        "+36 20 777 8899",
        ("1122", "Maros", "utca", "16"),
        "",
    ),
    # Szőke Ödön again, typed without accents at another desk years later: a likely duplicate
    (
        "",
        "Szoke",
        "Odon",
        datetime.date(1944, 2, 17),
        "szoke.odon@freemail.hu",
        "",
        ("1122", "Városmajor", "utca", "44"),
        "",
    ),
]
