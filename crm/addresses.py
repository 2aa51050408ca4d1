"""Address checks: Budapest postcode, settlement and district consistency, street names.

    address_check(AddressInput(postcode="1123", settlement="Bp.", street_name="Alkotás u. 7/B"))
        -> postcode "1123", settlement "Budapest", district 12, street "Alkotás" "utca",
           house number "7/B", state CORRECTED, with a note for every fix

Budapest postcodes are `1DDx`, DD being the district (1011–1239); 13xx–19xx are the city's
post-office-box codes, which name no district. In the home district (`MUNICIPALITY_DISTRICT`,
Hegyvidék = XII) the street must be on the `Street` list (bundled in `crm/data/`, editable by
staff) with the postcode it has there; other districts and settlements are only checked for
consistency, as no street list is bundled for them.

What can be fixed without guessing is fixed and noted in `corrections` (abbreviations, accents,
the district from the postcode, a house number typed into the street field). Whatever needs a
person — two pieces of data contradicting each other, an unknown street — becomes a `Problem`
with a stable code; the caller puts those in the cleanup queue.
"""

from __future__ import annotations

import csv
import difflib
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from crm.models import ValidationState, roman
from crm.normalise import fold

BUILTIN_STREETS_CSV = Path(__file__).resolve().parent / "data" / "streets_budapest_xii.csv"

#: Canonical street types (`közterület jellege`) and the spellings and abbreviations met in
#: typed addresses, keyed by the folded form without the trailing dot.
STREET_TYPES: dict[str, str] = {}
_STREET_TYPE_SPELLINGS = {
    "utca": ("utca", "u", "ucta", "utc"),
    "út": ("út", "ut"),
    "útja": ("útja",),
    "tér": ("tér", "ter"),
    "tere": ("tere",),
    "körút": ("körút", "krt", "korut"),
    "köz": ("köz",),
    "lejtő": ("lejtő", "lejto"),
    "lépcső": ("lépcső", "lepcso", "lpcs"),
    "sétány": ("sétány", "setany", "stny"),
    "sor": ("sor",),
    "fasor": ("fasor", "fsr"),
    "dűlő": ("dűlő", "dulo"),
    "dűlőút": ("dűlőút",),
    "park": ("park",),
    "liget": ("liget",),
    "rakpart": ("rakpart", "rkp"),
    "árok": ("árok", "arok"),
    "körönd": ("körönd",),
    "sugárút": ("sugárút", "sgt"),
    "erdősor": ("erdősor",),
    "udvar": ("udvar",),
    "kert": ("kert",),
    "sikátor": ("sikátor",),
    "ösvény": ("ösvény",),
    "lakótelep": ("lakótelep", "ltp", "lkt"),
    "telep": ("telep",),
    "hrsz": ("hrsz", "helyrajzi szám"),
}
for _canonical, _spellings in _STREET_TYPE_SPELLINGS.items():
    for _spelling in _spellings:
        STREET_TYPES[fold(_spelling)] = _canonical

#: A parcel number stands where the street would be ("12345/6 hrsz"): no street list, no
#: house number.
PARCEL_TYPE = "hrsz"

#: Fuzzy street matching: candidates at least this close (difflib ratio on folded keys) are
#: offered as suggestions; a single candidate at least `AUTO_RATIO` close, ahead of the next by
#: `AUTO_MARGIN`, in a key of at least `AUTO_MIN_LENGTH` characters (one typo in a long name),
#: is corrected without asking.
SUGGEST_RATIO = 0.85
AUTO_RATIO = 0.92
AUTO_MARGIN = 0.04
AUTO_MIN_LENGTH = 10

#: How often (seconds) the street cache asks the database whether the list changed.
CACHE_CHECK_SECONDS = 5.0

