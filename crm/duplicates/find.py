"""Finding likely duplicates: of a record being entered (`duplicates_for_data`, for the clerk
before saving and for imports) and over all clients (`duplicates_scan`, the batch job).

Every way to reach the threshold needs a shared card, email, phone, date of birth or address
(a name alone scores 45 at most), so candidates come from those indexed columns; the rules in
`crm.duplicates.rules` then score each candidate pair.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from crm import cleansing
from crm.duplicates.rules import (
    THRESHOLD,
    Features,
    Reason,
    compare,
    flat_key,
    generation_of,
    house_number_key,
    name_key,
)
from crm.models import Client, ClientState, DuplicatePair, DuplicateState, NameFrequency
from crm.normalise import words


@dataclass
class DuplicateCandidate:
    client: Client
    score: int
    reasons: list[Reason]


# --- features -------------------------------------------------------------------------------------
def _chunks(ids: list[int], size: int = 50_000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- how common a name is -------------------------------------------------------------------------
def name_frequencies_count() -> dict[str, int]:
    """Active clients per name key (`rules.name_key`), counted now: one grouped query."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT family_name, split_part(btrim(given_names), ' ', 1), count(*) FROM crm_client"
            " WHERE state = 'active' GROUP BY 1, 2"
        )
        for family, given, clients in cursor.fetchall():
            key = name_key(tuple(words(family))[:1], tuple(words(given))[:1])
            if key:
                counts[key] = counts.get(key, 0) + clients
    return counts


def name_frequencies_store(counts: dict[str, int]) -> None:
    """Replace the stored counts (readers see the old ones or the new ones, never none)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_namefrequency")
        cursor.execute(
            "INSERT INTO crm_namefrequency (key, clients) SELECT * FROM unnest(%s::text[], %s::int[])",
            [list(counts), list(counts.values())],
        )


def name_frequencies_of(keys: Iterable[str]) -> dict[str, int] | None:
    """The stored counts of these keys (a name not counted yet: 0), or None before the first
    scan has counted anything."""
    keys = sorted({key for key in keys if key})
    found = dict(NameFrequency.objects.filter(key__in=keys).values_list("key", "clients"))
    if not found and not NameFrequency.objects.exists():
        return None
    return {key: found.get(key, 0) for key in keys}


def _with_name_clients(features: Features, counts: dict[str, int] | None) -> Features:
    if counts is not None:
        features.name_clients = counts.get(name_key(features.family, features.given), 0)
    return features


# --- features -------------------------------------------------------------------------------------
def features_load(ids: Iterable[int], *, name_counts: dict[str, int] | None = None) -> dict[int, Features]:
    """The compared fields of the given clients, in four set-based queries per 50,000 ids, with
    how common their names are (`name_counts`, or else the stored counts)."""
    found: dict[int, dict] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(ids))):
            cursor.execute(
                "SELECT id, name_prefix, family_name, given_names, birth_date, gender,"
                " coalesce(loyalty_card_number, '') FROM crm_client WHERE id = ANY(%s)",
                [chunk],
            )
            for pk, prefix, family, given, birth_date, gender, card in cursor.fetchall():
                found[pk] = {
                    "generation": generation_of(prefix),
                    "family": tuple(words(family)),
                    "given": tuple(words(given)),
                    "birth_date": birth_date,
                    "gender": gender,
                    "card": card,
                    "emails": set(),
                    "phones": set(),
                    "addresses": set(),
                }
            cursor.execute("SELECT client_id, normalised FROM crm_clientemail WHERE client_id = ANY(%s)", [chunk])
            for pk, email in cursor.fetchall():
                found[pk]["emails"].add(email)
            cursor.execute("SELECT client_id, number FROM crm_clientphone WHERE client_id = ANY(%s)", [chunk])
            for pk, number in cursor.fetchall():
                found[pk]["phones"].add(number)
            cursor.execute(
                "SELECT client_id, postcode, street_key, house_number, extra FROM crm_clientaddress"
                " WHERE client_id = ANY(%s) AND street_key <> '' AND house_number <> ''",
                [chunk],
            )
            for pk, postcode, street, number, extra in cursor.fetchall():
                found[pk]["addresses"].add((postcode, street, house_number_key(number), flat_key(extra)))
    loaded = {
        pk: Features(
            id=pk,
            **{k: frozenset(v) if isinstance(v, set) else v for k, v in values.items()},
        )
        for pk, values in found.items()
    }
    if name_counts is None and loaded:
        name_counts = name_frequencies_of(name_key(f.family, f.given) for f in loaded.values())
    for features in loaded.values():
        _with_name_clients(features, name_counts)
    return loaded


def features_of_data(data) -> Features:
    """The compared fields of a record as entered (a `crm.services.ClientData`), cleansed the
    way `client_save` would store them."""
    from crm.addresses import AddressInput, address_check

    name = cleansing.name_cleanse(
        name_prefix=data.name_prefix, family_name=data.family_name, given_names=data.given_names
    )
    emails = set()
    for item in data.emails:
        cleansed = cleansing.email_cleanse(item.address)
        if cleansed.value:
            emails.add(cleansing.email_key(cleansed.value))
    phones = set()
    for item in data.phones:
        cleansed = cleansing.phone_cleanse(item.number)
        if cleansed.value:  # stored the same way, valid or not
            phones.add(cleansed.value)
    addresses = set()
    for item in data.addresses:
        typed = AddressInput(
            postcode=item.postcode,
            settlement=item.settlement,
            district=item.district,
            street_name=item.street_name,
            street_type=item.street_type,
            house_number=item.house_number,
            extra=item.extra,
            country=item.country or "HU",
        )
        if not (typed.street_name and typed.house_number):
            continue
        result = address_check(typed)
        if result.street_key and result.house_number:
            addresses.add(
                (result.postcode, result.street_key, house_number_key(result.house_number), flat_key(result.extra))
            )
    features = Features(
        id=None,
        generation=generation_of(name.name_prefix),
        family=tuple(words(name.family_name)),
        given=tuple(words(name.given_names)),
        birth_date=data.birth_date,
        gender=data.gender or "",
        card=cleansing.loyalty_card_cleanse(data.loyalty_card_number),
        emails=frozenset(emails),
        phones=frozenset(phones),
        addresses=frozenset(addresses),
    )
    return _with_name_clients(features, name_frequencies_of([name_key(features.family, features.given)]))


# --- one record -----------------------------------------------------------------------------------
_NEIGHBOURS = """
    SELECT client_id FROM crm_clientemail WHERE normalised = ANY(%(emails)s)
    UNION SELECT client_id FROM crm_clientphone WHERE number = ANY(%(phones)s)
    UNION SELECT id FROM crm_client WHERE loyalty_card_number = %(card)s
    UNION (SELECT id FROM crm_client WHERE birth_date = %(birth_date)s LIMIT 2000)
    UNION (
        SELECT client_id FROM crm_clientaddress
        WHERE (postcode, street_key, upper(replace(house_number, ' ', ''))) IN (
            SELECT * FROM unnest(%(postcodes)s::text[], %(streets)s::text[], %(numbers)s::text[])
        )
        LIMIT 2000
    )
