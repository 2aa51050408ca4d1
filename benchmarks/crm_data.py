"""Realistic CRM clients for `benchmarks/crm_search.py`, as rows ready for PostgreSQL COPY.

Every client is a pure function of (seed, id): a worker process makes any id range on its own,
and a planted duplicate or a household member simply makes its original again and changes it.

Who is in the data (roles, by a hash of the id):

  original   93 %   a person: Hungarian name (family names with their real frequencies and a long
                    tail, one or two given names, "dr." now and then, married forms "Jánosné"),
                    gender from the name list, birth date 1930–2008 (sometimes unknown), addresses
                    in District XII (the bundled street list), elsewhere in Budapest and outside,
                    0–2 emails of the forms people use, 0–2 phones typed in any format, a
                    Hegyvidék Kártya for ~30 %, consents, tags, groups and a timeline.
  duplicate   2 %   a copy of an earlier original entered again: accents dropped, a one-letter
                    typo, given names in another order or one missing, family and given names
                    swapped, the email in other capitals or another one, the phone typed
                    differently or another one, the birth date usually the same (sometimes
                    missing or with a typo), the address the same or a new one.
  household  4.6 %  someone living with an earlier original: same address, often the same family
                    name, now and then the same landline or email — a different person.
  junior     0.4 %  "ifj." — a son with his father's name at his father's address.

The planted truth is the (original, duplicate) pairs with what was changed.

Search columns are computed with the application's own functions: `crm.normalise.name_key`,
`crm.normalise.search_keys` (as `crm.services.client_search_keys` calls it), `crm.addresses.
street_key`, `crm.cleansing.phone_cleanse` (E.164, national number, kind) and
`crm.cleansing.email_key`.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import json
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIVEN_NAMES_TSV = ROOT / "crm" / "data" / "given_names.tsv"
STREETS_XII_CSV = ROOT / "crm" / "data" / "streets_budapest_xii.csv"

# Ids of child rows are derived from the client id, so worker processes never meet:
# row id = client id * SLOTS + k.
SLOTS = 4
TIMELINE_SLOTS = 8

TODAY = datetime.date.today()
FIRST_CREATED = datetime.datetime(2014, 1, 1, tzinfo=datetime.UTC)

ROLE_SHARES = (("original", 0.93), ("duplicate", 0.02), ("household", 0.046), ("junior", 0.004))

# The 100 most common family names (Faker's hu_HU table, real relative frequencies) carry about
# 38 % of the population; the rest is a long tail.
TOP_FAMILY_SHARE = 0.38
TAIL_FAMILY = """
Ács Ambrus Angyal Antal Árvai Bacsó Bakó Bakos Balla Bánki Bárány Barna Baranyi Bartos Bencze Benkő
Berki Bérczi Bodnár Bodó Bognár Bokor Bozsó Bujdosó Buzás Cseh Csizmadia Csonka Csorba Czakó Dankó
Dénes Dobos Dombi Dorogi Dudás Erdei Erdős Fábián Faragó Fazekas Fehér Fekete Fenyvesi Fodor Forgács
Fülöp Gál Gergely Gombos Gulyás Győri Hajdu Halmi Hegedüs Hegyi Herczeg Hollósi Horvát Illés Jakab
Jancsó Jenei Jónás Kántor Katona Kelemen Kemény Kerekes Király Kis Kocsis Kolozsvári Komáromi Kondor
Kótai Kozma Kulcsár Kun Lengyel Lovas Lőrincz Madár Major Makai Márkus Márton Mátyás Medve Mezei
Miklós Mohácsi Nádasdi Nemes Novák Orbán Orosz Ördög Pálfi Pásztor Pataki Pethő Pintér Pongrácz Puskás
Rácz Radics Rédei Rostás Rózsa Rigó Sánta Sárközi Sebestyén Sipos Somogyi Soós Surányi Szalai Szarka
Szekeres Szénási Szerencsés Szilágyi Szőke Szűcs Takács Tamás Tímár Tordai Tóthné Turi Ujvári Vadász
Vámos Varró Vass Vég Veres Vida Vígh Vincze Virág Vörös Zentai Zsigmond Ábrahám Albert Árva Bagi
Bakonyi Balassa Bánhegyi Batta Bede Békési Benedek Bíró Boda Bogáti Borsos Bottyán Czene Csapó Csernus
Csiszár Darabos Deli Deme Domokos Dózsa Endrődi Eszes Faludi Farkasházi Fazakas Ferenczi Fónagy Gaál
Garai Gazdag Gyenes Gyöngyösi Halasi Hámori Haraszti Hódi Holló Huszár Jávor Jozsa Kalmár Kanizsai
Kardos Karsai Kecskés Kertész Kiss-Tóth Kollár Koltai Korsós Kósa Kovács-Nagy Kozák Kristóf Kútvölgyi
Laczkó Lakos Lantos Lendvai Lukácsi Magyari Majoros Marosi Mészöly Mihályi Molnár-Szabó Mosonyi Nádor
Nagy-Tóth Nyitrai Oláh-Kovács Osváth Pálinkás Papp-Szabó Pap Paulik Pelle Perényi Péterfi Piros Polgár
Pusztai Ráduly Réti Révész Ruzsa Sallai Sárosi Sass Schmidt Schneider Somlai Stefán Szabados Szántó
Szegedi Székely Szép Szirmai Szvoboda Tarján Temesi Téglás Tihanyi Tolnai Tompa Tóvári Ungvári Urbán
Vajda Vámosi Várkonyi Vaszary Végh Verebélyi Viczián Wágner Weisz Zala Zalai Zsoldos Zsombok Bajai
Budavári Csongrádi Debreceni Egri Gyulai Kecskeméti Kőszegi Pápai Pécsi Soproni Szentesi Tatai Vasvári
""".split()
#: Given names of the young: the top list is the whole population's.
MODERN_MALE = (
    "Bence Máté Levente Dominik Olivér Marcell Noel Ádám Milán Zalán Botond Áron Dániel Benedek Bálint".split()
)
MODERN_FEMALE = "Hanna Anna Zoé Lili Léna Luca Emma Boglárka Zsófia Jázmin Nóra Flóra Laura Lilla Dorina".split()

TITLES = (("dr.", 0.035), ("ifj.", 0.004), ("özv.", 0.003), ("prof. dr.", 0.001))

EMAIL_DOMAINS = (
    ("gmail.com", 40),
    ("freemail.hu", 22),
    ("citromail.hu", 7),
    ("hotmail.com", 5),
    ("yahoo.com", 3),
    ("outlook.com", 3),
    ("outlook.hu", 2),
    ("t-online.hu", 3),
    ("indamail.hu", 3),
    ("vipmail.hu", 1),
    ("upcmail.hu", 2),
    ("icloud.com", 2),
    ("chello.hu", 1),
    ("invitel.hu", 1),
    ("hegyvidek.hu", 1),
    ("telekom.hu", 1),
    ("mol.hu", 1),
    ("otpbank.hu", 1),
    ("semmelweis.hu", 1),
)
NICKNAMES = "tigris napsugar csillag macska cica maci bubu mokus vadmacska szellő barack hopihe keksz panda".split()

OTHER_STREETS = (
    ("Váci", "út"), ("Üllői", "út"), ("Bartók Béla", "út"), ("Andrássy", "út"), ("Rákóczi", "út"),
    ("Thököly", "út"), ("Kossuth Lajos", "utca"), ("Petőfi Sándor", "utca"), ("Béke", "utca"),
    ("Fő", "utca"), ("Dózsa György", "út"), ("Bécsi", "út"), ("Fehérvári", "út"), ("Soroksári", "út"),
    ("Szent István", "körút"), ("Teréz", "körút"), ("Baross", "utca"), ("Kerepesi", "út"), ("Hungária", "körút"),
    ("Lehel", "utca"), ("Pannónia", "utca"), ("Visegrádi", "utca"), ("Nagyvárad", "tér"), ("Ferenc", "körút"),
    ("Bocskai", "út"), ("Etele", "út"), ("Budafoki", "út"), ("Margit", "körút"), ("Csalogány", "utca"),
    ("Attila", "út"), ("Krisztina", "körút"), ("Pasaréti", "út"), ("Szilágyi Erzsébet", "fasor"),
    ("Arany János", "utca"), ("Ady Endre", "utca"), ("József Attila", "utca"), ("Jókai Mór", "utca"),
    ("Szabadság", "tér"), ("Széchenyi", "utca"), ("Damjanich", "utca"), ("Wesselényi", "utca"),
)  # fmt: skip
TOWNS = (
    ("2040", "Budaörs", 6), ("2030", "Érd", 5), ("2092", "Budakeszi", 5), ("2083", "Solymár", 3),
    ("2094", "Nagykovácsi", 3), ("2045", "Törökbálint", 3), ("2000", "Szentendre", 3), ("2071", "Páty", 2),
    ("2051", "Biatorbágy", 2), ("2100", "Gödöllő", 2), ("2120", "Dunakeszi", 2), ("2600", "Vác", 2),
    ("2085", "Pilisvörösvár", 2), ("2081", "Piliscsaba", 1), ("2060", "Bicske", 1), ("4024", "Debrecen", 2),
    ("6720", "Szeged", 2), ("7621", "Pécs", 2), ("9021", "Győr", 2), ("3525", "Miskolc", 2),
    ("6000", "Kecskemét", 1), ("8000", "Székesfehérvár", 2), ("8200", "Veszprém", 1), ("9400", "Sopron", 1),
    ("2800", "Tatabánya", 1), ("5000", "Szolnok", 1), ("8900", "Zalaegerszeg", 1), ("3300", "Eger", 1),
    ("7400", "Kaposvár", 1), ("4400", "Nyíregyháza", 1), ("8230", "Balatonfüred", 1), ("2500", "Esztergom", 1),
)  # fmt: skip
# The district's own residents, the rest of Budapest, the agglomeration and the country. (1,000,000
# clients are many times the district's population: at 60 % in District XII, whose bundled street
# list has 100 public places, a house number would hold hundreds of clients.)
ADDRESS_PLACES = (("xii", 0.40), ("budapest", 0.35), ("town", 0.25))

SOURCES = (("staff", 35), ("import", 25), ("newsletter", 18), ("contact_centre", 14), ("account", 8))
CONSENT_SOURCES = ("hírlevél-feliratkozás", "ügyfélszolgálat", "telefonos megkeresés", "lakossági fiók", "nyomtatvány")

TAGS = (
    ("Nyugdíjas", 10), ("Önkéntes", 3), ("Sportoló", 3), ("Kutyatulajdonos", 6), ("Civil szervezet", 1),
    ("Kismama", 2), ("Vállalkozó", 3), ("Rendezvény-látogató", 5), ("Idősgondozás", 2), ("Diák", 3),
    ("Mozgáskorlátozott", 1), ("Kerékpáros", 2),
)  # fmt: skip
GROUPS = (
    ("Idősek klubja", 4), ("Hegyvidéki Szenior Akadémia", 3), ("Kertbarát kör", 2), ("Ifjúsági tanács", 1),
    ("Lakossági fórum résztvevői", 3), ("Véradók", 2), ("Sportegyesületi tagok", 2), ("Polgárőrök", 1),
)  # fmt: skip
SERVICE_TYPES = (
    ("parking_permit", "Várakozási hozzájárulás", 0.45),
    ("parking_permit_additional", "Várakozási hozzájárulás második gépjárműre", 0.10),
    ("tree_felling", "Fakivágási engedély", 0.15),
    ("public_space_use", "Közterület-használati engedély", 0.15),
    ("social_aid", "Települési támogatás", 0.15),
)
TIMELINE_KINDS = (
    ("case.submitted", 32),
    ("payment.captured", 22),
    ("newsletter.opened", 18),
    ("newsletter.clicked", 6),
    ("contact.inquiry", 16),
    ("identification.verified", 6),
)

# Keys next to each other on a Hungarian (QWERTZ) keyboard: typos.
_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "r": "et",
    "s": "ad",
    "t": "rz",
    "u": "zi",
    "v": "cb",
    "z": "tu",
    "á": "a",
    "é": "e",
    "í": "i",
    "ó": "oö",
    "ö": "oő",
    "ő": "ö",
    "ú": "uü",
    "ü": "uű",
    "ű": "ü",
}


def strip_accents(text: str) -> str:
    """What a clerk without Hungarian keys types: accents gone, capitals kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _weighted(items) -> tuple[list, list[float]]:
    values = [item[0] for item in items]
    weights = [float(item[-1]) for item in items]
    total = sum(weights)
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    return values, cumulative


