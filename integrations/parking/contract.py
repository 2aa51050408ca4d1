"""Contract of the parking system (Cityform), version 1: residential parking permits
(lakossági várakozási hozzájárulás).

    Authorization: Bearer <token>      X-Request-Id: <id> (echoed back)

    POST /v1/permits/precheck          Idempotency-Key optional (a repeated key replays the answer)
    {"plate": "ABC-123", "zone": "HEGYVIDEK-1", "holder_person_id": "<registry id>",
     "holder_address": {<registry Address>}}
    200 {"ok": true}
      | {"ok": false, "reasons": [{"code": "plate_has_valid_permit" | "zone_unknown" | "plate_blocked",
                                   "message_hu": "...", "message_en": "..."}]}

    POST /v1/permits                   Idempotency-Key REQUIRED
    {"plate", "zone", "holder_person_id", "holder_name", "valid_from": "2026-11-02"}
    201 {"permit_number": "HV-2026-000123", "plate", "zone", "valid_from",
         "valid_until": valid_from + 1 year - 1 day, "status": "active"}
    409 {"error": "plate_has_valid_permit", "permit_number": "<the existing one>"}
        (an active permit of the plate overlaps the new one's validity)
      | {"error": "plate_blocked"}
    400 {"error": "idempotency_key_required"} | {"error": "bad_request", "detail": "..."}
    422 {"error": "idempotency_key_reused"}   (same key, different body; same key + same body
                                               replays the first answer, 201 or 409)

    GET  /v1/permits?plate=ABC-123     200 {"permits": [<Permit>, ...]}  newest first
    POST /v1/permits/{permit_number}/revoke  {"reason": "..."}
         200 <Permit with "status": "revoked"> (again on a repeated call) | 404

    401 {"error": "unauthorized"}; 404 {"error": "not_found"}; 503 {"error": "unavailable"}

Plates travel normalised (`integrations.registry.contract.normalise_plate`). Both the client
and the simulator use the (de)serialisers below, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, get_args

from integrations.registry.contract import normalise_plate

__all__ = ["normalise_plate"]

PermitStatus = Literal["active", "revoked"]
PrecheckCode = Literal["plate_has_valid_permit", "zone_unknown", "plate_blocked"]
PRECHECK_CODES: tuple[str, ...] = get_args(PrecheckCode)

#: Parking zones of Hegyvidék the parking system knows; the residential permit is for HEGYVIDEK-1.
ZONES: tuple[str, ...] = ("HEGYVIDEK-1", "HEGYVIDEK-2")

PRECHECK_PATH = "/v1/permits/precheck"
PERMITS_PATH = "/v1/permits"


def revoke_path(permit_number: str) -> str:
    return f"{PERMITS_PATH}/{permit_number}/revoke"


def permit_valid_until(valid_from: date) -> date:
    """One year less a day: from 2026-11-02 until 2027-11-01; from 29 February until 28 February."""
    try:
        anniversary = valid_from.replace(year=valid_from.year + 1)
    except ValueError:  # 29 February
        anniversary = date(valid_from.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


def permit_number(year: int, serial: int) -> str:
    """`HV-2026-000123`: the parking system's permit number, a serial per year."""
    return f"HV-{year}-{serial:06d}"


@dataclass(frozen=True)
class PrecheckReason:
    code: str
    message_hu: str
    message_en: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PrecheckReason:
        return cls(code=data["code"], message_hu=data.get("message_hu", ""), message_en=data.get("message_en", ""))


@dataclass(frozen=True)
class PrecheckResult:
    ok: bool
    reasons: tuple[PrecheckReason, ...] = field(default=())

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    def to_json(self) -> dict[str, Any]:
        if self.ok:
            return {"ok": True}
        return {"ok": False, "reasons": [reason.to_json() for reason in self.reasons]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PrecheckResult:
        ok = data["ok"]
        if not isinstance(ok, bool):
            raise ValueError("ok must be a boolean")
        return cls(ok=ok, reasons=tuple(PrecheckReason.from_json(r) for r in data.get("reasons") or ()))


@dataclass(frozen=True)
class Permit:
    permit_number: str
    plate: str
    zone: str
    valid_from: date
    valid_until: date
    status: PermitStatus

    def is_valid_on(self, day: date) -> bool:
        return self.status == "active" and self.valid_from <= day <= self.valid_until

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["valid_from"] = self.valid_from.isoformat()
        data["valid_until"] = self.valid_until.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Permit:
        return cls(
            permit_number=data["permit_number"],
            plate=data["plate"],
            zone=data["zone"],
            valid_from=date.fromisoformat(data["valid_from"]),
            valid_until=date.fromisoformat(data["valid_until"]),
            status=data["status"],
        )


#: Fields masked in the outside-system log (`Exchange` bodies): the holder's identity and the
#: precise address (street and district stay readable, as in the registry's log).
PROTECTED_FIELDS = frozenset({"holder_person_id", "holder_name", "house_number", "building", "floor", "door"})