"""


def _neighbour_ids(features: Features) -> set[int]:
    addresses = sorted({a[:3] for a in features.addresses})
    with connection.cursor() as cursor:
        cursor.execute(
            _NEIGHBOURS,
            {
                "emails": sorted(features.emails),
                "phones": sorted(features.phones),
                "card": features.card or None,
                "birth_date": features.birth_date,
                "postcodes": [a[0] for a in addresses],
                "streets": [a[1] for a in addresses],
                "numbers": [a[2] for a in addresses],
            },
        )
        return {row[0] for row in cursor.fetchall()}


def duplicates_for_features(
    features: Features, *, exclude_client_id: int | None = None, limit: int = 5
) -> list[DuplicateCandidate]:
    ids = _neighbour_ids(features) - {exclude_client_id}
    if not ids:
        return []
    active = set(Client.objects.filter(pk__in=ids, state=ClientState.ACTIVE).values_list("pk", flat=True))
    scored = []
    for pk, other in features_load(active).items():
        score, reasons = compare(features, other)
        if score >= THRESHOLD:
            scored.append((score, pk, reasons))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    clients = Client.objects.in_bulk([pk for _, pk, _ in scored])
    return [DuplicateCandidate(clients[pk], score, reasons) for score, pk, reasons in scored]


def duplicates_for_data(*, data, exclude_client_id: int | None = None, limit: int = 5) -> list[DuplicateCandidate]:
    """The active clients a record being entered is likely a duplicate of, best first."""
    return duplicates_for_features(features_of_data(data), exclude_client_id=exclude_client_id, limit=limit)


def duplicates_of_client(*, client: Client, limit: int = 5) -> list[DuplicateCandidate]:
    features = features_load([client.pk]).get(client.pk)
    if features is None:
        return []
    return duplicates_for_features(features, exclude_client_id=client.pk, limit=limit)


# --- all clients ----------------------------------------------------------------------------------
#: An email or phone shared by more clients than this (an office switchboard, a family
#: address used for everyone) says nothing about any two of them.
SHARED_LIMIT = 20

_CANDIDATE_PAIRS = """
WITH emails AS (
    SELECT e.client_id, e.normalised FROM crm_clientemail e JOIN crm_client c ON c.id = e.client_id
    WHERE c.state = 'active' AND e.normalised IN (
        SELECT normalised FROM crm_clientemail GROUP BY normalised HAVING count(*) BETWEEN 2 AND %(shared)s
    )
), phones AS (
    SELECT p.client_id, p.number FROM crm_clientphone p JOIN crm_client c ON c.id = p.client_id
    WHERE c.state = 'active' AND p.number IN (
        SELECT number FROM crm_clientphone GROUP BY number HAVING count(*) BETWEEN 2 AND %(shared)s
    )
), name_keys AS (
    -- every name word's first three letters: a typo or another word order still shares one
    SELECT DISTINCT c.id, c.birth_date, left(w, 3) AS k
    FROM crm_client c, unnest(string_to_array(c.search_name, ' ')) AS w
    WHERE c.state = 'active' AND c.birth_date IS NOT NULL AND w <> ''
), address_words AS (
    SELECT DISTINCT a.client_id AS id, a.postcode, a.street_key, upper(replace(a.house_number, ' ', '')) AS number,
           left(w, 3) AS k
    FROM crm_clientaddress a JOIN crm_client c ON c.id = a.client_id,
         unnest(string_to_array(c.search_name, ' ')) AS w
    WHERE c.state = 'active' AND a.street_key <> '' AND a.house_number <> '' AND w <> ''
), address_keys AS (
    -- a block of flats with dozens of one family name says nothing about any two of them
    SELECT * FROM (
        SELECT *, count(*) OVER (PARTITION BY postcode, street_key, number, k) AS n FROM address_words
    ) counted WHERE n <= %(shared)s
)
SELECT a.client_id, b.client_id FROM emails a JOIN emails b
    ON a.normalised = b.normalised AND a.client_id < b.client_id
