"""Rendering of administrative decisions (`határozat`) to PDF/A-3b.

`decision_pdf(data)` typesets the Typst template `decision.typ` (beside this module) with the
decision data as JSON input, as PDF/A-3b: every font embedded (the bundled Liberation fonts,
SIL OFL 1.1, see `fonts/LICENSE-OFL-1.1.txt`), an sRGB output intent, XMP metadata, tagged
structure (headings, lists, tables, the QR code's alternative text), document language `hu`,
and the decision data as a machine-readable JSON attachment (`hatarozat.json`,
AFRelationship /Data; PDF/A-3 allows embedded files). Typst lays out the two pages in about
a tenth of the CPU an HTML-to-PDF renderer needs, which is what lets two cores issue several
signed decisions per second.

The output depends only on `data`: creation dates come from `decided_at`, so the same data
render to the same bytes (useful for idempotent callers and for tests).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import qrcode

TEMPLATE = Path(__file__).with_name("decision.typ")
ATTACHMENT_NAME = "hatarozat.json"
JSON_SCHEMA = "https://e-portal.hegyvidek.hu/schemas/decision/1"
BUDAPEST = ZoneInfo("Europe/Budapest")

HU_MONTHS = (
    "január",
    "február",
    "március",
    "április",
    "május",
    "június",
    "július",
    "augusztus",
    "szeptember",
    "október",
    "november",
    "december",
)

KIND_TITLES = {"decision": "HATÁROZAT", "simplified_decision": "EGYSZERŰSÍTETT HATÁROZAT"}
OUTCOMES = ("granted", "refused")


@dataclass(frozen=True)
class Authority:
    """The deciding authority (`hatóság`) as printed in the letterhead."""

    name: str  # e.g. "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat Jegyzője"
    address: str  # e.g. "1126 Budapest, Böszörményi út 23–25."
    head_title: str  # the office head in whose name the decision is made, e.g. "jegyző"
    head_name: str = ""  # optional, e.g. "dr. Példa Péter"
    office: str = ""  # optional, e.g. "Polgármesteri Hivatal"
    contact: str = ""  # optional, e.g. "ugyfelszolgalat@hegyvidek.hu · +36 1 224 5900"


@dataclass(frozen=True)
class Resident:
    """The client (`ügyfél`) the decision is addressed to."""

    name: str
    birth_name: str
    birth_date: date | None
    mother_name: str
    address: str


@dataclass(frozen=True)
class Permit:
    """The residential parking permit (`lakossági várakozási hozzájárulás`) granted."""

    number: str
    plate: str
    zone: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class EligibilityCheck:
    """One eligibility rule with the fact it was checked against and its result (optional table)."""

    rule: str
    fact: str
    met: bool


@dataclass(frozen=True)
class DecisionData:
    """Everything a decision shows. Texts of law and reasoning come from the caller (the service type)."""

    authority: Authority
    case_reference: str  # ügyszám
    filing_number: str  # iktatószám: filing number in the document management system
    subject: str  # e.g. "lakossági várakozási hozzájárulás"
    kind: Literal["decision", "simplified_decision"]
    resident: Resident
    outcome: Literal["granted", "refused"]
    operative_part: Sequence[str]  # rendelkező rész
    reasoning: Sequence[str]  # indokolás: facts from registries, each rule and its result
    legal_basis: Sequence[str]
    remedy: str  # jogorvoslati tájékoztatás
    permit: Permit | None
    decided_at: datetime  # aware; printed in Europe/Budapest
    place: str = "Budapest"
    verification_url: str = ""
    language: str = "hu"
    checks: Sequence[EligibilityCheck] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("operative_part", "reasoning", "legal_basis", "checks"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.kind not in KIND_TITLES:
            raise ValueError(f"kind must be one of {sorted(KIND_TITLES)}")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}")
        if self.decided_at.tzinfo is None:
            raise ValueError("decided_at must be timezone-aware")
        if self.outcome == "granted" and self.permit is None:
            raise ValueError("a granted decision needs the permit")
        if self.language != "hu":
            raise ValueError("only Hungarian decisions are supported")

    def as_json(self) -> bytes:
        """The machine-readable decision data embedded in the PDF (stable key order, UTF-8)."""
        payload = {"schema": JSON_SCHEMA, **asdict(self)}
        return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default).encode("utf-8")


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(BUDAPEST).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def hu_date(value: date | None) -> str:
    """2026. november 21. (an unknown date prints as a dash)"""
    if value is None:
        return "—"
    return f"{value.year}. {HU_MONTHS[value.month - 1]} {value.day}."


def hu_datetime(value: datetime) -> str:
    """2026. november 21. 14:05"""
    local = value.astimezone(BUDAPEST)
    return f"{hu_date(local.date())} {local:%H:%M}"


def qr_matrix(url: str) -> dict[str, Any]:
    """The verification URL as a QR code: one 8-bit grey pixel per module (0 dark, 255 light).

    Printed at 28 mm without interpolation (`scaling: "pixelated"`), every module is a sharp
    square at any zoom or print resolution, and the page holds one small image instead of
    hundreds of vector paths."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return {
        "size": code.modules_count,
        "pixels": [0 if dark else 255 for row in code.modules for dark in row],
    }


