"""Given names and their gender; inferring a client's gender from the first name.

The first-name database is the `GivenName` table: the bundled list (`crm/data/given_names.tsv`,
loaded by a migration), the official lists of registrable names (`crm_import_given_names`) and
staff corrections. Staff corrections win: nothing else overwrites them.

One row per folded key ("zsofia"), so "Zsófia" and "Zsofia" are the same name and accent-free
input still finds it. A few names differ only in accents and have different genders (Dália is a
woman's name, Dalia a man's): their row says "both", and the bundled list keeps the gender of
each spelling, used when the text carries accents (a text without any may have lost them, so
there the name stays ambiguous). A staff correction applies to the key, every spelling.

Inference follows the Hungarian name order: the first given name decides; a title, an unknown
or a "both" name passes the decision to the next one. A name not in the database may still be a
married name ("Jánosné": Mrs János) or a foreign one (the gender-guesser library).
"""

from __future__ import annotations

import codecs
import functools
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from crm.models import GivenName
from crm.normalise import TITLES, fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "given_names.tsv"

FEMALE, MALE, BOTH, UNKNOWN = "female", "male", "both", ""
GENDERS = (FEMALE, MALE, BOTH)

BUILTIN, OFFICIAL, STAFF = "builtin", "official", "staff"

#: How long a process trusts its copy of the table before asking the database whether it changed.
CHECK_EVERY_S = 5.0
#: Distinct given-name texts remembered per process; a bulk import repeats the same few thousand.
MEMO_MAX = 200_000
MAX_NAME_LENGTH = 60

_GUESSER = {"male": MALE, "mostly_male": MALE, "female": FEMALE, "mostly_female": FEMALE}
_TOKEN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


# --- the bundled list ----------------------------------------------------------------------------


