"""The column mapping of an import: which client field each column of the file fills, guessed
from Hungarian and English headers, and one row's cells turned into `ClientData`.

A row whose cells cannot be understood (a date that is no date, a consent that is neither yes
nor no, a value too long for its field) is refused with the reasons; what cleansing can judge
(an email, a phone, an address) is left to `client_save`, which keeps it, marks it and queues
it for cleanup, as for any other entry.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import cleansing
from crm.errors import CrmError, ErrorCode
from crm.models import Client, ClientAddress, ConsentChannel, Gender, Tag
from crm.normalise import fold
from crm.services import AddressData, ClientData, ConsentData, EmailData, PhoneData

IGNORE = "ignore"

#: The fields a column can fill, in the order the mapping screen offers them.
TARGETS: dict[str, object] = {
    IGNORE: gettext_lazy("— do not import —"),
    "full_name": gettext_lazy("Full name (family name first)"),
    "name_prefix": gettext_lazy("Name prefix (dr., ifj. …)"),
    "family_name": gettext_lazy("Family name"),
    "given_names": gettext_lazy("Given names"),
    "gender": gettext_lazy("Gender"),
    "birth_date": gettext_lazy("Date of birth"),
    "email": gettext_lazy("Email"),
    "email2": gettext_lazy("Second email"),
    "phone": gettext_lazy("Phone"),
    "phone2": gettext_lazy("Second phone"),
    "address": gettext_lazy("Full address (postcode, settlement, street)"),
    "postcode": gettext_lazy("Postcode"),
    "settlement": gettext_lazy("Settlement"),
    "street": gettext_lazy("Street and house number"),
    "house_number": gettext_lazy("House number"),
    "loyalty_card": gettext_lazy("Hegyvidék Kártya number"),
    "newsletter": gettext_lazy("Newsletter consent"),
    "sms": gettext_lazy("SMS consent"),
    "tags": gettext_lazy("Tags (comma separated)"),
    "note": gettext_lazy("Note"),
}

#: Header names per target, compared folded (lowercase, no accents, punctuation as spaces).
_HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": ("nev", "teljes nev", "ugyfel neve", "ugyfel", "nev teljes", "full name", "name", "client name"),
    "name_prefix": ("elotag", "nev elotag", "titulus", "cim nev", "megszolitas", "prefix", "title", "name prefix"),
    "family_name": ("vezeteknev", "csaladnev", "vezetek nev", "csalad nev", "family name", "last name", "surname"),
    "given_names": (
        "keresztnev",
        "utonev",
        "utonevek",
        "kereszt nev",
        "uto nev",
        "given name",
        "given names",
        "first name",
        "forename",
    ),
    "gender": ("nem", "neme", "gender", "sex"),
    "birth_date": (
        "szuletesi datum",
        "szuletesi ido",
        "szul datum",
        "szul ido",
        "szuletesnap",
        "date of birth",
        "birth date",
        "birthdate",
        "dob",
        "birthday",
    ),
    "email": ("e mail", "email", "email cim", "e mail cim", "emailcim", "mail", "email address", "e mail address"),
    "email2": ("e mail 2", "email 2", "masodik e mail", "masik e mail", "egyeb e mail", "second email", "other email"),
    "phone": (
        "telefon",
        "telefonszam",
        "tel",
        "mobil",
        "mobilszam",
        "mobiltelefon",
        "phone",
        "phone number",
        "mobile",
        "telephone",
    ),
    "phone2": ("telefon 2", "telefonszam 2", "tel 2", "masodik telefon", "egyeb telefon", "second phone", "phone 2"),
    "address": ("cim", "lakcim", "teljes cim", "lakohely", "address", "full address", "postal address"),
    "postcode": ("iranyitoszam", "irsz", "ir szam", "irszam", "postcode", "postal code", "zip", "zip code"),
    "settlement": ("telepules", "varos", "helyseg", "settlement", "city", "town"),
    "street": ("utca", "utca hazszam", "kozterulet", "utca es hazszam", "street", "street address", "address line"),
    "house_number": ("hazszam", "hsz", "house number", "number"),
    "loyalty_card": (
        "kartyaszam",
        "hegyvidek kartya",
        "hegyvidek kartya szam",
        "hegyvidek kartyaszam",
        "kartya",
        "torzsvasarloi kartya",
        "loyalty card",
        "card number",
        "card",
    ),
    "newsletter": (
        "hirlevel",
        "hirlevel feliratkozas",
        "hirlevel hozzajarulas",
        "hirlevelet ker",
        "newsletter",
        "newsletter consent",
    ),
    "sms": ("sms", "sms hozzajarulas", "sms ertesites", "sms consent"),
    "tags": ("cimkek", "cimke", "tags", "tag", "labels"),
    "note": ("megjegyzes", "megj", "note", "notes", "comment", "comments"),
}
_HEADER_TARGET = {name: target for target, names in _HEADERS.items() for name in names}
#: A second column of the same kind fills the second field.
_SECOND = {"email": "email2", "phone": "phone2"}


def header_key(text: str) -> str:
    """'E-mail cím:' -> 'e mail cim'."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def mapping_guess(headers: list[str]) -> list[str]:
    """A target per column from its header; a column nobody recognises is ignored, and a
    target is given to one column only."""
    used: set[str] = set()
    guessed = []
    for header in headers:
        key = header_key(header)
        target = _HEADER_TARGET.get(key) or _HEADER_TARGET.get(re.sub(r"\s*\d+$", "", key), "")
        if target in used and target in _SECOND:
            target = _SECOND[target]
        if not target or target in used:
            target = IGNORE
        if target != IGNORE:
            used.add(target)
        guessed.append(target)
    return guessed