_BUDAPEST = "Budapest"
_POSTCODE = re.compile(r"^(?:H|HU)?-?(\d{4})$")
_SETTLEMENT_BUDAPEST = re.compile(
    r"^(?:budapest|bp)\.?\s*[,.]?\s*"
    r"(?:(?P<district>[ivxl]+|\d{1,2})\s*\.?\s*(?:ker(?:ulet)?\.?)?)?\s*$"
)
_HOUSE_NUMBER = re.compile(
    r"^(?P<number>\d+(?:\s*[-–]\s*\d+)?(?:\s*/\s*[0-9A-Za-z]+|\s*[A-Za-z](?![A-Za-z]))?)\.?"
    r"\s*[,;]?\s*(?P<rest>.*)$"
)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


@dataclass
class AddressInput:
    postcode: str = ""
    settlement: str = ""
    district: int | None = None
    street_name: str = ""
    street_type: str = ""
    house_number: str = ""
    extra: str = ""
    country: str = "HU"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    suggestion: str = ""


@dataclass
class AddressResult:
    country: str
    postcode: str
    settlement: str
    district: int | None
    street_name: str
    street_type: str
    house_number: str
    extra: str
    street_key: str
    state: str
    corrections: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def validation_note(self) -> str:
        """What `ClientAddress.validation_note` holds: the problems, else what was corrected."""
        parts = [p.message for p in self.problems] or self.corrections
        return "; ".join(parts)[:300]


# --- the street list: loading and the cached lookup ---------------------------------------------


def street_key(*, name: str, street_type: str) -> str:
    """The folded key of a street: 'boszormenyi ut'."""
    return fold(f"{name} {street_type}")


def load_builtin_streets(model) -> int:
    """Load the bundled street list into `model` (the Street class, historical in migrations).

    Rows already there (same district, key and postcode) are left alone, so a second run, or
    a run after staff edits, adds only what is missing. Returns the number of rows added.
    """
    existing = set(model.objects.values_list("district", "key", "postcode"))
    new = []
    with BUILTIN_STREETS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            district = int(row["district"])
            name, type_, postcode = row["name"].strip(), row["type"].strip(), row["postcode"].strip()
            key = street_key(name=name, street_type=type_)
            if (district, key, postcode) in existing:
                continue
            existing.add((district, key, postcode))
            new.append(model(district=district, postcode=postcode, name=name, type=type_, key=key))
    model.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class StreetEntry:
    name: str
    type: str
    key: str
    postcodes: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} {self.type}"


@dataclass
class _DistrictStreets:
    by_key: dict[str, StreetEntry]
    by_name: dict[str, list[StreetEntry]]  # folded name alone -> the streets of that name
    postcodes: frozenset[str]


_lock = threading.Lock()
_cache: dict = {"stamp": None, "checked_at": 0.0, "districts": {}}


def streets_cache_clear() -> None:
    """Forget the cached street lists; the next check reloads them (called on staff saves)."""
    with _lock:
        _cache.update(stamp=None, checked_at=0.0, districts={})


def _table_stamp():
    from django.db.models import Count, Max

    from crm.models import Street

    stamp = Street.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    return stamp["count"], stamp["latest"]


def district_streets(district: int) -> _DistrictStreets:
    """The district's streets, loaded once and kept until the table changes: an import checks
    a hundred thousand addresses against a list of a few hundred streets."""
    now = time.monotonic()
    with _lock:
        if now - _cache["checked_at"] >= CACHE_CHECK_SECONDS:
            stamp = _table_stamp()
            if stamp != _cache["stamp"]:
                _cache.update(stamp=stamp, districts={})
            _cache["checked_at"] = now
        cached = _cache["districts"].get(district)
        if cached is None:
            cached = _cache["districts"][district] = _load_district(district)
        return cached


