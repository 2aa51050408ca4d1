"""Typed client of the person-and-address registry and its vehicle register."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from integrations.http import HttpClient
from integrations.registry.contract import (
    DOCUMENT_TYPES,
    LOOKUP_PATH,
    PERSON_GET_PATH,
    PROTECTED_FIELDS,
    VEHICLE_GET_PATH,
    VEHICLES_BY_OWNER_PATH,
    PersonRecord,
    VehicleRecord,
    normalise_document_number,
    normalise_plate,
)


class RegistryClient(HttpClient):
    system = "registry"
    protected_fields = PROTECTED_FIELDS

    @classmethod
    def from_settings(cls, **overrides: Any) -> RegistryClient:
        """A client for REGISTRY_URL / REGISTRY_TOKEN / REGISTRY_TIMEOUT_S; `overrides` win."""
        options: dict[str, Any] = {
            "base_url": settings.REGISTRY_URL,
            "token": settings.REGISTRY_TOKEN,
            "timeout_s": settings.REGISTRY_TIMEOUT_S,
            **overrides,
        }
        return cls(**options)

    def person_lookup(self, *, document_type: str, document_number: str, idempotency_key: str) -> PersonRecord:
        """The registry's record of the holder of a document.

        Raises `NotFound` when the registry does not know the document, `IntegrationRejected`
        for a refused request, `IntegrationUnavailable` when the registry cannot be reached.
        """
        if document_type not in DOCUMENT_TYPES:
            raise ValueError(f"unknown document_type {document_type!r}")
        if not idempotency_key:
            raise ValueError("idempotency_key is required: record it before calling")
        result = self.call(
            "POST",
            LOOKUP_PATH,
            operation="person_lookup",
            json={"document_type": document_type, "document_number": normalise_document_number(document_number)},
            idempotency_key=idempotency_key,
        )
        return self.read_answer(result, operation="person_lookup", read=lambda d: PersonRecord.from_json(d["person"]))

    # The reads below are POSTs (the person id stays out of URLs and access logs) without side
    # effects, so a fresh key is safe when the caller has none: it only lets the base retry them.
    def person_get(self, *, person_id: str, idempotency_key: str = "") -> PersonRecord:
        """The registry's record of a person by the registry's own id (as stored at identification).

        Raises `NotFound` when the registry does not know the id.
        """
        if not person_id:
            raise ValueError("person_id is required")
        result = self.call(
            "POST",
            PERSON_GET_PATH,
            operation="person_get",
            json={"person_id": person_id},
            idempotency_key=idempotency_key or _read_key(),
        )
        return self.read_answer(result, operation="person_get", read=lambda d: PersonRecord.from_json(d["person"]))

    def vehicles_by_owner(self, *, person_id: str, idempotency_key: str = "") -> list[VehicleRecord]:
        """The vehicles the person owns, active and deregistered, oldest `owner_since` first.

        Raises `NotFound` when the registry does not know the person; a person with no
        vehicles gets an empty list.
        """
        if not person_id:
            raise ValueError("person_id is required")
        result = self.call(
            "POST",
            VEHICLES_BY_OWNER_PATH,
            operation="vehicles_by_owner",
            json={"person_id": person_id},
            idempotency_key=idempotency_key or _read_key(),
        )
        return self.read_answer(
            result,
            operation="vehicles_by_owner",
            read=lambda d: [VehicleRecord.from_json(item) for item in d["vehicles"]],
        )

    def vehicle_get(self, *, plate: str, idempotency_key: str = "") -> VehicleRecord:
        """The vehicle register's record of a plate (`normalise_plate` first: `ValueError` if it is
        not a Hungarian plate). Raises `NotFound` when no vehicle has the plate."""
        plate = normalise_plate(plate)
        result = self.call(
            "POST",
            VEHICLE_GET_PATH,
            operation="vehicle_get",
            json={"plate": plate},
            idempotency_key=idempotency_key or _read_key(),
        )
        return self.read_answer(result, operation="vehicle_get", read=lambda d: VehicleRecord.from_json(d["vehicle"]))


def _read_key() -> str:
    return f"read:{uuid.uuid4().hex}"
