"""Typed client of the parking system (Cityform)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from django.conf import settings

from integrations.http import HttpClient
from integrations.parking.contract import (
    PERMITS_PATH,
    PRECHECK_PATH,
    PROTECTED_FIELDS,
    Permit,
    PrecheckResult,
    normalise_plate,
    revoke_path,
)
from integrations.registry.contract import Address


class ParkingClient(HttpClient):
    system = "parking"
    protected_fields = PROTECTED_FIELDS

    @classmethod
    def from_settings(cls, **overrides: Any) -> ParkingClient:
        """A client for PARKING_URL / PARKING_TOKEN / PARKING_TIMEOUT_S; `overrides` win."""
        options: dict[str, Any] = {
            "base_url": settings.PARKING_URL,
            "token": settings.PARKING_TOKEN,
            "timeout_s": settings.PARKING_TIMEOUT_S,
            **overrides,
        }
        return cls(**options)

    def precheck(
        self,
        *,
        plate: str,
        zone: str,
        holder_person_id: str,
        holder_address: Address | Mapping[str, Any],
        idempotency_key: str = "",
    ) -> PrecheckResult:
        """Would the parking system accept a permit for this plate in this zone? A refusal is an
        answer (`ok=False` with reasons), not an error.

        A precheck changes nothing, so a fresh key is safe when the caller has none: it only
        lets the base retry it.
        """
        address = holder_address.to_json() if isinstance(holder_address, Address) else dict(holder_address)
        result = self.call(
            "POST",
            PRECHECK_PATH,
            operation="permit_precheck",
            json={
                "plate": normalise_plate(plate),
                "zone": zone,
                "holder_person_id": holder_person_id,
                "holder_address": {key: str(value) for key, value in address.items()},
            },
            idempotency_key=idempotency_key or f"read:{uuid.uuid4().hex}",
        )
        return self.read_answer(result, operation="permit_precheck", read=PrecheckResult.from_json)

    def permit_create(
        self,
        *,
        plate: str,
        zone: str,
        holder_person_id: str,
        holder_name: str,
        valid_from: date,
        idempotency_key: str,
    ) -> Permit:
        """Create the permit. The same key (recorded before the call) and the same data give the
        same permit however often it is repeated.

        Raises `IntegrationRejected` with `error_code == "plate_has_valid_permit"` (409) when the
        plate already has an overlapping active permit.
        """
        if not idempotency_key:
            raise ValueError("idempotency_key is required: record it before calling")
        result = self.call(
            "POST",
            PERMITS_PATH,
            operation="permit_create",
            json={
                "plate": normalise_plate(plate),
                "zone": zone,
                "holder_person_id": holder_person_id,
                "holder_name": holder_name,
                "valid_from": valid_from.isoformat(),
            },
            idempotency_key=idempotency_key,
        )
        return self.read_answer(result, operation="permit_create", read=Permit.from_json)

    def permits_for_plate(self, plate: str) -> list[Permit]:
        """Every permit of the plate the parking system knows (revoked and expired too), newest first."""
        result = self.call("GET", PERMITS_PATH, operation="permits_for_plate", params={"plate": normalise_plate(plate)})
        return self.read_answer(
            result, operation="permits_for_plate", read=lambda d: [Permit.from_json(p) for p in d["permits"]]
        )

    def permit_revoke(self, *, permit_number: str, reason: str = "", idempotency_key: str = "") -> Permit:
        """Revoke a permit (repeating it is harmless: the revoked permit is answered again).
        Raises `NotFound` for an unknown permit number."""
        result = self.call(
            "POST",
            revoke_path(quote(permit_number, safe="")),
            operation="permit_revoke",
            json={"reason": reason},
            idempotency_key=idempotency_key or f"revoke:{permit_number}:{uuid.uuid4().hex}",
        )
        return self.read_answer(result, operation="permit_revoke", read=Permit.from_json)