def _load_district(district: int) -> _DistrictStreets:
    from crm.models import Street

    grouped: dict[str, dict] = {}
    for name, type_, key, postcode in Street.objects.filter(district=district).values_list(
        "name", "type", "key", "postcode"
    ):
        entry = grouped.setdefault(key, {"name": name, "type": type_, "postcodes": set()})
        entry["postcodes"].add(postcode)
    by_key = {
        key: StreetEntry(name=v["name"], type=v["type"], key=key, postcodes=tuple(sorted(v["postcodes"])))
        for key, v in grouped.items()
    }
    by_name: dict[str, list[StreetEntry]] = {}
    for entry in by_key.values():
        by_name.setdefault(fold(entry.name), []).append(entry)
    postcodes = frozenset(p for entry in by_key.values() for p in entry.postcodes)
    return _DistrictStreets(by_key=by_key, by_name=by_name, postcodes=postcodes)


# --- small parsers ---------------------------------------------------------------------------------


def home_district() -> int:
    """The municipality's own district (`MUNICIPALITY_DISTRICT`, "XII"): its streets are listed."""
    return parse_district(settings.MUNICIPALITY_DISTRICT) or 12


def parse_district(text: str) -> int | None:
    """'XII', 'xii.', '12' -> 12; anything else -> None."""
    text = fold(text).rstrip(".").strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN[ch]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    # only canonical numerals: "IIII" or "VX" are typing errors, not districts
    return total if roman(total).lower() == text else None


def normalise_street_type(text: str) -> str:
    """'u.' -> 'utca', 'krt.' -> 'körút'; an unknown type comes back trimmed, in lowercase."""
    folded = fold(text).rstrip(".").strip()
    return STREET_TYPES.get(folded, " ".join(text.split()).lower())


def _is_street_type(token: str) -> bool:
    return fold(token).rstrip(".") in STREET_TYPES


def _house_number(text: str) -> str:
    """'7/b' -> '7/B', '7 b' -> '7/B', '12.' -> '12', '3 - 5' -> '3-5'."""
    text = " ".join(text.split()).rstrip(".").strip()
    match = re.fullmatch(r"(\d+(?:\s*[-–]\s*\d+)?)\s*/?\s*([A-Za-z])", text)
    if match:
        text = f"{match[1]}/{match[2]}"
    elif not re.fullmatch(r"\d+(?:\s*[-–]\s*\d+)?(?:\s*/\s*[0-9A-Za-z]+)?", text):
        return text  # something unusual ("7. lh."): left as typed, for a person to read
    return re.sub(r"\s+", "", text).replace("–", "-").upper()


def _loose(text: str) -> str:
    """Equal under this means nothing worth a note changed: whitespace, a trailing dot."""
    return " ".join(str(text or "").split()).rstrip(".").strip()


def _split_street(text: str) -> tuple[str, str, str, str]:
    """A street field as typed -> (name, type word as typed, house number, rest).

    'Alkotás u. 7/B' -> ('Alkotás', 'u.', '7/B', ''); 'Böszörményi út 12 2. em. 5.' ->
    ('Böszörményi', 'út', '12', '2. em. 5.'); 'Kiss János altábornagy' -> (name, '', '', '').
    """
    # "u.7" and "út12" are typed too: make the parts separate words
    text = re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\.)(?=[^\W_])", " ", text or "")
    tokens = text.replace(",", " , ").split()
    if not tokens:
        return "", "", "", ""
    # the type is the first type word (not the first word: "Park utca") that ends the street
    # part, i.e. is followed by a number, a comma or nothing ("Október 23. utca 5" keeps 23.)
    type_at = next(
        (
            i
            for i in range(1, len(tokens))
            if _is_street_type(tokens[i])
            and (i + 1 == len(tokens) or tokens[i + 1][:1].isdigit() or tokens[i + 1] == ",")
        ),
        None,
    )
    if type_at is not None:
        name_tokens, type_word, rest_tokens = tokens[:type_at], tokens[type_at], tokens[type_at + 1 :]
    else:
        first_digit = next((i for i, t in enumerate(tokens) if i > 0 and t[:1].isdigit()), len(tokens))
        name_tokens, type_word, rest_tokens = tokens[:first_digit], "", tokens[first_digit:]
    name = " ".join(name_tokens).strip(" ,")
    rest = " ".join(rest_tokens).replace(" , ", ", ").strip(" ,")
    number = ""
    match = _HOUSE_NUMBER.match(rest)
    if match:
        number, rest = _house_number(match["number"]), match["rest"].strip(" ,")
    return name, type_word, number, rest


