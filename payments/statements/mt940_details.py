"""The `:86:` information-to-account-owner field of MT940, as Hungarian banks fill it.

Three styles occur:

* structured sub-fields (the German/DATEV layout several Hungarian banks adopted):
  `051?00ÁTUTALÁS?20RF18 5390 0754 7034?21KÖZTERÜLET-HASZNÁLAT?31117730161111101800000000?32KISS PÉTER`
  with `?20`-`?29` and `?60`-`?63` the remittance, `?32`/`?33` the name, `?31` the account
  (`?38` the IBAN when the bank gives both); SEPA keywords (`EREF+`, `SVWZ+`) may sit inside;
* labelled lines: `PARTNER: NAGY ÉVA` / `SZÁMLA: HU…` / `KÖZLEMÉNY: …`;
* free text, taken whole as the remittance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import normalise_iban
from .values import collapse

_SWIFT_LINE = 65  # an `:86:` line is at most 65 characters; a full line was wrapped mid-text
_STRUCTURED = re.compile(r"(?:\d{3})?\?\d{2}")
_SUBFIELD = re.compile(r"\?(\d{2})")
_SEPA_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|SVWZ|ABWA|ABWE|PURP|DEBT|COAM|OAMT)\+")
_LABEL = re.compile(r"\s*([^\W\d_][^\W_]*(?:[ /.-][^\W\d_]+)*)\s*:\s*(.*)")
_NAME_LABELS = frozenset(
    {"PARTNER", "PARTNER NEVE", "NÉV", "NEV", "BEFIZETŐ", "KEDVEZMÉNYEZETT", "MEGBÍZÓ", "ELLENOLDALI NÉV", "ELLENFÉL"}
)
_ACCOUNT_LABELS = frozenset(
    {
        "SZÁMLA",
        "SZLA",
        "SZÁMLASZÁM",
        "PARTNER SZÁMLA",
        "PARTNER SZÁMLASZÁMA",
        "ELLENSZÁMLA",
        "IBAN",
        "ELLENOLDALI SZÁMLA",
    }
)
_REMITTANCE_LABELS = frozenset({"KÖZLEMÉNY", "KÖZL", "KOZLEMENY", "KOZL", "MEGJEGYZÉS"})
_E2E_LABELS = frozenset({"E2E", "EREF", "END-TO-END", "END TO END", "VÉGPONTTÓL VÉGPONTIG AZONOSÍTÓ"})


@dataclass(frozen=True)
class Details:
    name: str = ""
    iban: str = ""
    remittance: str = ""
    end_to_end_id: str = ""


def parse_details(raw: str) -> Details:
    lines = [line.rstrip() for line in raw.split("\n")]
    if _STRUCTURED.match(lines[0] if lines else ""):
        return _structured(lines)
    return _free_text(lines)


def _join_wrapped(parts: list[str], width: int) -> str:
    """Join pieces that a bank cut at a fixed width: a piece as long as the width was cut
    mid-text and continues directly; a shorter one ended at a word boundary."""
    text = parts[0] if parts else ""
    for previous, part in zip(parts, parts[1:], strict=False):
        text += part if len(previous) >= width else " " + part
    return text


def _structured(lines: list[str]) -> Details:
    # A line starting a new sub-field is glued on; otherwise the line-width rule applies.
    joined = lines[0]
    for previous, line in zip(lines, lines[1:], strict=False):
        joined += line if _SUBFIELD.match(line) or len(previous) >= _SWIFT_LINE else " " + line
    pieces = _SUBFIELD.split(joined)
    fields: dict[str, list[str]] = {}
    for code, value in zip(pieces[1::2], pieces[2::2], strict=True):
        fields.setdefault(code, []).append(value)
    remittance_parts = [
        v for code in sorted(fields) if code[0] == "2" or code in ("60", "61", "62", "63") for v in fields[code]
    ]
    width = max((len(p) for p in remittance_parts), default=0)
    remittance = _join_wrapped(remittance_parts, width if width >= 27 else 10**6)
    name_parts = fields.get("32", []) + fields.get("33", [])
    name_width = max((len(p) for p in name_parts), default=0)
    name = _join_wrapped(name_parts, name_width if name_width >= 27 else 10**6)
    account = "".join(fields.get("38", [])) or "".join(fields.get("31", []))
    end_to_end = ""
    keywords = list(_SEPA_KEYWORD.finditer(remittance))
    if keywords and keywords[0].start() == 0:
        values = {}
        for index, match in enumerate(keywords):
            stop = keywords[index + 1].start() if index + 1 < len(keywords) else len(remittance)
            values[match.group(1)] = remittance[match.end() : stop]
        remittance = values.get("SVWZ", "")
        end_to_end = collapse(values.get("EREF", ""))
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    return Details(
        name=collapse(name),
        iban=normalise_iban(account),
        remittance=collapse(remittance),
        end_to_end_id=end_to_end,
    )


def _free_text(lines: list[str]) -> Details:
    name = account = end_to_end = ""
    remittance: list[str] = []
    for line in lines:
        match = _LABEL.fullmatch(line)
        label = collapse(match.group(1)).upper() if match else ""
        if label in _NAME_LABELS:
            name = match.group(2)
        elif label in _ACCOUNT_LABELS:
            account = match.group(2)
        elif label in _E2E_LABELS:
            end_to_end = match.group(2).strip()
        elif label in _REMITTANCE_LABELS:
            remittance.append(match.group(2))
        else:
            remittance.append(line)  # free text, or the continuation of a wrapped remittance
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    return Details(
        name=collapse(name),
        iban=normalise_iban(account),
        remittance=collapse(" ".join(remittance)),
        end_to_end_id=end_to_end,
    )