def _pick(rng: random.Random, table: tuple[list, list[float]]):
    values, cumulative = table
    return values[bisect.bisect_left(cumulative, rng.random())]


@dataclass
class Reference:
    """The lists a generator draws from; the tag and group ids of the benchmark database."""

    family: tuple[list, list[float]]
    male: tuple[list, list[float]]
    female: tuple[list, list[float]]
    xii_streets: list[tuple[str, str, str]]  # postcode, name, type
    tag_ids: tuple[list, list[float]]
    group_ids: tuple[list, list[float]]

    @classmethod
    def load(cls, *, tag_ids: list[int], group_ids: list[int]) -> Reference:
        from faker.providers.person.hu_HU import Provider

        family = [(name, weight * TOP_FAMILY_SHARE) for name, weight in Provider.last_names.items()]
        top = {name for name, _ in family}
        tail = [name for name in dict.fromkeys(TAIL_FAMILY) if name not in top]
        # a Zipf-like tail: the k-th rarest name carries 1/(k+10) of the rest
        tail_weights = [1 / (rank + 10) for rank in range(len(tail))]
        scale = (1 - TOP_FAMILY_SHARE) / sum(tail_weights)
        family += [(name, weight * scale) for name, weight in zip(tail, tail_weights, strict=True)]

        bundled: dict[str, list[str]] = {"male": [], "female": []}
        for line in GIVEN_NAMES_TSV.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            name, gender = line.split("\t")[:2]
            if gender in bundled:
                bundled[gender].append(name)
        male = list(Provider.first_names_male.items())
        female = list(Provider.first_names_female.items())
        # 8 % of people have a name outside the top hundred: the bundled list's other names
        for top_names, rest in ((male, bundled["male"]), (female, bundled["female"])):
            known = {name for name, _ in top_names}
            others = [name for name in rest if name not in known]
            total = sum(weight for _, weight in top_names)
            top_names[:] = [(name, weight / total * 0.92) for name, weight in top_names]
            top_names += [(name, 0.08 / len(others)) for name in others]

        with STREETS_XII_CSV.open(encoding="utf-8", newline="") as handle:
            streets = [(row["postcode"], row["name"], row["type"]) for row in csv.DictReader(handle)]
        tag_weights = [weight for _, weight in TAGS]
        group_weights = [weight for _, weight in GROUPS]
        return cls(
            family=_weighted(family),
            male=_weighted(male),
            female=_weighted(female),
            xii_streets=streets,
            tag_ids=_weighted(list(zip(tag_ids, tag_weights, strict=True))),
            group_ids=_weighted(list(zip(group_ids, group_weights, strict=True))),
        )