def _settlement_name(text: str) -> str:
    """Trimmed, capitalised as a place name is: 'debrecen' -> 'Debrecen'."""
    text = " ".join((text or "").split()).strip(" ,.")
    if text and (text.islower() or text.isupper()):
        text = "-".join(part[:1].upper() + part[1:].lower() for part in text.split("-"))
        text = " ".join(word[:1].upper() + word[1:] for word in text.split(" "))
    return text[:1].upper() + text[1:]


# --- the check ------------------------------------------------------------------------------------


class _Check:
    """One address being cleansed: the working values, the notes, the problems."""

    def __init__(self, address: AddressInput):
        self.given = address
        self.country = (address.country or "HU").strip().upper()
        self.postcode = (address.postcode or "").strip()
        self.settlement = (address.settlement or "").strip()
        self.district = address.district
        self.district_text = ""
        if isinstance(self.district, str):
            # registries and imports hand over "XII" as often as 12
            self.district_text = self.district.strip()
            self.district = parse_district(self.district_text) if self.district_text else None
        self.street_name = " ".join((address.street_name or "").split())
        self.street_type = (address.street_type or "").strip()
        self.house_number = (address.house_number or "").strip()
        self.extra = " ".join((address.extra or "").split())
        self.postcode_ok = False  # set once the postcode is known to be well-formed
        self.corrections: list[str] = []
        self.problems: list[Problem] = []

    def has(self, code: str) -> bool:
        return any(p.code == code for p in self.problems)

    def fix(self, note: str) -> None:
        self.corrections.append(note)

    def problem(self, code: str, message: str, suggestion: str = "") -> None:
        self.problems.append(Problem(code=code, message=message, suggestion=suggestion))

    def result(self, state: str) -> AddressResult:
        return AddressResult(
            country=self.country,
            postcode=self.postcode,
            settlement=self.settlement,
            district=self.district,
            street_name=self.street_name,
            street_type=self.street_type,
            house_number=self.house_number,
            extra=self.extra,
            street_key=street_key(name=self.street_name, street_type=self.street_type) if self.street_name else "",
            state=state,
            corrections=self.corrections,
            problems=self.problems,
        )


def address_check(address: AddressInput) -> AddressResult:
    """Cleanse one address; see the module docstring for what is fixed and what is reported."""
    check = _Check(address)
    if check.country != "HU":
        # no reference data for other countries: keep what was typed, trimmed
        return check.result(ValidationState.UNCHECKED)

    if check.district_text and check.district is None:
        check.problem("district_invalid", _("%(text)s is not a district of Budapest.") % {"text": check.district_text})
    _check_street_field(check)
    postcode_district = _check_postcode(check)
    settlement_district = _check_settlement(check)
    _check_district(check, postcode_district=postcode_district, settlement_district=settlement_district)
    if check.settlement == _BUDAPEST and check.district == home_district():
        _check_home_street(check, postcode_district=postcode_district)
    _check_completeness(check)

    if check.problems:
        state = ValidationState.INVALID
    elif check.corrections:
        state = ValidationState.CORRECTED
    else:
        state = ValidationState.VALID
    return check.result(state)


