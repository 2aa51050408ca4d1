"""Typed client of the card payment gateway (contract in `contract.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from requests.auth import AuthBase

from integrations.cardgateway.contract import (
    PROTECTED_FIELDS,
    QUERY_PATH,
    SDK_VERSION,
    SIGNATURE_HEADER,
    START_PATH,
    StartAnswer,
    TransactionState,
    error_codes,
    new_salt,
    sign,
    verify,
)
from integrations.http import HttpClient, HttpResult, IntegrationRejected

#: Set by our response hook on every answer: whether its `Signature` signs its raw bytes. The base
#: parses the body before the client sees it, so the check happens where the bytes still are;
#: the hook overwrites whatever the peer may have sent under this name.
_VERIFIED_HEADER = "X-Eportal-Signature-Verified"


class _SignBody(AuthBase):
    """Signs the exact bytes sent (after requests serialised the JSON), retries included."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        request.headers[SIGNATURE_HEADER] = sign(self.secret, raw)
        return request


class CardGatewayClient(HttpClient):
    system = "cardgateway"
    protected_fields = PROTECTED_FIELDS

    def __init__(self, *, merchant: str, secret: str, **options: Any) -> None:
        super().__init__(**options)
        self.merchant = merchant
        self.secret = secret
        self.session.auth = _SignBody(secret)
        self.session.hooks["response"].append(self._mark_signature)

    @classmethod
    def from_settings(cls, **overrides: Any) -> CardGatewayClient:
        """A client for CARD_GATEWAY_URL / _MERCHANT / _SECRET / _TIMEOUT_S; `overrides` win."""
        options: dict[str, Any] = {
            "base_url": settings.CARD_GATEWAY_URL,
            "merchant": settings.CARD_GATEWAY_MERCHANT,
            "secret": settings.CARD_GATEWAY_SECRET,
            "timeout_s": settings.CARD_GATEWAY_TIMEOUT_S,
            **overrides,
        }
        return cls(**options)

    # -- signatures ------------------------------------------------------------------------------
    def sign(self, raw_body: bytes) -> str:
        return sign(self.secret, raw_body)

    def verify(self, raw_body: bytes, signature: str) -> bool:
        return verify(self.secret, raw_body, signature)

    def _mark_signature(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        valid = self.verify(response.content or b"", response.headers.get(SIGNATURE_HEADER, ""))
        response.headers[_VERIFIED_HEADER] = "1" if valid else "0"
        return response

    def _checked(self, result: HttpResult, *, operation: str) -> dict[str, Any]:
        """The answer's body once it is known to come from the gateway; a refusal (`errorCodes`,
        trusted or not: it can only stop us) or a bad signature raises `IntegrationRejected`."""
        codes = error_codes(result.data)
        context = {"system": self.system, "operation": operation, "request_id": result.request_id}
        if codes:
            raise IntegrationRejected(
                f"{self.system} {operation}: refused {codes}",
                status_code=result.status_code,
                error_code="refused:" + ",".join(str(code) for code in codes),
                **context,
            )
        if result.headers.get(_VERIFIED_HEADER) != "1":
            raise IntegrationRejected(
                f"{self.system} {operation}: the answer's signature is missing or wrong",
                status_code=result.status_code,
                error_code="bad_signature",
                **context,
            )
        if not isinstance(result.data, dict) or result.data.get("merchant") != self.merchant:
            raise IntegrationRejected(
                f"{self.system} {operation}: the answer is for another merchant",
                status_code=result.status_code,
                error_code="merchant_mismatch",
                **context,
            )
        return result.data

    # -- operations --------------------------------------------------------------------------------
    def start(
        self,
        *,
        order_ref: str,
        total: int,
        customer_email: str,
        language: str,
        return_url: str,
        timeout_at: datetime,
        currency: str = "HUF",
    ) -> StartAnswer:
        """Open a transaction; the resident pays at the answer's `payment_url`.

        `order_ref` is our payment's idempotency key, recorded before this call: the gateway
        answers a repeated start of the same order ref with the same transaction, so the base may
        retry it (it goes out as the `Idempotency-Key` too, which also files the exchange under it).
        Raises `IntegrationRejected` for a refusal, a bad signature or an answer about another order.
        """
        if timeout_at.tzinfo is None:
            raise ValueError("timeout_at must be aware")
        body = {
            "salt": new_salt(),
            "merchant": self.merchant,
            "orderRef": order_ref,
            "currency": currency,
            "customerEmail": customer_email,
            "language": language.upper(),
            "sdkVersion": SDK_VERSION,
            "methods": ["CARD"],
            "total": total,
            "timeout": timeout_at.isoformat(timespec="seconds"),
            "url": return_url,
        }
        result = self.call("POST", START_PATH, operation="start", json=body, idempotency_key=order_ref)
        data = self._checked(result, operation="start")
        answer = self.read_answer(result, operation="start", read=lambda _: StartAnswer.from_json(data))
        if (answer.order_ref, answer.total, answer.currency) != (order_ref, total, currency):
            raise IntegrationRejected(
                f"{self.system} start: the answer is about another order",
                system=self.system,
                operation="start",
                status_code=result.status_code,
                error_code="order_mismatch",
                request_id=result.request_id,
            )
        return answer

    def query(
        self,
        transaction_ids: Iterable[str] = (),
        *,
        order_refs: Iterable[str] = (),
        idempotency_key: str = "",
    ) -> list[TransactionState]:
        """The gateway's current status of transactions (by its ids, or by our order refs when
        the start's answer never arrived). Unknown ones are left out of the list.

        A query changes nothing, so it is always safe to retry; `idempotency_key` (the payment's
        key) files the exchange under the payment."""
        body: dict[str, Any] = {"salt": new_salt(), "merchant": self.merchant, "sdkVersion": SDK_VERSION}
        ids = [str(i) for i in transaction_ids]
        refs = [str(r) for r in order_refs]
        if ids:
            body["transactionIds"] = ids
        if refs:
            body["orderRefs"] = refs
        if not (ids or refs):
            raise ValueError("give transaction ids or order refs")
        result = self.call(
            "POST",
            QUERY_PATH,
            operation="query",
            json=body,
            idempotency_key=idempotency_key or f"read:{uuid.uuid4().hex}",
        )
        data = self._checked(result, operation="query")
        return self.read_answer(
            result,
            operation="query",
            read=lambda _: [TransactionState.from_json(item) for item in data["transactions"]],
        )