def mapping_validate(mapping: list[str], *, columns: int) -> list[str]:
    """The mapping as given, checked: one target per column, each target once, something
    that identifies a person mapped. Raises `CrmError(IMPORT_MAPPING_INVALID)`."""
    problems = []
    if len(mapping) != columns:
        problems.append(_("Choose a field for every column."))
    unknown = [m for m in mapping if m not in TARGETS]
    if unknown:
        problems.append(_("Unknown field: %(field)s.") % {"field": ", ".join(unknown)})
    seen: dict[str, int] = {}
    for index, target in enumerate(mapping):
        if target == IGNORE or target not in TARGETS:
            continue
        if target in seen:
            problems.append(
                _("%(field)s is chosen for column %(first)d and column %(second)d.")
                % {"field": TARGETS[target], "first": seen[target] + 1, "second": index + 1}
            )
        seen[target] = index
    if not seen.keys() & {"full_name", "family_name", "given_names", "email", "phone"}:
        problems.append(_("Map at least a name, an email address or a phone number column."))
    if problems:
        raise CrmError(ErrorCode.IMPORT_MAPPING_INVALID, problems[0], fields={"mapping": problems})
    return list(mapping)


# --- one row --------------------------------------------------------------------------------------
@dataclass
class RowInput:
    data: ClientData
    tags: list[str] = field(default_factory=list)
    note: str = ""
    errors: list[str] = field(default_factory=list)  # the row is refused
    warnings: list[str] = field(default_factory=list)  # imported, with a word for the clerk
    email_keys: list[str] = field(default_factory=list)  # cleansed, lowercase: for matching
    card: str = ""  # cleansed