def _check_street_field(check: _Check) -> None:
    """Split a type and a house number typed into the street name; expand abbreviations."""
    name, type_word, number, rest = _split_street(check.street_name)
    type_ = normalise_street_type(type_word) if type_word else ""
    if check.street_type:
        given = check.street_type
        check.street_type = normalise_street_type(given)
        if check.street_type != _loose(given).lower():
            check.fix(_("Street type %(given)s written out as %(type)s.") % {"given": given, "type": check.street_type})
        if type_ and type_ != check.street_type:
            # "Böszörményi út" in the name, "utca" in the type: not ours to choose
            check.problem(
                "street_type_mismatch",
                _("The street field says %(street)s, the street type field %(type)s.")
                % {"street": type_, "type": check.street_type},
            )
            type_ = ""
        elif type_:
            check.fix(_("Street type %(type)s removed from the street name.") % {"type": type_})
            type_ = ""
    if type_:
        if not check.street_type:
            check.fix(_("Street type %(type)s split off the street name.") % {"type": type_})
        check.street_type = type_
    if number:
        if not check.house_number:
            check.house_number = number
            check.fix(_("House number %(number)s moved out of the street name.") % {"number": number})
        elif _house_number(check.house_number) != number:
            check.problem(
                "house_number_mismatch",
                _("The street field has house number %(street)s, the house number field %(number)s.")
                % {"street": number, "number": check.house_number},
            )
    if rest:
        check.extra = f"{rest}, {check.extra}" if check.extra else rest
    check.street_name = name
    if check.house_number:
        tidy = _house_number(check.house_number)
        if _loose(check.house_number) != tidy:
            check.fix(
                _("House number %(given)s written as %(number)s.") % {"given": check.house_number, "number": tidy}
            )
        check.house_number = tidy


def _check_postcode(check: _Check) -> int | None:
    """Validate the postcode's shape; return the Budapest district it names, if it names one."""
    if not check.postcode:
        return None
    match = _POSTCODE.match(re.sub(r"\s+", "", check.postcode).upper())
    if not match or match[1][0] == "0":
        check.problem(
            "postcode_invalid",
            _("Postcode %(postcode)s is not a Hungarian postcode (four digits).") % {"postcode": check.postcode},
        )
        return None
    check.postcode = match[1]
    if check.postcode[0] != "1" or int(check.postcode) >= 1300:
        check.postcode_ok = True
        return None  # outside Budapest, or a Budapest post-office-box code: no district in it
    district = int(check.postcode[1:3])
    if not 1 <= district <= 23:
        check.problem(
            "postcode_invalid",
            _("Postcode %(postcode)s does not exist in Budapest (1011–1239).") % {"postcode": check.postcode},
        )
        return None
    check.postcode_ok = True
    return district


def _check_settlement(check: _Check) -> int | None:
    """Bring Budapest's spellings to 'Budapest'; return the district written with it, if any."""
    folded = fold(check.settlement)
    match = _SETTLEMENT_BUDAPEST.match(folded) if folded else None
    district = None
    if match:
        if match["district"]:
            district = parse_district(match["district"])
            if district is None or not 1 <= district <= 23:
                check.problem(
                    "district_invalid",
                    _("%(text)s is not a district of Budapest.") % {"text": match["district"].upper()},
                )
                district = None
        if check.settlement != _BUDAPEST:
            check.fix(_("Settlement %(given)s written as Budapest.") % {"given": check.settlement})
            check.settlement = _BUDAPEST
    elif check.settlement:
        tidy = _settlement_name(check.settlement)
        if tidy != check.settlement:
            check.fix(_("Settlement %(given)s written as %(tidy)s.") % {"given": check.settlement, "tidy": tidy})
            check.settlement = tidy

    budapest_code = check.postcode_ok and check.postcode[0] == "1"
    if not check.settlement:
        if budapest_code:
            check.settlement = _BUDAPEST
            check.fix(_("Settlement Budapest filled in from the postcode."))
        else:
            check.problem("settlement_missing", _("The settlement is missing."))
    elif check.postcode_ok and budapest_code != (check.settlement == _BUDAPEST):
        # not fixed: the postcode or the settlement is wrong, and only a person can tell
        if budapest_code:
            message = _("Postcode %(postcode)s is a Budapest postcode, but the settlement is %(settlement)s.")
        else:
            message = _("Postcode %(postcode)s is not a Budapest postcode (Budapest postcodes start with 1).")
        check.problem(
            "postcode_settlement_mismatch",
            message % {"postcode": check.postcode, "settlement": check.settlement},
        )
    return district


