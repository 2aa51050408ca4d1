"""Cleansing on entry: what staff type, what residents type and what imports bring goes through
the same rules before it is stored.

Each check returns the cleansed value, the validation state and, when a person has to look at
it, a `Problem` for the cleanup queue. Nothing here refuses a record: an email that cannot be
repaired is kept as typed, marked invalid, and queued with the reason.

    email   email-validator syntax and normalisation, well-known provider typos fixed
    phone   phonenumbers, Hungary by default: "06 30 123 4567" = "+36301234567"
    name    titles split off ("dr.", "ifj.", "özv."), capitalisation of all-caps/lowercase
            entries, spacing and hyphens
    address crm.addresses (postcode, settlement, district, the district's streets)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from crm.models import ContactKind, ValidationState

DEFAULT_REGION = "HU"


@dataclass(frozen=True)
class Problem:
    """Something a person has to fix or dismiss: a stable code and a translated reason."""

    field: str
    code: str
    message: str
    value: str = ""
    suggestion: str = ""


@dataclass
class Cleansed:
    value: str
    state: str  # a ValidationState
    note: str = ""  # what was corrected, or why it is invalid
    problems: list[Problem] = field(default_factory=list)


# --- email ----------------------------------------------------------------------------------------
#: Providers most Hungarian addresses use: a domain one typo away from one of these is fixed.
WELL_KNOWN_DOMAINS = (
    "gmail.com",
    "freemail.hu",
    "citromail.hu",
    "hotmail.com",
    "outlook.com",
    "outlook.hu",
    "yahoo.com",
    "t-online.hu",
    "icloud.com",
    "invitel.hu",
    "chello.hu",
    "upcmail.hu",
    "vipmail.hu",
    "indamail.hu",
    "live.com",
)
_MAILTO = re.compile(r"^\s*(mailto:)?\s*<?\s*|\s*>?\s*$", re.IGNORECASE)


def _one_edit_apart(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (one insertion, deletion, change or swap)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def email_cleanse(raw: str) -> Cleansed:
    """Syntax check and normalisation with email-validator (no DNS lookup on entry: the
    deliverability of an address shows when mail is sent to it)."""
    typed = raw or ""
    text = _MAILTO.sub("", typed).strip().rstrip(".,;")
    notes = []
    if "@" in text:
        local, _at, domain = text.rpartition("@")
        domain = domain.strip().lower()
        for known in WELL_KNOWN_DOMAINS:
            if _one_edit_apart(domain, known) and domain not in WELL_KNOWN_DOMAINS:
                notes.append(_("Domain corrected from %(typed)s to %(fixed)s.") % {"typed": domain, "fixed": known})
                domain = known
                break
        text = f"{local.strip()}@{domain}"
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        message = _("The email address is not valid: %(reason)s") % {"reason": _email_reason(exc)}
        return Cleansed(
            typed.strip(), ValidationState.INVALID, message, [Problem("email", "email_invalid", message, typed.strip())]
        )
    value = result.normalized
    if value != typed.strip() and not notes:
        notes.append(_("Written as %(value)s.") % {"value": value})
    state = ValidationState.CORRECTED if value != typed.strip() else ValidationState.VALID
    return Cleansed(value, state, " ".join(notes))


def _email_reason(exc: EmailNotValidError) -> str:
    """email-validator's reasons are English; the common ones get a translated sentence."""
    text = str(exc)
    if "must have an @-sign" in text or "invalid characters: '@'" in text:
        return _("it must have exactly one @ sign")
    if "two periods in a row" in text:
        return _("it has two dots in a row")
    if "after the @-sign" in text or "domain name" in text.lower() or "period" in text:
        return _("the part after the @ sign is not a domain name")
    if "too long" in text:
        return _("it is too long")
    return _("it is not an email address")


def email_key(address: str) -> str:
    """The form two addresses are compared in: lowercase (the local part is case-insensitive at
    every provider that matters here)."""
    return (address or "").strip().lower()


# --- phone ----------------------------------------------------------------------------------------
@dataclass
class CleansedPhone(Cleansed):
    national: str = ""
    kind: str = ""


_PHONE_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: ContactKind.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE: ContactKind.LANDLINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: ContactKind.MOBILE,
}