@dataclass
class Address:
    kind: str
    postcode: str
    settlement: str
    district: int | None
    street_name: str
    street_type: str
    house_number: str
    extra: str


@dataclass
class Person:
    id: int
    prefix: str = ""
    family: str = ""
    given: list[str] = field(default_factory=list)
    gender: str = ""
    gender_source: str = "inferred"
    birth_date: datetime.date | None = None
    card: str | None = None
    source: str = "staff"
    created_at: datetime.datetime = FIRST_CREATED
    emails: list[tuple[str, str, int]] = field(default_factory=list)  # address, kind, shared-with client id
    phones: list[tuple[str, str]] = field(default_factory=list)  # as typed, kind
    addresses: list[Address] = field(default_factory=list)
    consents: list[tuple[str, bool, str, datetime.datetime]] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    groups: list[tuple[int, datetime.date | None, datetime.date | None]] = field(default_factory=list)
    timeline: list[tuple[str, datetime.datetime, str, dict]] = field(default_factory=list)


def _mix(value: int) -> int:
    """splitmix64: a well-spread hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


class Generator:
    def __init__(self, *, seed: int, total: int, reference: Reference) -> None:
        self.seed = seed
        self.total = total
        self.ref = reference
        self._roles = _weighted(ROLE_SHARES)

    # --- roles --------------------------------------------------------------------------------
    def role(self, client_id: int) -> str:
        if client_id <= 200:
            return "original"
        share = _mix(self.seed * 1_000_003 + client_id) / 2**64
        values, cumulative = self._roles
        for value, edge in zip(values, cumulative, strict=True):
            if share < edge:
                return value
        return values[-1]

    def rng(self, client_id: int, salt: int = 0) -> random.Random:
        return random.Random(_mix(self.seed << 40 ^ client_id << 4 ^ salt))

    def earlier_original(self, rng: random.Random, client_id: int) -> int:
        while True:
            other = rng.randrange(1, client_id)
            if self.role(other) == "original":
                return other

    # --- one client ---------------------------------------------------------------------------
    def person(self, client_id: int) -> tuple[Person, tuple[int, str] | None]:
        """The client and, for a planted duplicate, (original id, what was changed)."""
        role = self.role(client_id)
        rng = self.rng(client_id)
        if role == "original":
            return self.original(client_id, rng), None
        original_id = self.earlier_original(rng, client_id)
        original = self.original(original_id, self.rng(original_id))
        if role == "duplicate":
            person, changes = self.duplicate(client_id, original, rng)
            return person, (original_id, changes)
        if role == "household":
            return self.household(client_id, original, rng), None
        return self.junior(client_id, original, rng), None

    def created(self, client_id: int, rng: random.Random) -> datetime.datetime:
        span = (datetime.datetime.now(datetime.UTC) - FIRST_CREATED).total_seconds()
        share = min(1.0, max(0.0, client_id / self.total + rng.uniform(-0.002, 0.002)))
        return FIRST_CREATED + datetime.timedelta(seconds=span * share)

    def original(self, client_id: int, rng: random.Random) -> Person:
        ref = self.ref
        person = Person(id=client_id, created_at=self.created(client_id, rng))
        person.source = _pick(rng, _SOURCES)
        gender = "female" if rng.random() < 0.53 else "male"
        year = _birth_year(rng)
        person.birth_date = (
            None
            if rng.random() < (0.25 if person.source == "newsletter" else 0.05)
            else datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        )
        person.family = _pick(rng, ref.family)
        if rng.random() < 0.025:  # a double family name
            other = _pick(rng, ref.family)
            if other != person.family and "-" not in other + person.family:
                person.family = f"{person.family}-{other}"
        modern = MODERN_MALE if gender == "male" else MODERN_FEMALE
        table = ref.male if gender == "male" else ref.female

        def given() -> str:
            return rng.choice(modern) if year >= 1995 and rng.random() < 0.5 else _pick(rng, table)

        person.given = [given()]
        if rng.random() < 0.18:
            second = given()
            if second != person.given[0]:
                person.given.append(second)
        if gender == "female" and year < 1960 and rng.random() < 0.25:
            # a married woman named after her husband: "Kovács Jánosné"
            person.given = [_pick(rng, ref.male) + "né"]
        roll = rng.random()
        for title, share in TITLES:
            if roll < share:
                if title == "ifj." and gender == "female" or title == "özv." and gender == "male":
                    break
                person.prefix = title
                break
            roll -= share
        roll = rng.random()
        person.gender, person.gender_source = (
            (gender, "inferred") if roll < 0.85 else (gender, "stated") if roll < 0.97 else ("", "")
        )
        if rng.random() < 0.30:
            person.card = card_number(client_id)

        person.addresses = [self.address(rng, "permanent")] if rng.random() < 0.93 else []
        if person.addresses and rng.random() < 0.08:
            person.addresses.append(self.address(rng, rng.choice(["mailing", "temporary"])))

        roll = rng.random()
        count = 0 if roll < 0.14 else 1 if roll < 0.82 else 2
        if person.source == "newsletter":
            count = max(count, 1)
        for n in range(count):
            address = email_address(rng, person.family, person.given, year, work=n == 1 and rng.random() < 0.4)
            if all(address.lower() != e[0].lower() for e in person.emails):
                person.emails.append((address, "work" if n == 1 else "private", 0))

        roll = rng.random()
        count = 0 if roll < 0.22 else 1 if roll < 0.80 else 2
        for n in range(count):
            landline = n == 1 or rng.random() < 0.08
            national = phone_national(client_id, n, landline=landline)
            person.phones.append((phone_typed(rng, national), "landline" if landline else "mobile"))

        self.extras(person, rng)
        return person

    def extras(self, person: Person, rng: random.Random) -> None:
        """Consents, tags, groups and timeline events: what complex searches look for."""
        created = person.created_at
        if rng.random() < 0.40:
            person.consents.append(
                ("newsletter", rng.random() < 0.8, rng.choice(CONSENT_SOURCES), _after(rng, created))
            )
        if rng.random() < 0.20:
            person.consents.append(("sms", rng.random() < 0.7, rng.choice(CONSENT_SOURCES), _after(rng, created)))
        if rng.random() < 0.25:
            person.tags = list(dict.fromkeys(_pick(rng, self.ref.tag_ids) for _ in range(rng.choice((1, 1, 1, 2, 3)))))
        if rng.random() < 0.12:
            for group_id in dict.fromkeys(_pick(rng, self.ref.group_ids) for _ in range(rng.choice((1, 1, 2)))):
                start = TODAY - datetime.timedelta(days=rng.randrange(30, 2000)) if rng.random() < 0.7 else None
                until = None
                if rng.random() < 0.25:
                    until = (start or TODAY - datetime.timedelta(days=2000)) + datetime.timedelta(
                        days=rng.randrange(60, 2500)
                    )
                person.groups.append((group_id, start, until))
        if rng.random() < 0.42:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 6))):
                kind = _pick(rng, _TIMELINE)
                at = _after(rng, max(created, datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3 * 365)))
                if kind in ("case.submitted", "payment.captured"):
                    code, name = _service(rng)
                    data = {"service_type": code}
                    if kind == "payment.captured":
                        data["amount"] = rng.choice((2000, 3000, 5000, 10000, 12500, 25000))
                    title = f"{name} · {data.get('amount', '')}".rstrip(" ·")
                else:
                    title, data = _TIMELINE_TITLES[kind], {}
                person.timeline.append((kind, at, title, data))

    def address(self, rng: random.Random, kind: str) -> Address:
        place = _pick(rng, _PLACES)
        extra = f"{rng.randrange(1, 8)}. em. {rng.randrange(1, 12)}." if rng.random() < 0.45 else ""
        if place == "xii":
            postcode, name, street_type = rng.choice(self.ref.xii_streets)
            number = _house_number(rng, name)
            return Address(kind, postcode, "Budapest", 12, name, street_type, number, extra)
        name, street_type = rng.choice(OTHER_STREETS)
        number = _house_number(rng, name)
        if place == "budapest":
            district = rng.choice([d for d in range(1, 24) if d != 12])
            postcode = f"1{district:02d}{rng.randrange(10)}"
            return Address(kind, postcode, "Budapest", district, name, street_type, number, extra)
        postcode, settlement = _pick(rng, _TOWNS)
        return Address(kind, postcode, settlement, None, name, street_type, number, extra)

    # --- the others: copies and relatives of an original ---------------------------------------
    def duplicate(self, client_id: int, original: Person, rng: random.Random) -> tuple[Person, str]:
        person = Person(
            id=client_id,
            prefix=original.prefix if rng.random() < 0.7 else "",
            family=original.family,
            given=list(original.given),
            gender=original.gender,
            gender_source=original.gender_source,
            birth_date=original.birth_date,
            source=_pick(rng, _SOURCES),
            created_at=self.created(client_id, rng),
        )
        changes = []
        roll = rng.random()
        if roll < 0.22:
            person.family, person.given = strip_accents(person.family), [strip_accents(g) for g in person.given]
            if (person.family, person.given) != (original.family, original.given):  # a name without accents stays
                changes.append("accents")
        elif roll < 0.44:
            if rng.random() < 0.6 or not person.given:
                person.family = typo(rng, person.family)
            else:
                person.given[0] = typo(rng, person.given[0])
            changes.append("typo")
        elif roll < 0.60:
            if len(person.given) == 2:
                if rng.random() < 0.5:
                    person.given.reverse()
                    changes.append("given-order")
                else:
                    person.given.pop()
                    changes.append("given-missing")
            elif person.given and not person.given[0].endswith("né"):
                person.given.append(_pick(rng, self.ref.male if person.gender == "male" else self.ref.female))
                changes.append("given-added")
        elif roll < 0.66 and person.given:
            # family and given names the other way round, as on a foreign form
            person.family, person.given = person.given[0], [original.family, *person.given[1:]]
            changes.append("name-swapped")
        elif roll < 0.70:
            person.family, person.given = (
                strip_accents(typo(rng, person.family)),
                [strip_accents(g) for g in person.given],
            )
            changes.append("typo+accents")
        if rng.random() < 0.3:
            person.gender, person.gender_source = ("", "") if rng.random() < 0.2 else (person.gender, "inferred")

        roll = rng.random()
        if original.birth_date is not None:
            if roll < 0.10:
                person.birth_date = None
                changes.append("birth-date-missing")
            elif roll < 0.13:
                person.birth_date = date_typo(rng, original.birth_date)
                changes.append("birth-date-typo")

        if original.emails:
            roll = rng.random()
            address, kind, _shared = original.emails[0]
            if roll < 0.55:
                person.emails.append((address, kind, original.id))
            elif roll < 0.70:
                person.emails.append((email_variant(rng, address), kind, original.id))
                changes.append("email-format")
            elif roll < 0.85:
                year = original.birth_date.year if original.birth_date else 1970
                person.emails.append((email_address(rng, original.family, original.given, year), "private", 0))
                changes.append("email-other")
            else:
                changes.append("email-missing")
        elif rng.random() < 0.4:
            person.emails.append((email_address(rng, original.family, original.given, 1970), "private", 0))
        if original.phones:
            roll = rng.random()
            typed, kind = original.phones[0]
            if roll < 0.65:
                person.phones.append((phone_typed(rng, phone_cleanse_national(typed)), kind))
                changes.append("phone-format")
            elif roll < 0.80:
                person.phones.append((phone_typed(rng, phone_national(client_id, 0, landline=False)), "mobile"))
                changes.append("phone-other")
            else:
                changes.append("phone-missing")
        if original.addresses:
            roll = rng.random()
            if roll < 0.65:
                person.addresses.append(original.addresses[0])
            elif roll < 0.85:
                person.addresses.append(self.address(rng, "permanent"))
                changes.append("moved")
            else:
                changes.append("address-missing")
        if rng.random() < 0.05:
            person.card = card_number(client_id)
        person.consents = [c for c in original.consents if rng.random() < 0.5]
        return person, ",".join(changes) or "same"

    def household(self, client_id: int, original: Person, rng: random.Random) -> Person:
        """Someone living with the original: a spouse, a child, a parent."""
        person = Person(id=client_id, source=_pick(rng, _SOURCES), created_at=self.created(client_id, rng))
        base_year = original.birth_date.year if original.birth_date else 1965
        roll = rng.random()
        if roll < 0.45:  # spouse
            gender = "female" if original.gender == "male" else "male"
            year = min(2008, max(1930, base_year + rng.randint(-6, 6)))
            person.family = (
                original.family if gender == "female" and rng.random() < 0.5 else _pick(rng, self.ref.family)
            )
            if gender == "male":
                person.family = original.family if rng.random() < 0.6 else person.family
        else:  # child or parent
            gender = "female" if rng.random() < 0.5 else "male"
            offset = rng.randint(22, 38)
            year = base_year + offset if roll < 0.8 else base_year - offset
            year = min(2008, max(1930, year))
            person.family = original.family
        table = self.ref.male if gender == "male" else self.ref.female
        modern = MODERN_MALE if gender == "male" else MODERN_FEMALE
        first = rng.choice(modern) if year >= 1995 and rng.random() < 0.5 else _pick(rng, table)
        while original.given and first == original.given[0]:
            first = _pick(rng, table)
        person.given = [first]
        person.gender, person.gender_source = gender, "inferred"
        person.birth_date = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if rng.random() < 0.06:
            person.birth_date = None
        if original.addresses:
            person.addresses.append(original.addresses[0])
        self._shared_channels(person, original, rng, email_share=0.10, landline_share=0.35)
        self.extras(person, rng)
        return person

    def junior(self, client_id: int, original: Person, rng: random.Random) -> Person:
        """ "ifj. Kovács János": the son of Kovács János, at the same address."""
        person = Person(
            id=client_id,
            prefix="ifj.",
            family=original.family,
            source=_pick(rng, _SOURCES),
            created_at=self.created(client_id, rng),
        )
        if original.gender == "male" and original.given and not original.given[0].endswith("né"):
            person.given = list(original.given)
        else:
            person.given = [_pick(rng, self.ref.male)]
        person.gender, person.gender_source = "male", "inferred"
        base_year = original.birth_date.year if original.birth_date else 1960
        year = min(2008, base_year + rng.randint(20, 38))
        person.birth_date = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if original.addresses:
            person.addresses.append(original.addresses[0])
        self._shared_channels(person, original, rng, email_share=0.05, landline_share=0.5)
        self.extras(person, rng)
        return person

    def _shared_channels(
        self, person: Person, original: Person, rng: random.Random, *, email_share: float, landline_share: float
    ) -> None:
        if original.emails and rng.random() < email_share:
            address, kind, _shared = original.emails[0]
            person.emails.append((address, kind, original.id))
        elif rng.random() < 0.8:
            year = person.birth_date.year if person.birth_date else 1970
            person.emails.append((email_address(rng, person.family, person.given, year), "private", 0))
        landlines = [typed for typed, kind in original.phones if kind == "landline"]
        if landlines and rng.random() < landline_share:
            person.phones.append((phone_typed(rng, phone_cleanse_national(landlines[0])), "landline"))
        if rng.random() < 0.75:
            person.phones.append((phone_typed(rng, phone_national(person.id, 0, landline=False)), "mobile"))


# --- pieces ---------------------------------------------------------------------------------------
_SOURCES = _weighted(SOURCES)
_TIMELINE = _weighted(TIMELINE_KINDS)
_PLACES = _weighted(ADDRESS_PLACES)
_TOWNS = _weighted([((postcode, name), weight) for postcode, name, weight in TOWNS])
_DOMAINS = _weighted(EMAIL_DOMAINS)
_TIMELINE_TITLES = {
    "newsletter.opened": "Hegyvidéki hírlevél megnyitva",
    "newsletter.clicked": "Hírlevél-link megnyitva",
    "contact.inquiry": "Telefonos megkeresés az ügyfélszolgálaton",
    "identification.verified": "Személyes azonosítás az ügyfélszolgálaton",
}


def _service(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    for code, name, share in SERVICE_TYPES:
        if roll < share:
            return code, name
        roll -= share
    return SERVICE_TYPES[0][0], SERVICE_TYPES[0][1]


def _birth_year(rng: random.Random) -> int:
    # adults of all ages, fewer of the oldest and the youngest
    return min(2008, max(1930, round(rng.triangular(1930, 2008, 1972))))


def _after(rng: random.Random, start: datetime.datetime) -> datetime.datetime:
    end = datetime.datetime.now(datetime.UTC)
    if start >= end:
        return end
    return start + datetime.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def _house_number(rng: random.Random, street: str) -> str:
    """A number on the street (every street has its own length), now and then with a letter."""
    length = 12 + _mix(hash_text(street)) % 140
    number = str(min(rng.randint(1, length), rng.randint(1, length)))  # the low end is denser
    roll = rng.random()
    if roll < 0.08:
        return f"{number}/{rng.choice('ABCD')}"
    if roll < 0.10:
        return f"{number}/{rng.choice('ab')}"
    return number


def hash_text(text: str) -> int:
    """A stable hash of a text (Python's `hash` of a str differs between processes)."""
    value = 0
    for ch in text:
        value = (value * 131 + ord(ch)) & 0xFFFFFFFF
    return value


def card_number(client_id: int) -> str:
    """A Hegyvidék Kártya number: "HK" and eight digits, unique per client id (a bijection)."""
    return f"HK{(client_id * 7919 + 12_345_678) % 100_000_000:08d}"


_MOBILE_PREFIXES = ("30", "20", "70", "30", "20", "31", "50")


def phone_national(client_id: int, slot: int, *, landline: bool) -> str:
    """A national number unique to (client, slot): a permutation of the number space, so no two
    clients share a number by chance."""
    index = client_id * 3 + slot
    if landline:  # Budapest: 1 and seven digits, the first 2–9
        value = (index * 7_654_321 + 1_234_567) % 8_000_000
        return f"1{value + 2_000_000:07d}"
    value = (index * 48_271_811 + 9_876_543) % 70_000_000
    prefix, rest = divmod(value, 10_000_000)
    return f"{_MOBILE_PREFIXES[prefix]}{rest:07d}"


def phone_cleanse_national(typed: str) -> str:
    from crm.cleansing import phone_cleanse

    return phone_cleanse(typed).national


def phone_typed(rng: random.Random, national: str) -> str:
    """The national number as people write it."""
    area, rest = (national[:1], national[1:]) if national.startswith("1") else (national[:2], national[2:])
    a, b = rest[:3], rest[3:]
    formats = (
        f"+36{national}",
        f"06{national}",
        f"06 {area} {a} {b}",
        f"+36 {area} {a} {b}",
        f"06-{area}/{a}-{b}",
        f"{area}/{a}-{b}",
        f"+36-{area}-{a}-{b}",
        f"0036{national}",
        f"({area}) {a} {b}",
        f"06/{area}/{a}{b}",
    )
    return formats[_pick(rng, _PHONE_FORMATS)]


_PHONE_FORMATS = _weighted(list(enumerate((30, 15, 15, 12, 8, 6, 5, 4, 3, 2))))


def _ascii_word(text: str) -> str:
    from crm.normalise import fold

    return "".join(ch for ch in fold(text) if ch.isalnum())


def email_address(rng: random.Random, family: str, given: list[str], year: int, *, work: bool = False) -> str:
    fam = _ascii_word(family.split("-")[0]) or "x"
    giv = _ascii_word(given[0].removesuffix("né")) if given else "x"
    yy, n = f"{year % 100:02d}", str(rng.randrange(1, 100))
    if work:
        domain = rng.choice(("hegyvidek.hu", "telekom.hu", "mol.hu", "otpbank.hu", "semmelweis.hu", "bkv.hu"))
        return f"{fam}.{giv}@{domain}"
    locals_ = (
        f"{fam}.{giv}",
        f"{giv}.{fam}",
        f"{fam}{giv}",
        f"{fam}.{giv}{yy}",
        f"{giv}{fam}{year}",
        f"{giv[0]}{fam}",
        f"{fam}{giv[0]}",
        f"{fam}.{giv}{n}",
        f"{giv}{n}",
        f"{fam}_{giv}",
        f"{rng.choice(NICKNAMES)}{n}",
        f"{giv}.{fam}.{yy}",
    )
    local = locals_[_pick(rng, _LOCAL_FORMATS)]
    return f"{local}@{_pick(rng, _DOMAINS)}"


_LOCAL_FORMATS = _weighted(list(enumerate((24, 14, 8, 10, 5, 5, 4, 10, 4, 3, 8, 5))))


def email_variant(rng: random.Random, address: str) -> str:
    """The same mailbox written otherwise: capitals, or gmail's ignored dots."""
    local, _, domain = address.partition("@")
    if domain == "gmail.com" and "." in local and rng.random() < 0.4:
        return f"{local.replace('.', '')}@{domain}"
    return f"{'.'.join(part.capitalize() for part in local.split('.'))}@{domain.capitalize() if rng.random() < 0.3 else domain}"


def typo(rng: random.Random, word: str) -> str:
    """One slip of the finger: a neighbouring key, a letter left out, doubled or two swapped."""
    if len(word) < 3:
        return word + word[-1:]
    for _ in range(10):
        chars = list(word)
        position = rng.randrange(1, len(chars))
        kind = rng.random()
        lower = chars[position].lower()
        if kind < 0.4 and lower in _NEIGHBOURS:
            chars[position] = rng.choice(_NEIGHBOURS[lower])
        elif kind < 0.6:
            del chars[position]
        elif kind < 0.8:
            chars.insert(position, chars[position])
        elif position < len(chars) - 1:
            chars[position], chars[position + 1] = chars[position + 1], chars[position]
        result = "".join(chars)
        if result != word and "-" not in result[:1] + result[-1:]:
            return result
    return word + "a"


def date_typo(rng: random.Random, day: datetime.date) -> datetime.date:
    if day.day <= 12 and day.day != day.month and rng.random() < 0.4:
        return day.replace(month=day.day, day=day.month)
    for _ in range(20):
        candidate = day + datetime.timedelta(days=rng.choice((-10, -1, 1, 10)))
        if candidate.year == day.year:
            return candidate
    return day


# --- rows for COPY --------------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _bool(value: bool) -> str:
    return "t" if value else "f"


@dataclass
class Chunk:
    """The COPY text of one id range per table (emails apart: the loader checks that no two
    unrelated clients share one), the planted truth, and how many clients of each role."""

    tables: dict[str, str]
    emails: list[tuple]  # (id, client_id, address, kind, is_default, shared_with, created_at)
    truth: list[tuple[int, int, str]]
    roles: dict[str, int]


CLIENT_COLUMNS = (
    "id",
    "name_prefix",
    "family_name",
    "given_names",
    "gender",
    "gender_source",
    "birth_date",
    "loyalty_card_number",
    "source",
    "state",
    "search_name",
    "search_keys",
    "created_at",
    "updated_at",
)
PHONE_COLUMNS = (
    "id",
    "client_id",
    "number",
    "national",
    "raw",
    "kind",
    "is_default",
    "validation_state",
    "validation_note",
    "verified_at",
    "created_at",
)
ADDRESS_COLUMNS = (
    "id",
    "client_id",
    "kind",
    "country",
    "postcode",
    "settlement",
    "district",
    "street_name",
    "street_type",
    "house_number",
    "extra",
    "street_key",
    "is_default",
    "validation_state",
    "validation_note",
    "verified_at",
    "created_at",
)
EMAIL_COLUMNS = (
    "id",
    "client_id",
    "address",
    "normalised",
    "kind",
    "is_default",
    "validation_state",
    "validation_note",
    "verified_at",
    "created_at",
)
CONSENT_COLUMNS = ("id", "client_id", "channel", "granted", "source", "given_at")
TAG_COLUMNS = ("id", "client_id", "tag_id", "added_at")
MEMBERSHIP_COLUMNS = ("id", "group_id", "client_id", "valid_from", "valid_until", "added_at")
TIMELINE_COLUMNS = ("id", "client_id", "at", "kind", "title", "data", "url", "key")

TABLE_COLUMNS = {
    "crm_client": CLIENT_COLUMNS,
    "crm_clientphone": PHONE_COLUMNS,
    "crm_clientaddress": ADDRESS_COLUMNS,
    "crm_clientconsent": CONSENT_COLUMNS,
    "crm_clienttag": TAG_COLUMNS,
    "crm_groupmembership": MEMBERSHIP_COLUMNS,
    "crm_timelineentry": TIMELINE_COLUMNS,
}


def chunk_rows(generator: Generator, start: int, stop: int) -> Chunk:
    """Clients `start` … `stop - 1` as COPY text, with the search columns the application writes."""
    from crm.addresses import street_key
    from crm.cleansing import phone_cleanse
    from crm.normalise import name_key, search_keys

    out: dict[str, list[str]] = {table: [] for table in TABLE_COLUMNS}
    emails: list[tuple] = []
    truth: list[tuple[int, int, str]] = []
    roles: dict[str, int] = {}
    for client_id in range(start, stop):
        person, planted = generator.person(client_id)
        role = generator.role(client_id)
        roles[role] = roles.get(role, 0) + 1
        if planted:
            truth.append((planted[0], client_id, planted[1]))
        given = " ".join(person.given)
        created = person.created_at.isoformat()
        # as `crm.services.client_search_keys`: name words and street names, house numbers and
        # postcodes whole
        texts = [person.family, given]
        numbers = []
        for address in person.addresses:
            texts.append(address.street_name)
            numbers += [address.house_number, address.postcode]
        keys = search_keys(texts, numbers=numbers)
        out["crm_client"].append(
            "\t".join(
                (
                    str(client_id),
                    person.prefix,
                    person.family,
                    given,
                    person.gender,
                    person.gender_source,
                    person.birth_date.isoformat() if person.birth_date else "\\N",
                    person.card or "\\N",
                    person.source,
                    "active",
                    name_key(person.family, given),
                    "{" + ",".join(keys) + "}",
                    created,
                    created,
                )
            )
        )
        for slot, (address, kind, shared) in enumerate(person.emails[:SLOTS]):
            emails.append((client_id * SLOTS + slot, client_id, address, kind, slot == 0, shared, created))
        seen = set()
        for slot, (typed, kind) in enumerate(person.phones[:SLOTS]):
            cleansed = phone_cleanse(typed)
            if cleansed.value in seen:
                continue
            seen.add(cleansed.value)
            out["crm_clientphone"].append(
                "\t".join(
                    (
                        str(client_id * SLOTS + slot),
                        str(client_id),
                        cleansed.value,
                        cleansed.national,
                        typed,
                        cleansed.kind or kind,
                        _bool(slot == 0),
                        cleansed.state,
                        _text(cleansed.note),
                        "\\N",
                        created,
                    )
                )
            )
        for slot, address in enumerate(person.addresses[:SLOTS]):
            out["crm_clientaddress"].append(
                "\t".join(
                    (
                        str(client_id * SLOTS + slot),
                        str(client_id),
                        address.kind,
                        "HU",
                        address.postcode,
                        address.settlement,
                        str(address.district) if address.district else "\\N",
                        address.street_name,
                        address.street_type,
                        address.house_number,
                        address.extra,
                        street_key(name=address.street_name, street_type=address.street_type),
                        _bool(slot == 0),
                        "valid",
                        "",
                        "\\N",
                        created,
                    )
                )
            )
        for slot, (channel, granted, source, given_at) in enumerate(person.consents):
            out["crm_clientconsent"].append(
                f"{client_id * SLOTS + slot}\t{client_id}\t{channel}\t{_bool(granted)}\t{source}\t{given_at.isoformat()}"
            )
        for slot, tag_id in enumerate(person.tags[:SLOTS]):
            out["crm_clienttag"].append(f"{client_id * SLOTS + slot}\t{client_id}\t{tag_id}\t{created}")
        for slot, (group_id, start_day, until) in enumerate(person.groups[:SLOTS]):
            out["crm_groupmembership"].append(
                "\t".join(
                    (
                        str(client_id * SLOTS + slot),
                        str(group_id),
                        str(client_id),
                        start_day.isoformat() if start_day else "\\N",
                        until.isoformat() if until else "\\N",
                        created,
                    )
                )
            )
        for slot, (kind, at, title, data) in enumerate(person.timeline[:TIMELINE_SLOTS]):
            row_id = client_id * TIMELINE_SLOTS + slot
            out["crm_timelineentry"].append(
                "\t".join(
                    (
                        str(row_id),
                        str(client_id),
                        at.isoformat(),
                        kind,
                        _text(title),
                        _text(json.dumps(data, ensure_ascii=False)),
                        "",
                        f"bench:{row_id}",
                    )
                )
            )
    tables = {table: "\n".join(lines) + "\n" if lines else "" for table, lines in out.items()}
    return Chunk(tables, emails, truth, roles)