def _check_district(check: _Check, *, postcode_district: int | None, settlement_district: int | None) -> None:
    given = check.district
    if given is not None and settlement_district is not None and given != settlement_district:
        check.problem(
            "district_mismatch",
            _("District %(given)s. does not match the district written with the settlement, %(text)s.")
            % {"given": roman(given), "text": roman(settlement_district)},
        )
        return
    if given is None and settlement_district is not None:
        check.district = given = settlement_district
    if check.settlement != _BUDAPEST:
        if given is not None and not check.has("postcode_settlement_mismatch"):
            check.problem("district_invalid", _("Only Budapest has districts."))
        return
    if given is not None and not 1 <= given <= 23:
        check.problem("district_invalid", _("Budapest has districts I to XXIII, not %(given)s.") % {"given": given})
        return
    if postcode_district is None:
        return
    if given is None:
        # derived, not corrected: nothing typed was wrong, the postcode names the district
        check.district = postcode_district
    elif given != postcode_district:
        # not fixed: either the postcode or the district is wrong, and only a person can tell
        check.problem(
            "postcode_district_mismatch",
            _("Postcode %(postcode)s belongs to District %(expected)s., not District %(given)s.")
            % {"postcode": check.postcode, "expected": roman(postcode_district), "given": roman(given)},
            suggestion=roman(postcode_district),
        )


def _check_home_street(check: _Check, *, postcode_district: int | None) -> None:
    """The street must be on the district's list, with one of the postcodes it has there."""
    if not check.street_name or check.street_type == PARCEL_TYPE:
        return
    streets = district_streets(check.district)
    if not streets.by_key:
        return  # no list loaded for the district: nothing to check against
    postcode_checked = postcode_district == check.district
    if postcode_checked and check.postcode not in streets.postcodes:
        check.problem(
            "postcode_invalid",
            _("Postcode %(postcode)s is not used in District %(district)s.")
            % {"postcode": check.postcode, "district": roman(check.district)},
            suggestion=", ".join(sorted(streets.postcodes)),
        )
        postcode_checked = False
    entry = _find_street(check, streets=streets)
    if entry is None:
        return
    if (check.street_name, check.street_type) != (entry.name, entry.type):
        typed = " ".join(p for p in (check.street_name, check.street_type) if p)
        if fold(typed) == entry.key:
            check.fix(_("Street name %(given)s written as %(street)s.") % {"given": typed, "street": entry.label})
        check.street_name, check.street_type = entry.name, entry.type
    if not check.postcode:
        if len(entry.postcodes) == 1:
            check.postcode = entry.postcodes[0]
            check.postcode_ok = True
            check.fix(_("Postcode %(postcode)s filled in from the street list.") % {"postcode": check.postcode})
        else:
            check.problem(
                "postcode_missing",
                _("The postcode is missing; %(street)s has several.") % {"street": entry.label},
                suggestion=", ".join(entry.postcodes),
            )
    elif postcode_checked and check.postcode not in entry.postcodes:
        check.problem(
            "street_postcode_mismatch",
            _("%(street)s is not in postcode %(postcode)s.") % {"street": entry.label, "postcode": check.postcode},
            suggestion=", ".join(entry.postcodes),
        )