_TRUE = {"igen", "i", "yes", "y", "1", "x", "true", "igaz", "ok", "+", "van", "hozzajarult", "elfogadva"}
_FALSE = {"nem", "n", "no", "0", "false", "hamis", "-", "nincs", "megtagadta", "elutasitva"}
_FEMALE = {"no", "n", "noi", "female", "f", "woman", "w", "holgy", "asszony"}
_MALE = {"ferfi", "ffi", "f", "male", "m", "man", "ur"}
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_FORMATS = (
    r"(?P<y>\d{4})\s*[.\-/]\s*(?P<m>\d{1,2})\s*[.\-/]\s*(?P<d>\d{1,2})\.?",  # 1980.05.17. 1980-05-17 1980/5/17
    r"(?P<d>\d{1,2})\s*[.\-/]\s*(?P<m>\d{1,2})\s*[.\-/]\s*(?P<y>\d{4})\.?",  # 17/05/1980 17.05.1980
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januar", "january"),
            ("feb", "februar", "february"),
            ("mar", "marc", "marcius", "march"),
            ("apr", "aprilis", "april"),
            ("maj", "majus", "may"),
            ("jun", "junius", "june"),
            ("jul", "julius", "july"),
            ("aug", "augusztus", "august"),
            ("szept", "szep", "sep", "sept", "szeptember", "september"),
            ("okt", "oct", "oktober", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_LIMITS = {"name_prefix": 30, "family_name": 100, "given_names": 150}


def parse_date(text: str) -> datetime.date | None:
    """'1980.05.17.', '1980. 05. 17.', '1980-05-17', '17/05/1980', '1980. május 17.', an ISO
    date-time and an Excel day number (29358) -> a date; None when it is none of these. A
    raised ValueError means it looked like a date but is no day of the calendar."""
    text = text.strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", text) and 1 <= float(text) <= 80_000:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    text = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "", text)
    for pattern in _DATE_FORMATS:
        match = re.fullmatch(pattern, text)
        if match:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    match = re.fullmatch(r"(\d{4})\.?\s*([^\W\d_]+)\.?\s*(\d{1,2})\.?", text)
    if match and fold(match[2]) in _MONTHS:
        return datetime.date(int(match[1]), _MONTHS[fold(match[2])], int(match[3]))
    return None


def _yes_no(text: str) -> bool | None:
    key = fold(text).strip(" .")
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(text)


def _gender(text: str) -> str:
    key = fold(text).strip(" .")
    if key in ("f",):  # "F" is "female" in English files and "férfi" in Hungarian ones
        raise ValueError(text)
    if key in _FEMALE:
        return Gender.FEMALE
    if key in _MALE:
        return Gender.MALE
    raise ValueError(text)


def _phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    # Excel drops the leading 0 of "06301234567" in a number cell
    if text.strip().isdigit() and len(digits) == 10 and digits.startswith("6"):
        return "0" + digits
    return text


_ADDRESS = re.compile(r"^(?P<postcode>(?:H-?)?\d{4})\s+(?P<settlement>[^,]+?)\s*,\s*(?P<street>.+)$")


def _address(values: dict[str, str]) -> AddressData | None:
    postcode, settlement, street = values.get("postcode", ""), values.get("settlement", ""), values.get("street", "")
    full = values.get("address", "")
    if full:
        match = _ADDRESS.match(full)
        if match:
            postcode = postcode or match["postcode"]
            settlement = settlement or match["settlement"]
            street = street or match["street"]
        else:
            street = street or full
    house_number = values.get("house_number", "")
    if not any((postcode, settlement, street, house_number)):
        return None
    return AddressData(
        postcode=postcode, settlement=settlement, street_name=street, house_number=house_number, is_default=True
    )


def row_input(cells: list[str], mapping: list[str], *, consent_source: str) -> RowInput:
    """One row's cells as `ClientData`, with the reasons it cannot be imported, if any."""
    values = {target: cell.strip() for target, cell in zip(mapping, cells, strict=False) if target != IGNORE}
    values = {k: v for k, v in values.items() if v}
    data = ClientData()
    row = RowInput(data=data)
    if "full_name" in values:
        split = cleansing.name_split(values["full_name"])
        data.name_prefix, data.family_name, data.given_names = split.name_prefix, split.family_name, split.given_names
    data.name_prefix = values.get("name_prefix", data.name_prefix)
    data.family_name = values.get("family_name", data.family_name)
    data.given_names = values.get("given_names", data.given_names)
    for name, limit in _LIMITS.items():
        if len(getattr(data, name)) > limit:
            row.errors.append(
                _("%(field)s is longer than %(limit)d characters.") % {"field": _field_label(name), "limit": limit}
            )
    if "gender" in values:
        try:
            data.gender = _gender(values["gender"])
        except ValueError:
            row.warnings.append(
                _("Gender %(value)s not understood (use nő/férfi or female/male); inferred from the given name.")
                % {"value": values["gender"]}
            )
    if "birth_date" in values:
        try:
            data.birth_date = parse_date(values["birth_date"])
        except ValueError:
            data.birth_date = None
            row.errors.append(_("The date of birth %(value)s is not a date.") % {"value": values["birth_date"]})
        else:
            if data.birth_date is None:
                row.errors.append(
                    _("The date of birth %(value)s is not a date (write it as 1980.05.17.).")
                    % {"value": values["birth_date"]}
                )
    for target in ("email", "email2"):
        if target in values:
            data.emails.append(EmailData(address=values[target], is_default=target == "email"))
            row.email_keys.append(cleansing.email_key(cleansing.email_cleanse(values[target]).value))
    for target in ("phone", "phone2"):
        if target in values:
            data.phones.append(PhoneData(number=_phone(values[target]), is_default=target == "phone"))
    address = _address(values)
    if address is not None:
        data.addresses.append(address)
    if "loyalty_card" in values:
        data.loyalty_card_number = values["loyalty_card"]
        row.card = cleansing.loyalty_card_cleanse(values["loyalty_card"])
    for target, channel in (("newsletter", ConsentChannel.NEWSLETTER), ("sms", ConsentChannel.SMS)):
        if target in values:
            try:
                granted = _yes_no(values[target])
            except ValueError:
                row.errors.append(
                    _("%(field)s: %(value)s is neither yes nor no (use igen/nem, yes/no, 1/0 or x).")
                    % {"field": TARGETS[target], "value": values[target]}
                )
            else:
                data.consents[channel] = ConsentData(granted=granted, source=consent_source)
    if "tags" in values:
        names = [" ".join(t.split()) for t in re.split(r"[,;|]", values["tags"])]
        limit = Tag._meta.get_field("name").max_length
        row.tags = list(dict.fromkeys(n for n in names if n))
        if any(len(n) > limit for n in row.tags):
            row.errors.append(_("A tag is longer than %(limit)d characters.") % {"limit": limit})
    row.note = values.get("note", "")
    if not (data.family_name or data.given_names or data.emails or data.phones):
        row.errors.append(_("The row has no name, email address or phone number."))
    return row


def _field_label(name: str) -> str:
    return str(Client._meta.get_field(name).verbose_name).capitalize()


def same_address(data: AddressData, stored: ClientAddress) -> bool:
    """The imported address is one the client has already (compared after cleansing)."""
    from crm.addresses import AddressInput, address_check

    result = address_check(
        AddressInput(
            postcode=data.postcode,
            settlement=data.settlement,
            street_name=data.street_name,
            street_type=data.street_type,
            house_number=data.house_number,
        )
    )
    return (result.postcode, result.street_key, result.house_number.upper()) == (
        stored.postcode,
        stored.street_key,
        stored.house_number.upper(),
    )
