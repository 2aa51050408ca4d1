"""Rendering of administrative decisions (`határozat`) to PDF/A-3b.

`decision_pdf(data)` fills the Django template `eservices/documents/decision.html` and prints
it with WeasyPrint as PDF/A-3b: every font embedded (the bundled Liberation fonts, SIL OFL
1.1, see `fonts/LICENSE-OFL-1.1.txt`), an sRGB output intent, XMP metadata, tagged
structure, document language `hu`, and the decision data as a machine-readable JSON
attachment (`hatarozat.json`, AFRelationship /Data; PDF/A-3 allows embedded files).

The output depends only on `data`: creation dates come from `decided_at`, so the same data
render to the same bytes (useful for idempotent callers and for tests).
"""

from __future__ import annotations

import atexit
import base64
import io
import json
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import qrcode
from django.template.loader import render_to_string

FONTS_DIR = Path(__file__).with_name("fonts")
STYLESHEET = Path(__file__).with_name("decision.css")
TEMPLATE = "eservices/documents/decision.html"
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
OUTCOME_LABELS = {"granted": "A kérelemnek helyt adok.", "refused": "A kérelmet elutasítom."}


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
        if self.outcome not in OUTCOME_LABELS:
            raise ValueError(f"outcome must be one of {sorted(OUTCOME_LABELS)}")
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


def qr_png_data_uri(url: str) -> str:
    """The verification URL as a QR code: a 1-bit PNG of one pixel per module, as a data: URI.

    Printed at 28 mm without interpolation (`image-rendering: pixelated`), every module is a
    sharp square at any zoom or print resolution, and the renderer places one small image
    instead of parsing hundreds of vector path commands."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def decision_context(data: DecisionData) -> dict[str, Any]:
    local = data.decided_at.astimezone(BUDAPEST)
    return {
        "d": data,
        "title": KIND_TITLES[data.kind],
        "document_title": f"{KIND_TITLES[data.kind].capitalize()} – {data.subject} – {data.filing_number}",
        "granted": data.outcome == "granted",
        "outcome_label": OUTCOME_LABELS[data.outcome],
        "decided_date": hu_date(local.date()),
        "decided_datetime": hu_datetime(local),
        "decided_iso": local.isoformat(timespec="seconds"),
        "birth_date": hu_date(data.resident.birth_date),
        "permit_valid_from": hu_date(data.permit.valid_from) if data.permit else "",
        "permit_valid_until": hu_date(data.permit.valid_until) if data.permit else "",
        "qr": qr_png_data_uri(data.verification_url) if data.verification_url else "",
    }


def decision_html(data: DecisionData) -> str:
    return render_to_string(TEMPLATE, decision_context(data))


_styles: dict[int, tuple[int, Any, Any]] = {}  # thread id → (stylesheet mtime, CSS, FontConfiguration)
_styles_lock = threading.Lock()


def _stylesheet() -> tuple[Any, Any]:
    """The parsed stylesheet and its fonts, once per thread: parsing the CSS and loading the
    five font faces costs more than laying out a page. WeasyPrint's font configuration wraps
    fontconfig/Pango objects that are not shared across threads, hence one per thread."""
    thread = threading.get_ident()
    stamp = STYLESHEET.stat().st_mtime_ns
    with _styles_lock:
        cached = _styles.get(thread)
    if cached is None or cached[0] != stamp:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(string=STYLESHEET.read_text("utf-8"), base_url=str(FONTS_DIR) + "/", font_config=font_config)
        cached = (stamp, css, font_config)
        with _styles_lock:
            alive = {t.ident for t in threading.enumerate()}
            for gone in [ident for ident in _styles if ident not in alive]:
                del _styles[gone]  # threads that ended: let their fonts go
            _styles[thread] = cached
    return cached[1], cached[2]


@atexit.register
def _release_stylesheets() -> None:
    # font configurations clean their temporary folder when collected: do it while Python still runs
    with _styles_lock:
        _styles.clear()


def decision_pdf(data: DecisionData) -> bytes:
    """Render the decision as PDF/A-3b (fonts embedded, JSON data attached). Pure: same data, same bytes."""
    from weasyprint import HTML, Attachment  # heavy import (pango), only where documents are made

    created = data.decided_at.astimezone(BUDAPEST)
    attachment = Attachment(
        string=data.as_json(),
        name=ATTACHMENT_NAME,
        description="A határozat adatai gépi feldolgozásra (JSON)",
        created=created,
        modified=created,
        relationship="Data",
    )
    css, font_config = _stylesheet()
    html = HTML(string=decision_html(data), base_url=str(FONTS_DIR) + "/")
    return html.write_pdf(
        stylesheets=[css],
        font_config=font_config,
        pdf_variant="pdf/a-3b",
        pdf_tags=True,
        attachments=[attachment],
        custom_metadata=True,
        finisher=_dedupe_associated_files,
    )


def _dedupe_associated_files(_document: Any, pdf: Any) -> None:
    """WeasyPrint 70 lists each PDF/A-3 associated file twice in /AF (an inline copy and the
    reference); keep one reference per file so the catalogue names each file exactly once."""
    files = pdf.catalog.get("AF")
    if not files:
        return
    references = []
    for item in files:
        # pydyf writes references as b"N 0 R"; objects (dicts) know theirs
        reference = item if isinstance(item, bytes | str) else getattr(item, "reference", None)
        if reference and reference not in references:
            references.append(reference)
    files.clear()
    files.extend(references)
