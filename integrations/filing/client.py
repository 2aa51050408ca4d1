"""Typed client of the filing system (Poszeidon)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings

from integrations.filing.contract import (
    ARRIVAL_CHANNELS,
    ARRIVALS_PATH,
    DELIVERY_CHANNELS,
    DOCUMENT_KINDS,
    DOCUMENTS_PATH,
    PROTECTED_FIELDS,
    ArrivalReceipt,
    DeliveryRecord,
    Filing,
    IssuedDocument,
    delivery_path,
    filing_path,
    is_sha256,
    main_number_of,
    parse_filing_number,
)
from integrations.http import HttpClient


class FilingClient(HttpClient):
    system = "filing"
    protected_fields = PROTECTED_FIELDS

    @classmethod
    def from_settings(cls, **overrides: Any) -> FilingClient:
        """A client for FILING_URL / FILING_TOKEN / FILING_TIMEOUT_S; `overrides` win."""
        options: dict[str, Any] = {
            "base_url": settings.FILING_URL,
            "token": settings.FILING_TOKEN,
            "timeout_s": settings.FILING_TIMEOUT_S,
            **overrides,
        }
        return cls(**options)

    def arrival_register(
        self,
        *,
        case_reference: str,
        subject: str,
        classification: str,
        client: Mapping[str, str],
        received_at: datetime,
        idempotency_key: str,
        channel: str = "e-portal",
    ) -> ArrivalReceipt:
        """Register an application as an arrival (érkeztetés, iktatás): a new main number, sub-number 1.

        `client` is {"name", "address"} (one line). The same key and data give the same
        filing number however often it is repeated.
        """
        if not idempotency_key:
            raise ValueError("idempotency_key is required: record it before calling")
        if channel not in ARRIVAL_CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        result = self.call(
            "POST",
            ARRIVALS_PATH,
            operation="arrival_register",
            json={
                "case_reference": case_reference,
                "subject": subject,
                "classification": classification,
                "client": {"name": client["name"], "address": client["address"]},
                "received_at": _aware(received_at, "received_at"),
                "channel": channel,
            },
            idempotency_key=idempotency_key,
        )
        return self.read_answer(result, operation="arrival_register", read=ArrivalReceipt.from_json)

    def document_issue(
        self,
        *,
        main_number: str,
        kind: str,
        document_sha256: str,
        issued_at: datetime,
        idempotency_key: str,
    ) -> IssuedDocument:
        """File an issued document (kiadmányozott irat) under the next sub-number of the matter.

        `main_number` may be the main number or the arrival's filing number. Raises `NotFound`
        when the filing system does not know it.
        """
        if not idempotency_key:
            raise ValueError("idempotency_key is required: record it before calling")
        if kind not in DOCUMENT_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if not is_sha256(document_sha256):
            raise ValueError("document_sha256 must be 64 lower-case hex digits")
        result = self.call(
            "POST",
            DOCUMENTS_PATH,
            operation="document_issue",
            json={
                "main_number": main_number_of(main_number),
                "kind": kind,
                "document_sha256": document_sha256,
                "issued_at": _aware(issued_at, "issued_at"),
            },
            idempotency_key=idempotency_key,
        )
        return self.read_answer(result, operation="document_issue", read=IssuedDocument.from_json)

    def delivery_record(
        self, *, filing_number: str, delivered_at: datetime, channel: str = "e-portal-download"
    ) -> DeliveryRecord:
        """Record that an issued document was delivered (kézbesítés). Idempotent by filing number:
        a repeated call answers the first record (its `delivered_at`, not this call's).
        Raises `NotFound` when no document was issued under the number."""
        parse_filing_number(filing_number)
        if channel not in DELIVERY_CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        result = self.call(
            "POST",
            delivery_path(filing_number),
            operation="delivery_record",
            json={"delivered_at": _aware(delivered_at, "delivered_at"), "channel": channel},
            # The endpoint is idempotent by filing number, so repeating is safe; a key tells the
            # base it may retry (the filing system itself ignores it here).
            idempotency_key=f"delivery:{uuid.uuid4().hex}",
        )
        return self.read_answer(result, operation="delivery_record", read=DeliveryRecord.from_json)

    def filing_get(self, *, main_number: str) -> Filing:
        """The matter's arrival and its issued documents. Raises `NotFound` for an unknown number."""
        result = self.call("GET", filing_path(main_number_of(main_number)), operation="filing_get")
        return self.read_answer(result, operation="filing_get", read=Filing.from_json)


def _aware(value: datetime, name: str) -> str:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.isoformat()
