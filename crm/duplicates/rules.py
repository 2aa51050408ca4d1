"""The duplicate rules: how alike two client records are, as a score with the reasons.

Each rule compares normalised fields and adds (or, for evidence of two different people,
subtracts) a weight. A pair at or above `THRESHOLD` is a likely duplicate:

    loyalty card equal                 +130   (a card is one person's, whatever the name)
    an email address in common          +50
    a phone number in common            +40
    the same name (any word order)      +45
    a similar name                      +35   one typo (not another real given name: "Márk" is
                                              not a typo of "Mór"), given names in another
                                              order or one of two missing
    a different name                    -60   including "Jánosné" (Mrs János) next to "János"
    the same date of birth              +35
    a different date of birth           -50   (a one-digit typo or day/month swapped: 0)
    an address in common                +30   postcode, street, house number; the flat too
                                              when both give one
    a common name, no contact shared    -15   at least `COMMON_NAME` active clients share the
                                              family and first given name: namesakes are
                                              likely, so a name with a birth date or an
                                              address is not enough
    a rare name                          +5   at most `RARE_NAME` share it
    a different gender (both known)     -40
    junior and senior (ifj., id.)       -60
    nothing in common: both have        -15
    contacts and addresses, none shared

So the same name with the date of birth (80) is a duplicate, unless the two records have their
own contacts and addresses and share none (65: namesakes born on the same day exist at a
million clients) or the name is a common one (65); a similar name with the date of birth (70)
only if the name is not common; a similar name with an email (85) or a phone (75), the same name at the same
address (75) are duplicates; a family sharing a phone and an address (70 - 60 for the other
given name), a father and son of one name, an email alone (50) are not.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA, Indel

THRESHOLD = 70

WEIGHTS = {
    "loyalty_card": 130,
    "email": 50,
    "phone": 40,
    "name_same": 45,
    "name_similar": 35,
    "name_different": -60,
    "birth_date_same": 35,
    "birth_date_different": -50,
    "address": 30,
    "gender_different": -40,
    "generation_different": -60,
    "contacts_different": -15,
    "name_common": -15,
    "name_rare": 5,
}

#: How many active clients must share a name (family and first given name) for it to be common,
#: and how few for it to be rare. Namesakes born on one day: among n holders of a name about
#: n² / 60,000 pairs (30,000 days of birth), so hardly any below 40 holders, and one in every
#: few names of 150 or more (the frequency-based weighting of Fellegi and Sunter's record
#: linkage, in two steps).
COMMON_NAME = 150
RARE_NAME = 40

LABELS = {
    "loyalty_card": _("Same Hegyvidék Kártya number"),
    "email": _("Email address in common"),
    "phone": _("Phone number in common"),
    "name_same": _("Same name"),
    "name_similar": _("Similar name"),
    "name_different": _("Different name"),
    "birth_date_same": _("Same date of birth"),
    "birth_date_different": _("Different date of birth"),
    "address": _("Address in common"),
    "gender_different": _("Different gender"),
    "generation_different": _("Junior and senior (ifj., id.)"),
    "contacts_different": _("Both have contacts and addresses, none in common"),
    "name_common": _("A common name, and no contact in common"),
    "name_rare": _("A rare name"),
}

#: Names this alike (0..1, rapidfuzz's normalised Indel similarity) are one typo apart.
SIMILAR = 0.8
#: Prefixes that tell two people of one name apart: father and son.
GENERATIONS = {"ifj": "junior", "id": "senior", "idos": "senior"}


@dataclass
class Features:
    """A client's fields as the rules compare them, all normalised."""

    id: int | None
    family: tuple[str, ...] = ()  # folded words, titles dropped: ("kovacs",)
    given: tuple[str, ...] = ()  # ("janos", "peter")
    birth_date: datetime.date | None = None
    gender: str = ""
    card: str = ""
    emails: frozenset[str] = field(default_factory=frozenset)  # ClientEmail.normalised
    phones: frozenset[str] = field(default_factory=frozenset)  # E.164
    # postcode, street key, house number, building/floor/door ("" when not given)
    addresses: frozenset[tuple[str, str, str, str]] = field(default_factory=frozenset)
    generation: str = ""  # "junior" (ifj.), "senior" (id.) or ""
    # active clients with this name (`name_key`), from the last scan; None: not counted yet
    name_clients: int | None = None


NAME_KEY_LENGTH = 120  # NameFrequency.key


def name_key(family: tuple[str, ...], given: tuple[str, ...]) -> str:
    """The key a name is counted by: the first family and the first given name, folded."""
    return f"{family[0] if family else ''} {given[0] if given else ''}".strip()[:NAME_KEY_LENGTH]


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    weight: int


def house_number_key(number: str) -> str:
    return "".join((number or "").split()).upper()


def flat_key(extra: str) -> str:
    """Building, floor and door as their digits: '2. em. 5.' and '2/5' are one flat."""
    return "".join(ch for ch in (extra or "") if ch.isdigit())


def generation_of(name_prefix: str) -> str:
    from crm.normalise import words

    return next((GENERATIONS[w] for w in words(name_prefix, drop_titles=False) if w in GENERATIONS), "")