def phone_parse(raw: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber | None:
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix written out
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def phone_cleanse(raw: str, region: str = DEFAULT_REGION) -> CleansedPhone:
    """To E.164 with phonenumbers ("06 30 123 4567", "+36-30/123-4567", "0036301234567" and
    "30 123 4567" are all +36301234567)."""
    typed = (raw or "").strip()
    number = phone_parse(typed, region)
    if number is None or not phonenumbers.is_possible_number(number):
        message = _("The phone number is not valid: it has too few or too many digits, or letters.")
        return CleansedPhone(
            typed, ValidationState.INVALID, message, [Problem("phone", "phone_invalid", message, typed)]
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = str(number.national_number)
    if not phonenumbers.is_valid_number(number):
        message = _("The phone number %(number)s does not exist in the numbering plan.") % {"number": e164}
        return CleansedPhone(
            e164,
            ValidationState.INVALID,
            message,
            [Problem("phone", "phone_not_in_plan", message, typed)],
            national=national,
        )
    kind = _PHONE_KINDS.get(phonenumbers.number_type(number), ContactKind.OTHER)
    state = ValidationState.VALID if typed == e164 else ValidationState.CORRECTED
    return CleansedPhone(e164, state, "", [], national=national, kind=kind)


def phone_query(raw: str) -> tuple[str, str]:
    """A typed phone query as (E.164 if complete, national-number digit prefix): the clerk may
    type "06 30 123", "+36 30 12" or "301234567"."""
    digits = re.sub(r"\D", "", raw or "")
    plus = (raw or "").strip().startswith("+")
    if plus or digits.startswith("00"):
        digits = digits[2:] if digits.startswith("00") else digits
        if digits.startswith("36"):
            digits = digits[2:]
        else:
            return "", ""  # a foreign number: only a whole one is looked up
    elif digits.startswith("06"):
        digits = digits[2:]
    number = phone_parse(raw)
    e164 = ""
    if number is not None and phonenumbers.is_valid_number(number):
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, digits


# --- names ----------------------------------------------------------------------------------------
#: Titles written before a Hungarian name, folded, with their usual spelling.
_TITLE_SPELLING = {
    "dr": "dr.",
    "prof": "prof.",
    "ifj": "ifj.",
    "id": "id.",
    "özv": "özv.",
    "ozv": "özv.",
    "vitéz": "vitéz",
    "vitez": "vitéz",
}
_TITLE_TOKEN = re.compile(r"^(?P<word>[^\W\d_]+)\.?$")


@dataclass
class CleansedName:
    name_prefix: str
    family_name: str
    given_names: str
    notes: list[str] = field(default_factory=list)


def _capitalise(word: str) -> str:
    """'kovács-NAGY' -> 'Kovács-Nagy'; a mixed-case entry ('McDonald', 'DeBrecen') is kept."""
    parts = re.split(r"([-'])", word)
    return "".join(p[:1].upper() + p[1:].lower() if p not in "-'" else p for p in parts)


def _name_words(text: str) -> str:
    text = " ".join((text or "").replace("\u00a0", " ").split())
    text = re.sub(r"\s*-\s*", "-", text)
    if not text:
        return ""
    if text == text.upper() or text == text.lower():
        return " ".join(_capitalise(w) for w in text.split(" "))
    return text


def name_cleanse(*, name_prefix: str = "", family_name: str = "", given_names: str = "") -> CleansedName:
    """Titles move to `name_prefix`; spacing, hyphens and the capitals of all-caps or
    all-lowercase entries are fixed; everything else is kept as typed."""
    notes: list[str] = []
    prefixes = [p for p in (name_prefix or "").split() if p]
    family_words = (family_name or "").split()
    while family_words:
        match = _TITLE_TOKEN.match(family_words[0])
        key = match and match.group("word").casefold()
        if key in _TITLE_SPELLING:
            prefixes.append(family_words.pop(0))
        else:
            break
    spelled = []
    for token in prefixes:
        match = _TITLE_TOKEN.match(token)
        key = match.group("word").casefold() if match else token.casefold()
        spelled.append(_TITLE_SPELLING.get(key, token))
    cleansed = CleansedName(" ".join(spelled), _name_words(" ".join(family_words)), _name_words(given_names), notes)
    if (cleansed.family_name, cleansed.given_names) != ((family_name or "").strip(), (given_names or "").strip()):
        notes.append(
            _("Name written as %(name)s.") % {"name": f"{cleansed.family_name} {cleansed.given_names}".strip()}
        )
    return cleansed


def name_split(full_name: str) -> CleansedName:
    """A whole name in Hungarian order ("dr. Kovács-Nagy Anna Mária") as title, family name and
    given names: the first word after the titles is the family name."""
    words = (full_name or "").split()
    titles = []
    while words and (m := _TITLE_TOKEN.match(words[0])) and m.group("word").casefold() in _TITLE_SPELLING:
        titles.append(words.pop(0))
    family = words[0] if words else ""
    given = " ".join(words[1:])
    return name_cleanse(name_prefix=" ".join(titles), family_name=family, given_names=given)


# --- loyalty card ---------------------------------------------------------------------------------
LOYALTY_CARD = re.compile(r"^[0-9A-Z]{6,20}$")


def loyalty_card_cleanse(raw: str) -> str:
    """The Hegyvidék Kártya number without spaces and dashes, upper case ('' when empty)."""
    return re.sub(r"[\s-]", "", raw or "").upper()
