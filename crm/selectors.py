"""Reads of client records: the quick search the staff area runs as the clerk types.

What the query looks like decides where it is looked up, each on an index of its own:

    "kov jan", "böszörményi 12"    name and street words: `Client.search_keys @> {kov,jan}` (GIN)
    "kovacs.janos@gm"              email prefix: `ClientEmail.normalised LIKE 'kovacs.janos@gm%'`
    "06 30 123 4567", "+3630123"   phone: the E.164 number, or a prefix of the national number
    "HK12345678"                   Hegyvidék Kártya number (exact)
    "1123"                         a postcode: also a word key

A prefix typed in the first keystrokes can match a hundred thousand clients. The search takes
at most `CANDIDATES` of them from the index (no sort over all matches), ranks those in Python
— whole name first, then name words in order, then address-only matches — and says "more"
when the cap was hit, so the clerk keeps typing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from crm.addresses import STREET_TYPES
from crm.cleansing import loyalty_card_cleanse, phone_query
from crm.models import Client, ClientAddress, ClientEmail, ClientPhone, ClientState
from crm.normalise import fold, query_keys, words

LIMIT = 20
CANDIDATES = 400
_PHONEISH = re.compile(r"^[\d\s()+/.-]+$")


@dataclass
class QuickSearchResult:
    clients: list[Client]
    total: int  # matches found, capped at CANDIDATES
    more: bool  # the cap was hit: there are more, type more
    kind: str  # what the query was read as: name, email, phone, card, empty


def clients_quick_search(query: str, *, limit: int = LIMIT) -> QuickSearchResult:
    # control characters (a NUL from a pasted value) cannot reach PostgreSQL in a text parameter
    text = " ".join("".join(ch for ch in (query or "") if ch.isprintable()).split())
    if len(text) < 2 and not text.isdigit():
        return QuickSearchResult([], 0, False, "empty")
    if "@" in text:
        ids = _by_email(text)
        kind = "email"
    elif _PHONEISH.match(text) and sum(ch.isdigit() for ch in text) >= 5 and not _is_postcode_and_number(text):
        ids = _by_phone(text)
        kind = "phone"
        card = loyalty_card_cleanse(text)
        if card:
            ids = _unique([*_by_card(card), *ids])
    else:
        card = loyalty_card_cleanse(text)
        ids = _by_card(card) if len(card) >= 6 and any(ch.isdigit() for ch in card) else []
        kind = "card" if ids else "name"
        ids = _unique([*ids, *_by_keys(text)])
        if " " not in text and len(text) >= 3:
            # a clerk often types the beginning of an email address without its @
            ids = _unique([*ids, *_by_email(text)])
    more = len(ids) >= CANDIDATES
    top = ids[:limit]
    clients = {c.pk: c for c in _with_contacts(Client.objects.filter(pk__in=top))}
    return QuickSearchResult([clients[pk] for pk in top if pk in clients], len(ids), more, kind)


def _is_postcode_and_number(text: str) -> bool:
    parts = text.split()
    return len(parts) >= 2 and len(parts[0]) == 4


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _active():
    return Client.objects.filter(state=ClientState.ACTIVE)


def _by_keys(text: str) -> list[int]:
    typed = words(text)
    # "böszörményi út 12": the street type is not stored with the street name; a type word
    # after the first is dropped ("ut" first may be the start of a name)
    kept = typed[:1] + [w for w in typed[1:] if w not in STREET_TYPES]
    keys = query_keys(" ".join(kept))
    if not keys:
        return []
    rows = list(_active().filter(search_keys__contains=keys).values_list("pk", "search_name")[:CANDIDATES])
    return [pk for pk, _name in sorted(rows, key=lambda row: _rank(row[1], typed))]


def _rank(search_name: str, typed: list[str]) -> tuple:
    """Lower is better: every typed word a prefix of a name word, in the typed order, whole words."""
    name_words = search_name.split()
    in_name = sum(1 for t in typed if any(w.startswith(t) for w in name_words))
    in_order = len(typed) <= len(name_words) and all(w.startswith(t) for w, t in zip(name_words, typed, strict=False))
    whole = sum(1 for t in typed if t in name_words)
    return (-in_name, not in_order, -whole, search_name)


def _by_email(text: str) -> list[int]:
    prefix = text.strip().lower()
    return _first_in_order(
        ClientEmail.objects.filter(normalised__startswith=prefix, client__state=ClientState.ACTIVE),
        "normalised",
    )


def _by_phone(text: str) -> list[int]:
    e164, national = phone_query(text)
    query = Q(number=e164) if e164 else Q(pk__in=[])
    if len(national) >= 3:
        query |= Q(national__startswith=national)
    return _first_in_order(ClientPhone.objects.filter(query, client__state=ClientState.ACTIVE), "national")


def _first_in_order(rows, column: str) -> list[int]:
    """Client ids of the first `CANDIDATES` rows, in `column` order. The prefix index
    (varchar_pattern_ops) cannot give the collation's order, so an ORDER BY in SQL would read
    every match of a short prefix (thousands) before the LIMIT; without it the index scan stops
    after `CANDIDATES` rows, which come in byte order already and are sorted here."""
    found = rows.order_by().values_list(column, "client_id")[:CANDIDATES]
    return _unique([client_id for _value, client_id in sorted(found)])


def _by_card(card: str) -> list[int]:
    if not card:
        return []
    return list(_active().filter(loyalty_card_number=card).values_list("pk", flat=True))


def _with_contacts(queryset):
    return queryset.prefetch_related(
        Prefetch("emails", queryset=ClientEmail.objects.order_by("-is_default", "pk")),
        Prefetch("phones", queryset=ClientPhone.objects.order_by("-is_default", "pk")),
        Prefetch("addresses", queryset=ClientAddress.objects.order_by("-is_default", "pk")),
    )


def client_for_staff(client_id: int) -> Client:
    return _with_contacts(Client.objects.select_related("user", "merged_into")).get(pk=client_id)


def highlight_terms(query: str) -> list[str]:
    """The folded words the results page marks in names."""
    return [w for w in words(fold(query)) if w]