def _similarity(a: str, b: str) -> float:
    return Indel.normalized_similarity(a, b)


def _alike(a: str, b: str) -> bool:
    """One slip of the finger apart (a key changed, left out, doubled, two swapped), or as alike
    as that in a longer word."""
    return a == b or _similarity(a, b) >= SIMILAR or (min(len(a), len(b)) >= 3 and OSA.distance(a, b) <= 1)


def _wife_form(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """'Kovács Jánosné' next to 'Kovács János': a married woman named after her husband."""
    return any(x + "ne" == y or y + "ne" == x for x in a for y in b)


def _given_typo(x: str, y: str) -> bool:
    """One given name mistyped as the other: alike, and not two names of their own
    ('Márk' and 'Mór', 'Réka' and 'Rita' are different people)."""
    if x == y:
        return True
    if not _alike(x, y):
        return False
    known = known_given_names()
    return not (x in known and y in known)


def name_match(a: Features, b: Features) -> str | None:
    """'name_same', 'name_similar', 'name_different' or None (one of them has no name)."""
    if not (a.family or a.given) or not (b.family or b.given):
        return None
    words_a, words_b = a.family + a.given, b.family + b.given
    if sorted(words_a) == sorted(words_b):
        return "name_same"
    if _wife_form(words_a, words_b):
        return "name_different"
    if a.given and b.given:
        if _alike(" ".join(a.family), " ".join(b.family)):
            given_a, given_b = set(a.given), set(b.given)
            if _given_typo(a.given[0], b.given[0]):
                # "Éva Viktória" and "Éva Zsuzsanna" are two people; "Éva" and "Éva Mária" may be one
                seconds = a.given[1:2], b.given[1:2]
                if all(seconds) and not _given_typo(seconds[0][0], seconds[1][0]):
                    return "name_different"
                return "name_similar"
            # the same given names in another order, or one of two missing
            if given_a <= given_b or given_b <= given_a:
                return "name_similar"
        # family and given name entered the other way round
        if a.family and b.family and _alike(a.family[0], b.given[0]) and _alike(a.given[0], b.family[0]):
            return "name_similar"
    return "name_different"


def _addresses_shared(a: Features, b: Features) -> bool:
    """An address in common: the same postcode, street and house number, and the same flat
    unless one of them gives none (neighbours in a block of flats are not one person)."""
    for postcode, street, number, flat in a.addresses:
        for other in b.addresses:
            if (postcode, street, number) == other[:3] and (not flat or not other[3] or flat == other[3]):
                return True
    return False


_KNOWN: dict[str, object] = {"names": frozenset(), "at": 0.0}


def known_given_names() -> frozenset[str]:
    """The folded given names of the application's name list (refreshed every 10 minutes)."""
    import time

    if time.monotonic() - _KNOWN["at"] > 600 or not _KNOWN["names"]:
        from crm.models import GivenName

        _KNOWN["names"] = frozenset(GivenName.objects.values_list("key", flat=True))
        _KNOWN["at"] = time.monotonic()
    return _KNOWN["names"]


def _dates_one_typo_apart(a: datetime.date, b: datetime.date) -> bool:
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(p != q for p, q in zip(x, y, strict=True)) == 1:
        return True
    return a.year == b.year and a.month == b.day and a.day == b.month  # day and month swapped


def compare(a: Features, b: Features) -> tuple[int, list[Reason]]:
    """The score of a pair and the rules that made it, strongest first."""
    codes: list[str] = []
    if a.card and a.card == b.card:
        codes.append("loyalty_card")
    if a.emails & b.emails:
        codes.append("email")
    if a.phones & b.phones:
        codes.append("phone")
    name = name_match(a, b)
    if name:
        codes.append(name)
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            codes.append("birth_date_same")
        elif not _dates_one_typo_apart(a.birth_date, b.birth_date):
            codes.append("birth_date_different")
    if _addresses_shared(a, b):
        codes.append("address")
    if a.gender and b.gender and a.gender != b.gender:
        codes.append("gender_different")
    if name in ("name_same", "name_similar") and a.generation != b.generation:
        codes.append("generation_different")
    if name in ("name_same", "name_similar") and a.name_clients is not None and b.name_clients is not None:
        holders = max(a.name_clients, b.name_clients)
        if holders >= COMMON_NAME and not {"loyalty_card", "email", "phone"} & set(codes):
            codes.append("name_common")
        elif holders <= RARE_NAME:
            codes.append("name_rare")
    # both have contacts and addresses, and not one in common: two people's own lives
    contacts_a, contacts_b = a.emails | a.phones, b.emails | b.phones
    if (
        contacts_a
        and contacts_b
        and a.addresses
        and b.addresses
        and not contacts_a & contacts_b
        and "address" not in codes
    ):
        codes.append("contacts_different")
    reasons = sorted((Reason(c, str(LABELS[c]), WEIGHTS[c]) for c in codes), key=lambda r: -r.weight)
    return max(0, sum(r.weight for r in reasons)), reasons