@functools.cache
def _bundled() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """The bundled list as {key: (name, gender)}, first spelling of a key named, genders merged;
    and {spelling: gender} for the keys whose spellings disagree."""
    spellings: dict[str, dict[str, str]] = {}
    for number, line in enumerate(DATA_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _sep, gender = line.partition("\t")
        name, gender = unicodedata.normalize("NFC", name.strip()), gender.strip()
        if gender not in GENDERS or not _is_name(name):
            raise ValueError(f"{DATA_FILE.name}:{number}: not a name<TAB>gender line: {line!r}")
        spellings.setdefault(fold(name), {})[name] = gender
    entries, ambiguous = {}, {}
    for key, genders in spellings.items():
        entries[key] = (next(iter(genders)), _merge(*genders.values()))
        if len(set(genders.values())) > 1:
            ambiguous.update({name.casefold(): gender for name, gender in genders.items()})
    return entries, ambiguous


def _merge(*genders: str) -> str:
    return genders[0] if len(set(genders)) == 1 else BOTH


def load_builtin_given_names(model) -> int:
    """Load the bundled list into `model` (the GivenName class, historical in migrations); rows
    already there are left alone. Returns the number of names in the list."""
    entries, _ambiguous = _bundled()
    model.objects.bulk_create(
        [model(name=name, key=key, gender=gender, source=BUILTIN) for key, (name, gender) in entries.items()],
        ignore_conflicts=True,
        batch_size=1000,
    )
    given_names_cache_clear()
    return len(entries)


# --- the per-process copy of the table -----------------------------------------------------------


@dataclass
class _Names:
    by_key: dict[str, str]
    by_spelling: dict[str, str]
    signature: tuple
    checked_at: float
    memo: dict[str, str]


_cache: _Names | None = None
_cache_lock = threading.Lock()


def given_names_cache_clear() -> None:
    """Forget this process's copy of the table; the next inference reads it again. Other
    processes notice a change within `CHECK_EVERY_S`."""
    global _cache
    _cache = None


def _signature() -> tuple:
    summary = GivenName.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return summary["latest"], summary["count"]


def _names() -> _Names:
    global _cache
    cache, now = _cache, time.monotonic()
    if cache is not None and now - cache.checked_at < CHECK_EVERY_S:
        return cache
    with _cache_lock:
        cache = _cache
        if cache is not None and now - cache.checked_at < CHECK_EVERY_S:
            return cache
        signature = _signature()
        if cache is not None and cache.signature == signature:
            cache.checked_at = now
            return cache
        cache = _load(signature, now)
        _cache = cache
        return cache


def _load(signature: tuple, now: float) -> _Names:
    by_key, ambiguous_keys = {}, set()
    for key, gender, source in GivenName.objects.values_list("key", "gender", "source").iterator():
        by_key[key] = gender
        # a staff member's "both" (or any answer) is final; the list's spellings only split
        # an ambiguity the lists themselves made
        if gender == BOTH and source != STAFF:
            ambiguous_keys.add(key)
    _entries, spellings = _bundled()
    by_spelling = {name: gender for name, gender in spellings.items() if fold(name) in ambiguous_keys}
    return _Names(by_key=by_key, by_spelling=by_spelling, signature=signature, checked_at=now, memo={})


# --- inference -----------------------------------------------------------------------------------


def gender_infer(given_names: str) -> str:
    """The gender of a person with these given names: "female", "male" or "" (unknown)."""
    names = _names()
    result = names.memo.get(given_names)
    if result is None:
        result = _infer(given_names, names)
        if len(names.memo) >= MEMO_MAX:
            names.memo.clear()
        names.memo[given_names] = result
    return result


def _infer(given_names: str, names: _Names) -> str:
    text = unicodedata.normalize("NFC", given_names or "")
    accented = not text.isascii()
    for token in _TOKEN.findall(text):  # "Anna-Mária" is two names, "dr." a word and a dot
        key = fold(token)
        if len(key) < 2 or key in TITLES:
            continue
        if accented and (gender := names.by_spelling.get(token.casefold())):
            return gender
        gender = names.by_key.get(key)
        if gender in (FEMALE, MALE):
            return gender
        if gender == BOTH:
            continue
        if _is_married_name(token, key, names):
            return FEMALE
        if gender := _guess_foreign(token):
            return gender
    return UNKNOWN


def _is_married_name(token: str, key: str, names: _Names) -> bool:
    """A wife named after her husband: "Jánosné", "Bélané", "Istvánné". Without the accent the
    ending is ordinary ("Antoine"), so there the husband's name must be a known one."""
    if len(key) < 5 or not key.endswith("ne"):
        return False
    if token.casefold().endswith("né"):
        return True
    return names.by_key.get(key[:-2]) in (MALE, BOTH)


@functools.cache
def _detector():
    # ~45,000 names: loaded on the first name our own list does not know, once per process
    from gender_guesser.detector import Detector

    return Detector(case_sensitive=False)


def _guess_foreign(token: str) -> str:
    detector = _detector()
    result = detector.get_gender(token)
    if result == "unknown" and not token.isascii():
        result = detector.get_gender(fold(token))
    return _GUESSER.get(result, UNKNOWN)


# --- staff corrections ---------------------------------------------------------------------------


def given_name_clean(name: str) -> str:
    """A single given name as written ("Zsófia"); raises ValidationError for anything else."""
    cleaned = _as_name(name or "")
    if cleaned is None:
        raise ValidationError(_("Enter a single given name of letters only, such as “Zsófia”."), code="not_a_name")
    return cleaned


def given_name_set_gender(*, name: str, gender: str, user) -> GivenName:
    """Set the gender of a name (adding the name if it is missing) as a staff correction, which
    no import overwrites. Audited."""
    name = given_name_clean(name)
    if gender not in GENDERS:
        raise ValidationError(_("Unknown gender: %(gender)s."), code="gender", params={"gender": gender})
    key = fold(name)
    with transaction.atomic():
        entry, created = GivenName.objects.select_for_update().get_or_create(
            key=key, defaults={"name": name, "gender": gender, "source": STAFF, "updated_by": user}
        )
        before = None if created else {"name": entry.name, "gender": entry.gender, "source": entry.source}
        if not created:
            entry.name, entry.gender, entry.source, entry.updated_by = name, gender, STAFF, user
            entry.save()
        log(
            instance=entry,
            action="crm.given_name_corrected",
            user=user,
            data={"name": name, "gender": gender, "before": before},
        )
    given_names_cache_clear()
    return entry


# --- the official lists --------------------------------------------------------------------------


def given_names_import(lines: Iterable[str] | bytes, *, gender: str) -> ImportResult:
    """Import one official list of registrable given names (all of one gender), one name per
    line; bytes are decoded as UTF-8, else Latin-2 (Windows-1250). A name on both lists becomes
    "both"; a name of the bundled list takes the official gender; staff corrections stay."""
    if gender not in (FEMALE, MALE):
        raise ValueError(f"gender must be {FEMALE!r} or {MALE!r}, not {gender!r}")
    if isinstance(lines, bytes | bytearray):
        lines = _decode(bytes(lines)).splitlines()
    elif isinstance(lines, str):
        lines = lines.splitlines()

    wanted: list[tuple[str, str]] = []
    skipped = 0
    for line in lines:
        text = line.replace("\ufeff", "").strip()
        if not text:
            continue
        name = _as_name(text)
        if name is None:
            skipped += 1
        else:
            wanted.append((fold(name), name))

    created = updated = unchanged = 0
    now = timezone.now()
    with transaction.atomic():
        keys = {key for key, _name in wanted}
        rows = {row.key: row for row in GivenName.objects.select_for_update().filter(key__in=keys)}
        new, changed = {}, {}
        for key, name in wanted:
            row = new.get(key) or rows.get(key)
            if row is None:
                new[key] = GivenName(key=key, name=name, gender=gender, source=OFFICIAL)
                created += 1
            elif row.source == STAFF or (row.source == OFFICIAL and row.gender in (gender, BOTH)):
                unchanged += 1
            else:
                if row.source == OFFICIAL:
                    row.gender = BOTH  # on the other list too
                else:  # the bundled list yields to the official one
                    row.name, row.gender, row.source = name, gender, OFFICIAL
                row.updated_at = now  # bulk_update does not touch auto_now fields
                changed[key] = row
                updated += 1
        GivenName.objects.bulk_create(new.values(), batch_size=1000)
        GivenName.objects.bulk_update(changed.values(), ["name", "gender", "source", "updated_at"], batch_size=1000)
    given_names_cache_clear()
    return ImportResult(created=created, updated=updated, unchanged=unchanged, skipped=skipped)


def _decode(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Windows-1250 puts letters and quotes where Latin-2 has control characters (0x80-0x9f);
    # the Hungarian letters, ő and ű included, sit at the same places in both
    if any(0x80 <= byte <= 0x9F for byte in data):
        return data.decode("cp1250", errors="replace")
    return data.decode("iso-8859-2")


def _is_name(text: str) -> bool:
    return 2 <= len(text) <= MAX_NAME_LENGTH and text.isalpha()


def _as_name(text: str) -> str | None:
    """The given name a line or a form field holds ("ZSÓFIA" -> "Zsófia"), or None."""
    name = unicodedata.normalize("NFC", text).strip()
    if not _is_name(name):
        return None
    if name.isupper() or name.islower():
        name = name[0].upper() + name[1:].lower()
    return name