def decision_view(data: DecisionData) -> dict[str, Any]:
    """What the template prints, as JSON-ready values: texts as given, dates written the Hungarian way."""
    local = data.decided_at.astimezone(BUDAPEST)
    title = KIND_TITLES[data.kind]
    authority = data.authority
    return {
        "title": title,
        "document_title": f"{title.capitalize()} – {data.subject} – {data.filing_number}",
        "description": f"{title} – {data.subject} – ügyszám: {data.case_reference}, iktatószám: {data.filing_number}",
        "keywords": ["határozat", data.subject, data.filing_number],
        "subtitle": "a kérelemnek helyt adó döntés" if data.outcome == "granted" else "a kérelmet elutasító döntés",
        "authority": {
            "name": authority.name,
            "office": authority.office,
            "address_line": f"{authority.address} · {authority.contact}" if authority.contact else authority.address,
            "head_title": authority.head_title,
            "head_name": authority.head_name,
        },
        "case_reference": data.case_reference,
        "filing_number": data.filing_number,
        "subject": data.subject,
        "resident": {
            "name": data.resident.name,
            "birth_name": data.resident.birth_name,
            "birth_date": hu_date(data.resident.birth_date),
            "mother_name": data.resident.mother_name,
            "address": data.resident.address,
        },
        "operative_part": list(data.operative_part),
        "permit": (
            {
                "number": data.permit.number,
                "plate": data.permit.plate,
                "zone": data.permit.zone,
                "validity": f"{hu_date(data.permit.valid_from)} – {hu_date(data.permit.valid_until)}",
            }
            if data.permit
            else None
        ),
        "remedy": data.remedy,
        "reasoning": list(data.reasoning),
        "checks": [{"rule": check.rule, "fact": check.fact, "met": check.met} for check in data.checks],
        "legal_basis": list(data.legal_basis),
        "place": data.place,
        "decided_date": hu_date(local.date()),
        "automatic_note": (
            f"A döntést automatikus döntéshozatali eljárásban hoztuk ({hu_datetime(local)}); a dokumentumot "
            "elektronikus bélyegzővel / aláírással és időbélyeggel hitelesítettük. A papíralapú kinyomat csak "
            "tájékoztató jellegű; a hiteles példány az elektronikus dokumentum."
        ),
        "verification_url": data.verification_url,
        "qr": qr_matrix(data.verification_url) if data.verification_url else None,
        "attachment": data.as_json().decode("utf-8"),
    }


def decision_pdf(data: DecisionData) -> bytes:
    """Render the decision as PDF/A-3b (fonts embedded, tagged, JSON data attached). Pure: same data, same bytes."""
    from eservices.documents.typeset import typeset

    return typeset(TEMPLATE, decision_view(data), created_at=data.decided_at)
