"""Contract of the filing system (Poszeidon), version 1.

A filing number (iktatószám) is `XII/<main number>-<sub number>/<year>`: the main number
(főszám, `XII/1234/2026`) is one matter, numbered upwards within a year; its sub-numbers
(alszám) are the matter's items in order: 1 the arrival, 2… the documents issued in it.

    Authorization: Bearer <token>      X-Request-Id: <id> (echoed back)

    POST /v1/arrivals                  Idempotency-Key REQUIRED
    {"case_reference": "PP-2026-000017", "subject": "...", "classification": "B/12" (irattári tételszám),
     "client": {"name": "...", "address": "..."}, "received_at": "2026-11-02T10:15:00+01:00",
     "channel": "e-portal"}
    201 {"filing_number": "XII/1234-1/2026", "main_number": "XII/1234/2026", "registered_at": "..."}

    POST /v1/documents                 Idempotency-Key REQUIRED
    {"main_number": "XII/1234/2026" (or any filing number in it, e.g. the arrival's),
     "kind": "decision" | "simplified_decision", "document_sha256": "<64 hex>", "issued_at": "..."}
    201 {"filing_number": "XII/1234-2/2026", "main_number": "XII/1234/2026", "kind", "issued_at"}
    404 {"error": "not_found"}                (no such main number)

    POST /v1/documents/{filing_number}/delivery     idempotent by filing number (no key needed)
    {"delivered_at": "...", "channel": "e-portal-download"}
    200 {"filing_number", "delivered_at", "channel"}   a repeated call answers the first record
    404 {"error": "not_found"}                (no document issued under that number)

    GET  /v1/filings/{main_number}
    200 {"main_number", "arrival": {<Arrival>}, "documents": [{<FiledDocument>}, ...]} | 404

    400 {"error": "idempotency_key_required"} | {"error": "bad_request", "detail"}
    401 {"error": "unauthorized"}; 422 {"error": "idempotency_key_reused"}; 503 {"error": "unavailable"}

Filing numbers contain slashes: in a path they are percent-encoded (`XII%2F1234-2%2F2026`).
Datetimes are ISO 8601 with their UTC offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args
from urllib.parse import quote

DocumentKind = Literal["decision", "simplified_decision"]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
ARRIVAL_CHANNELS: tuple[str, ...] = ("e-portal", "ugyfelkapu", "post", "in-person")
DELIVERY_CHANNELS: tuple[str, ...] = ("e-portal-download", "ugyfelkapu", "post")
#: The filing office's prefix: Budapest XII. kerület Hegyvidéki Polgármesteri Hivatal.
OFFICE = "XII"

ARRIVALS_PATH = "/v1/arrivals"
DOCUMENTS_PATH = "/v1/documents"
FILINGS_PATH = "/v1/filings"

_FILING_NUMBER = re.compile(r"^([A-Z]+)/([0-9]+)-([0-9]+)/([0-9]{4})$")
_MAIN_NUMBER = re.compile(r"^([A-Z]+)/([0-9]+)/([0-9]{4})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def main_number(number: int, year: int) -> str:
    return f"{OFFICE}/{number}/{year}"


def filing_number(number: int, sub_number: int, year: int) -> str:
    return f"{OFFICE}/{number}-{sub_number}/{year}"


def parse_filing_number(value: str) -> tuple[int, int, int]:
    """`XII/1234-2/2026` → (1234, 2, 2026); `ValueError` for anything else."""
    match = _FILING_NUMBER.match(value.strip()) if isinstance(value, str) else None
    if match is None or match.group(1) != OFFICE:
        raise ValueError(f"not a filing number: {value!r}")
    return int(match.group(2)), int(match.group(3)), int(match.group(4))


def main_number_of(value: str) -> str:
    """The main number of a main number or of any filing number in it (`XII/1234-2/2026` → `XII/1234/2026`)."""
    if isinstance(value, str) and (match := _MAIN_NUMBER.match(value.strip())) and match.group(1) == OFFICE:
        return main_number(int(match.group(2)), int(match.group(3)))
    number, _sub, year = parse_filing_number(value)
    return main_number(number, year)


def is_sha256(value: Any) -> bool:
    return isinstance(value, str) and bool(_SHA256.match(value))


def delivery_path(number: str) -> str:
    return f"{DOCUMENTS_PATH}/{quote(number, safe='')}/delivery"


def filing_path(number: str) -> str:
    return f"{FILINGS_PATH}/{quote(number, safe='')}"


def _dt(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("datetime without UTC offset")
    return parsed


@dataclass(frozen=True)
class ArrivalReceipt:
    """The answer to registering an arrival: its filing number (iktatószám)."""

    filing_number: str
    main_number: str
    registered_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArrivalReceipt:
        parse_filing_number(data["filing_number"])
        return cls(
            filing_number=data["filing_number"],
            main_number=data.get("main_number") or main_number_of(data["filing_number"]),
            registered_at=_dt(data["registered_at"]),
        )


@dataclass(frozen=True)
class IssuedDocument:
    """The answer to issuing a document (kiadmányozás): its filing number."""

    filing_number: str
    main_number: str
    kind: str
    issued_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IssuedDocument:
        parse_filing_number(data["filing_number"])
        return cls(
            filing_number=data["filing_number"],
            main_number=data.get("main_number") or main_number_of(data["filing_number"]),
            kind=data["kind"],
            issued_at=_dt(data["issued_at"]),
        )


@dataclass(frozen=True)
class DeliveryRecord:
    """The record of a delivery (kézbesítés) of an issued document."""

    filing_number: str
    delivered_at: datetime
    channel: str

    def to_json(self) -> dict[str, str]:
        return {
            "filing_number": self.filing_number,
            "delivered_at": self.delivered_at.isoformat(),
            "channel": self.channel,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeliveryRecord:
        return cls(filing_number=data["filing_number"], delivered_at=_dt(data["delivered_at"]), channel=data["channel"])


@dataclass(frozen=True)
class Arrival:
    filing_number: str
    case_reference: str
    subject: str
    classification: str
    client_name: str
    client_address: str
    received_at: datetime
    channel: str
    registered_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "filing_number": self.filing_number,
            "case_reference": self.case_reference,
            "subject": self.subject,
            "classification": self.classification,
            "client": {"name": self.client_name, "address": self.client_address},
            "received_at": self.received_at.isoformat(),
            "channel": self.channel,
            "registered_at": self.registered_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Arrival:
        return cls(
            filing_number=data["filing_number"],
            case_reference=data["case_reference"],
            subject=data["subject"],
            classification=data["classification"],
            client_name=data["client"]["name"],
            client_address=data["client"]["address"],
            received_at=_dt(data["received_at"]),
            channel=data["channel"],
            registered_at=_dt(data["registered_at"]),
        )


@dataclass(frozen=True)
class FiledDocument:
    filing_number: str
    kind: str
    document_sha256: str
    issued_at: datetime
    delivery: DeliveryRecord | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "filing_number": self.filing_number,
            "kind": self.kind,
            "document_sha256": self.document_sha256,
            "issued_at": self.issued_at.isoformat(),
            "delivery": self.delivery.to_json() if self.delivery else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FiledDocument:
        delivery = data.get("delivery")
        return cls(
            filing_number=data["filing_number"],
            kind=data["kind"],
            document_sha256=data["document_sha256"],
            issued_at=_dt(data["issued_at"]),
            delivery=DeliveryRecord.from_json(delivery) if delivery else None,
        )


@dataclass(frozen=True)
class Filing:
    """One matter (főszám): its arrival and the documents issued in it, by sub-number."""

    main_number: str
    arrival: Arrival
    documents: tuple[FiledDocument, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "main_number": self.main_number,
            "arrival": self.arrival.to_json(),
            "documents": [document.to_json() for document in self.documents],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filing:
        return cls(
            main_number=data["main_number"],
            arrival=Arrival.from_json(data["arrival"]),
            documents=tuple(FiledDocument.from_json(d) for d in data["documents"]),
        )


#: Fields masked in the outside-system log (`Exchange` bodies): the client's name and address.
PROTECTED_FIELDS = frozenset({"name", "address"})
