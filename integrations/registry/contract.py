"""Contract of the person-and-address registry (személy- és lakcímnyilvántartás), version 1.

    POST /v1/persons/lookup
    Authorization: Bearer <token>
    Idempotency-Key: <key>            (optional; a repeated key replays the first answer)
    X-Request-Id: <id>                (optional; echoed back)
    {"document_type": "id_card" | "passport" | "driving_licence" | "residence_card",
     "document_number": "123456AB"}

    200 {"person": {<PersonRecord as JSON, dates ISO 8601>}}
    400 {"error": "bad_request", "detail": "..."}
    401 {"error": "unauthorized"}
    404 {"error": "not_found"}
    422 {"error": "idempotency_key_reused"}   (same key, different body)
    503 {"error": "unavailable"}              (may carry Retry-After)

    POST /v1/persons/get          {"person_id": "<uuid>"}     → 200 {"person": {...}} | 404
    POST /v1/vehicles/by-owner    {"person_id": "<uuid>"}     → 200 {"vehicles": [{<VehicleRecord>}, ...]} | 404
         the vehicles the person *owns* (active and deregistered), oldest `owner_since` first;
         404 when the registry does not know the person
    POST /v1/vehicles/get         {"plate": "ABC-123"}        → 200 {"vehicle": {...}} | 404

These three are reads: the same headers, errors and optional Idempotency-Key as the lookup.
Plates travel normalised (`normalise_plate`): the old format `ABC-123`, the new `AA-BC-123`.

Both the client and the simulator use the (de)serialisers below, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal, get_args

DocumentType = Literal["id_card", "passport", "driving_licence", "residence_card"]
DocumentStatus = Literal["valid", "expired", "revoked"]
DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)
DOCUMENT_STATUSES: tuple[str, ...] = get_args(DocumentStatus)

VehicleStatus = Literal["active", "deregistered"]
OwnerKind = Literal["natural_person", "company"]
VEHICLE_STATUSES: tuple[str, ...] = get_args(VehicleStatus)

LOOKUP_PATH = "/v1/persons/lookup"
PERSON_GET_PATH = "/v1/persons/get"
VEHICLES_BY_OWNER_PATH = "/v1/vehicles/by-owner"
VEHICLE_GET_PATH = "/v1/vehicles/get"


@dataclass(frozen=True)
class Address:
    """A Hungarian address; `district` is the Budapest district as a Roman numeral, or ""."""

    postcode: str
    settlement: str
    district: str
    street_name: str
    street_type: str  # "utca", "út", "tér", …
    house_number: str
    building: str = ""
    floor: str = ""
    door: str = ""

    def one_line(self) -> str:
        """`1122 Budapest XII, Városmajor utca 12. 2. em. 5.` — as on an official document."""
        settlement = f"{self.settlement} {self.district}".strip()
        parts = [f"{self.street_name} {self.street_type} {self.house_number}."]
        if self.building:
            parts.append(f"{self.building}. ép.")
        if self.floor:
            parts.append(f"{self.floor}. em.")
        if self.door:
            parts.append(f"{self.door}.")
        return f"{self.postcode} {settlement}, {' '.join(parts)}"

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Address:
        return cls(**{name: str(data.get(name) or "") for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class PersonRecord:
    """What the registry knows about the holder of a document."""

    person_id: str
    family_name: str
    given_names: str
    birth_name: str
    mother_birth_name: str
    birth_date: date
    birth_place: str
    sex: Literal["F", "M"]
    permanent_address: Address
    document_type: DocumentType
    document_number: str
    document_valid_until: date | None
    document_status: DocumentStatus

    @property
    def full_name(self) -> str:
        """Hungarian order: family name first."""
        return f"{self.family_name} {self.given_names}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat()
        data["document_valid_until"] = self.document_valid_until.isoformat() if self.document_valid_until else None
        data["permanent_address"] = self.permanent_address.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonRecord:
        valid_until = data.get("document_valid_until")
        return cls(
            person_id=str(data["person_id"]),
            family_name=data["family_name"],
            given_names=data["given_names"],
            birth_name=data["birth_name"],
            mother_birth_name=data["mother_birth_name"],
            birth_date=date.fromisoformat(data["birth_date"]),
            birth_place=data["birth_place"],
            sex=data["sex"],
            permanent_address=Address.from_json(data["permanent_address"]),
            document_type=data["document_type"],
            document_number=data["document_number"],
            document_valid_until=date.fromisoformat(valid_until) if valid_until else None,
            document_status=data["document_status"],
        )


@dataclass(frozen=True)
class VehicleRecord:
    """A vehicle in the road-vehicle register (járműnyilvántartás).

    `owner_person_id` is the owner's registry person id, or "" when the owner is a company
    (`owner_kind == "company"`, named by `owner_company_name` / `owner_company_id`, the
    cégjegyzékszám). `operator_person_id` is the operator (üzembentartó): a person id, or ""
    when the owner operates the vehicle itself as a company.
    """

    plate: str
    make: str
    model: str
    category: str  # EU vehicle category: "M1" passenger car, "N1" light goods vehicle, …
    first_registered: date
    owner_since: date
    status: VehicleStatus
    owner_person_id: str
    operator_person_id: str
    owner_kind: OwnerKind = "natural_person"
    owner_company_name: str = ""
    owner_company_id: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["first_registered"] = self.first_registered.isoformat()
        data["owner_since"] = self.owner_since.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VehicleRecord:
        return cls(
            plate=data["plate"],
            make=data["make"],
            model=data["model"],
            category=data["category"],
            first_registered=date.fromisoformat(data["first_registered"]),
            owner_since=date.fromisoformat(data["owner_since"]),
            status=data["status"],
            owner_person_id=str(data.get("owner_person_id") or ""),
            operator_person_id=str(data.get("operator_person_id") or ""),
            owner_kind=data.get("owner_kind") or "natural_person",
            owner_company_name=str(data.get("owner_company_name") or ""),
            owner_company_id=str(data.get("owner_company_id") or ""),
        )


_OLD_PLATE = re.compile(r"^([A-Z]{3})([0-9]{3})$")
_NEW_PLATE = re.compile(r"^([A-Z]{2})([A-Z]{2})([0-9]{3})$")


def normalise_plate(value: str) -> str:
    """A Hungarian plate as the registers write it: `abc 123` → `ABC-123`, `aa bc123` → `AA-BC-123`.

    Spaces, hyphens and dots are separators only; the letters and digits decide the format
    (three letters and three digits: the old format; four letters and three digits: the format
    issued since 2022). Anything else raises `ValueError`.
    """
    compact = "".join(ch for ch in str(value).upper() if not (ch.isspace() or ch in "-."))
    if match := _OLD_PLATE.match(compact):
        return "-".join(match.groups())
    if match := _NEW_PLATE.match(compact):
        return "-".join(match.groups())
    raise ValueError(f"not a Hungarian licence plate: {value!r}")


def normalise_document_number(value: str) -> str:
    """Registry keys are upper-case with no spaces or dashes (`123456 ab` → `123456AB`)."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


#: Fields masked in the outside-system log (`Exchange` bodies).
PROTECTED_FIELDS = frozenset(
    {
        "family_name",
        "given_names",
        "birth_name",
        "mother_birth_name",
        "birth_date",
        "birth_place",
        "document_number",
        "person_id",
        "owner_person_id",
        "operator_person_id",
        "house_number",
        "building",
        "floor",
        "door",
    }
)