UNION
SELECT a.client_id, b.client_id FROM phones a JOIN phones b ON a.number = b.number AND a.client_id < b.client_id
UNION
SELECT a.id, b.id FROM name_keys a JOIN name_keys b ON a.birth_date = b.birth_date AND a.k = b.k AND a.id < b.id
UNION
SELECT a.id, b.id FROM address_keys a JOIN address_keys b
    ON a.postcode = b.postcode AND a.street_key = b.street_key AND a.number = b.number AND a.k = b.k AND a.id < b.id
"""


@dataclass
class ScanSummary:
    candidates: int
    pairs: int  # at or above the threshold (open or remembered)
    new: int
    closed: int  # open pairs no longer alike enough
    seconds: float


#: pg_try_advisory_lock key: one scan at a time per database ("crm dupl")
SCAN_LOCK = 0x63726D_6475706C


def duplicates_scan() -> ScanSummary | None:
    """Score every candidate pair of active clients and store the likely duplicates. A pair a
    clerk marked "not a duplicate" keeps that answer; open pairs the rules no longer find are
    removed. Returns None when another scan is running."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK])
        if not cursor.fetchone()[0]:
            return None
    # millions of short-lived objects without reference cycles (rows, features, pairs): the
    # cyclic garbage collector would walk them all again and again, for nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan()
    finally:
        if collecting:
            gc.enable()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK])


def _scan() -> ScanSummary:
    started = time.monotonic()
    scan_started = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATE_PAIRS, {"shared": SHARED_LIMIT})
        pairs = cursor.fetchall()
    name_counts = name_frequencies_count()
    name_frequencies_store(name_counts)
    features = features_load({pk for pair in pairs for pk in pair}, name_counts=name_counts)
    found = []
    for a, b in pairs:
        fa, fb = features.get(a), features.get(b)
        if fa is None or fb is None:
            continue
        score, reasons = compare(fa, fb)
        if score >= THRESHOLD:
            found.append((a, b, min(score, 32767), [r.__dict__ for r in reasons]))
    new = pairs_store(found, now=scan_started)
    with transaction.atomic():
        closed, _ = DuplicatePair.objects.filter(state=DuplicateState.OPEN, checked_at__lt=scan_started).delete()
    return ScanSummary(len(pairs), len(found), new, closed, time.monotonic() - started)


_UPSERT = """
INSERT INTO crm_duplicatepair (client_a_id, client_b_id, score, reasons, state, found_at, checked_at)
SELECT a, b, s, r::jsonb, 'open', %(now)s, %(now)s
FROM unnest(%(a)s::bigint[], %(b)s::bigint[], %(s)s::int[], %(r)s::text[]) AS t(a, b, s, r)
ON CONFLICT (client_a_id, client_b_id) DO UPDATE
    SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, checked_at = %(now)s
RETURNING (xmax = 0)
"""


def pairs_store(found: list[tuple[int, int, int, list[dict]]], *, now=None) -> int:
    """Insert or refresh pairs (client_a < client_b); returns how many are new. A remembered
    answer (merged, not a duplicate) is kept; only the score and reasons are refreshed."""
    import json

    new = 0
    now = now or timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(found), 10_000):
            batch = found[start : start + 10_000]
            cursor.execute(
                _UPSERT,
                {
                    "a": [row[0] for row in batch],
                    "b": [row[1] for row in batch],
                    "s": [row[2] for row in batch],
                    "r": [json.dumps(row[3]) for row in batch],
                    "now": now,
                },
            )
            new += sum(1 for (inserted,) in cursor.fetchall() if inserted)
    return new


def duplicates_check_client(*, client_id: int) -> int:
    """Refresh the stored pairs of one client (after it was saved); returns how many it has."""
    client = Client.objects.filter(pk=client_id, state=ClientState.ACTIVE).first()
    if client is None:
        return 0
    found = []
    for candidate in duplicates_of_client(client=client, limit=50):
        a, b = sorted((client.pk, candidate.client.pk))
        found.append((a, b, candidate.score, [r.__dict__ for r in candidate.reasons]))
    pairs_store(found)
    return len(found)