def _find_street(check: _Check, *, streets: _DistrictStreets) -> StreetEntry | None:
    """The list's street for the typed one: an exact folded match, the only street of that
    name when the type is missing, or a close match that is clear enough; else a problem."""
    typed = " ".join(p for p in (check.street_name, check.street_type) if p)
    key = fold(typed)
    entry = streets.by_key.get(key)
    if entry is not None:
        return entry
    if not check.street_type:
        same_name = streets.by_name.get(fold(check.street_name), [])
        if len(same_name) == 1:
            check.fix(_("Street type %(type)s filled in from the street list.") % {"type": same_name[0].type})
            return same_name[0]
        if len(same_name) > 1:
            check.problem(
                "street_type_missing",
                _("The street type is missing; District %(district)s. has several streets called %(name)s.")
                % {"district": roman(check.district), "name": check.street_name},
                suggestion=", ".join(sorted(e.label for e in same_name)),
            )
            return None
    abbreviated = _abbreviation_matches(check.street_name, street_type=check.street_type, streets=streets)
    if len(abbreviated) == 1:
        check.fix(
            _("Street name %(given)s written out as %(street)s.") % {"given": typed, "street": abbreviated[0].label}
        )
        return abbreviated[0]
    close = _close_streets(key, streets=streets)
    if len(abbreviated) > 1:
        close = [(1.0, entry) for entry in abbreviated]
    if close:
        best_ratio, best = close[0]
        runner_up = close[1][0] if len(close) > 1 else 0.0
        if best_ratio >= AUTO_RATIO and best_ratio - runner_up >= AUTO_MARGIN and len(key) >= AUTO_MIN_LENGTH:
            check.fix(_("Street name %(given)s corrected to %(street)s.") % {"given": typed, "street": best.label})
            return best
    check.problem(
        "street_unknown",
        _("%(street)s is not on the street list of District %(district)s.")
        % {"street": typed, "district": roman(check.district)},
        suggestion=", ".join(entry.label for _ratio, entry in close[:3]),
    )
    return None


def _abbreviation_matches(name: str, *, street_type: str, streets: _DistrictStreets) -> list[StreetEntry]:
    """The streets a name with abbreviated words can stand for: "Kiss J. altb." for Kiss János
    altábornagy, "Szilágyi E." for Szilágyi Erzsébet. An abbreviation (a word ending in a dot)
    stands for a word with the same first letter that has its letters in the same order."""
    typed = fold(name).split()
    if not any(word.endswith(".") for word in typed):
        return []
    typed = [word.rstrip(".") if word.endswith(".") else word + " " for word in typed]
    out = []
    for entry in streets.by_key.values():
        if street_type and entry.type != street_type:
            continue
        words = fold(entry.name).split()
        if len(words) == len(typed) and all(_stands_for(t, w) for t, w in zip(typed, words, strict=True)):
            out.append(entry)
    return sorted(out, key=lambda e: e.key)


def _stands_for(typed: str, word: str) -> bool:
    if typed.endswith(" "):  # written in full
        return typed[:-1] == word
    if not typed or typed[0] != word[0]:
        return False
    letters = iter(word)
    return all(ch in letters for ch in typed)


def _close_streets(key: str, *, streets: _DistrictStreets) -> list[tuple[float, StreetEntry]]:
    """The streets whose key is at least `SUGGEST_RATIO` close, closest first. difflib's cheap
    upper bounds go first, as an import compares each unknown street with the whole list."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)  # difflib caches what it learns about the second sequence
    scored = []
    for candidate, entry in streets.by_key.items():
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= SUGGEST_RATIO and matcher.quick_ratio() >= SUGGEST_RATIO:
            ratio = matcher.ratio()
            if ratio >= SUGGEST_RATIO:
                scored.append((ratio, entry))
    scored.sort(key=lambda item: (-item[0], item[1].key))
    return scored


def _check_completeness(check: _Check) -> None:
    if not check.postcode and not check.has("postcode_missing"):
        check.problem("postcode_missing", _("The postcode is missing."))
    if not check.street_name:
        check.problem("street_missing", _("The street is missing."))
    elif not check.house_number and check.street_type != PARCEL_TYPE:
        check.problem("house_number_missing", _("The house number is missing."))
