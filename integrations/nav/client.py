"""Typed client of NAV Online Számla v3.0 (see `contract.py` for the protocol).

NAV speaks XML, so the client posts XML through the shared session of `HttpClient` (timeouts,
connect retries, the Exchange log) instead of `call()`, which is JSON-only. What reaches the
Exchange log is redacted: password hash and exchange tokens masked, the invoice data (it holds
the buyer's name and address) replaced by its length.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from lxml import etree

from integrations.http import HttpClient, IntegrationRejected, IntegrationUnavailable
from integrations.nav import contract
from integrations.nav.contract import Credentials, ProcessingResult, Software

MAX_LOGGED_XML = 8000
_SECRET_ELEMENTS = re.compile(
    r"(<(?:\w+:)?(?:passwordHash|exchangeToken|encodedExchangeToken)\b[^>]*>)[^<]*(</)", re.IGNORECASE
)
_INVOICE_DATA = re.compile(r"(<(?:\w+:)?invoiceData\b[^>]*>)([^<]*)(</)")


@dataclass(frozen=True)
class ManageInvoiceReceipt:
    transaction_id: str
    request_id: str


def new_request_id() -> str:
    """A requestId NAV accepts ([+a-zA-Z0-9_]{1,30}) that is unique per taxpayer."""
    return "EP" + uuid.uuid4().hex[:28].upper()


def redact_xml(body: bytes | str | None) -> dict[str, Any] | None:
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = _SECRET_ELEMENTS.sub(r"\1***\2", text)
    text = _INVOICE_DATA.sub(lambda m: f"{m.group(1)}[base64, {len(m.group(2))} characters]{m.group(3)}", text)
    return {"xml": text[:MAX_LOGGED_XML]}


class NavClient(HttpClient):
    system = "nav"

    def __init__(self, *, credentials: Credentials, software: Software, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.credentials = credentials
        self.software = software
        self.session.headers["Accept"] = "application/xml"

    @classmethod
    def from_settings(cls, **overrides: Any) -> NavClient:
        options: dict[str, Any] = {
            "base_url": settings.NAV_URL,
            "timeout_s": settings.NAV_TIMEOUT_S,
            "credentials": Credentials(
                login=settings.NAV_LOGIN,
                password=settings.NAV_PASSWORD,
                tax_number=settings.NAV_TAX_NUMBER,
                sign_key=settings.NAV_SIGN_KEY,
                exchange_key=settings.NAV_EXCHANGE_KEY,
            ),
            "software": Software(
                software_id=settings.NAV_SOFTWARE_ID,
                name=settings.NAV_SOFTWARE_NAME,
                main_version=settings.NAV_SOFTWARE_VERSION,
                dev_name=settings.NAV_SOFTWARE_DEV_NAME,
                dev_contact=settings.NAV_SOFTWARE_DEV_CONTACT,
                dev_tax_number=settings.NAV_SOFTWARE_DEV_TAX_NUMBER,
            ),
            **overrides,
        }
        return cls(**options)

    # -- operations ------------------------------------------------------------------------------
    def token_exchange(self) -> str:
        """A fresh exchange token (decrypted), needed by every manageInvoice request."""
        root = self._request("TokenExchangeRequest", request_id=new_request_id())
        answer = self._post(contract.TOKEN_EXCHANGE, root, repeatable=True)
        encoded = contract.text(answer, "api:encodedExchangeToken")
        try:
            return contract.decrypt_exchange_token(encoded, self.credentials.exchange_key)
        except ValueError as exc:  # a token we cannot decrypt: wrong exchange key, or a broken answer
            raise IntegrationRejected(
                "nav tokenExchange: the exchange token cannot be decrypted (check NAV_EXCHANGE_KEY)",
                system=self.system,
                operation=contract.TOKEN_EXCHANGE,
                error_code="exchange_token_undecryptable",
            ) from exc

    def manage_invoice(self, *, operations: Sequence[tuple[str, bytes]], request_id: str = "") -> ManageInvoiceReceipt:
        """Report invoices: (operation CREATE | MODIFY | STORNO, InvoiceData XML) each, at most 100.

        Record `request_id` before calling: it names the attempt in the Exchange log. NAV
        processes the invoices later; ask `query_transaction_status` with the transaction id."""
        if not 1 <= len(operations) <= 100:
            raise ValueError("one to a hundred invoices per request")
        for operation, _data in operations:
            if operation not in contract.INVOICE_OPERATIONS:
                raise ValueError(f"unknown invoice operation {operation!r}")
        encoded = [(operation, base64.b64encode(data).decode("ascii")) for operation, data in operations]
        token = self.token_exchange()
        request_id = request_id or new_request_id()
        root = self._request("ManageInvoiceRequest", request_id=request_id, invoices=encoded)
        contract.add_invoice_operations(root, token, encoded)
        answer = self._post(contract.MANAGE_INVOICE, root, repeatable=False)
        transaction_id = contract.text(answer, "api:transactionId")
        if not transaction_id:
            raise self._malformed(contract.MANAGE_INVOICE, "no transactionId")
        return ManageInvoiceReceipt(transaction_id=transaction_id, request_id=request_id)

    def query_transaction_status(self, *, transaction_id: str) -> tuple[ProcessingResult, ...]:
        root = self._request("QueryTransactionStatusRequest", request_id=new_request_id())
        etree.SubElement(root, f"{{{contract.API_NS}}}transactionId").text = transaction_id
        etree.SubElement(root, f"{{{contract.API_NS}}}returnOriginalRequest").text = "false"
        answer = self._post(contract.QUERY_TRANSACTION_STATUS, root, repeatable=True)
        try:
            return contract.read_processing_results(answer)
        except ValueError as exc:
            raise self._malformed(contract.QUERY_TRANSACTION_STATUS, str(exc)) from exc

    # -- plumbing --------------------------------------------------------------------------------
    def _request(self, root_name: str, *, request_id: str, invoices: Sequence[tuple[str, str]] = ()) -> etree._Element:
        return contract.build_request(
            root_name,
            credentials=self.credentials,
            software=self.software,
            request_id=request_id,
            timestamp=contract.format_timestamp(datetime.now(UTC)),
            invoices=invoices,
        )

    def _malformed(self, operation: str, detail: str) -> IntegrationUnavailable:
        return IntegrationUnavailable(
            f"nav {operation}: malformed answer ({detail})",
            system=self.system,
            operation=operation,
            error_code="malformed_response",
        )

    def _post(self, operation: str, root: etree._Element, *, repeatable: bool) -> etree._Element:
        body = contract.to_bytes(root)
        request_id = contract.text(root, "common:header/common:requestId")
        url = f"{self.base_url}/{operation}"
        headers = {"Content-Type": "application/xml; charset=UTF-8", "X-Request-Id": request_id}
        if repeatable:
            # the same requestId may be sent again until NAV accepted it once: lets the
            # session retry a 503 of a token exchange or a status query
            headers["Idempotency-Key"] = request_id
        started = time.monotonic()
        context = {"system": self.system, "operation": operation, "request_id": request_id}
        try:
            response = self.session.post(
                url, data=body, headers=headers, timeout=(self.connect_timeout_s, self.timeout_s), allow_redirects=False
            )
        except requests.RequestException as exc:
            kind = "timeout" if isinstance(exc, requests.Timeout) else "network error"
            self._log_xml(operation, url, request_id, None, started, f"{kind}: {type(exc).__name__}", body, None)
            raise IntegrationUnavailable(
                f"nav {operation}: {kind}", error_code=kind.replace(" ", "_"), **context
            ) from exc

        try:
            answer: etree._Element | None = contract.parse_xml(response.content) if response.content else None
        except etree.XMLSyntaxError:
            answer = None
        error_code, message = contract.read_error(answer) if answer is not None else ("", "")
        status = response.status_code
        error = error_code or ("" if status < 300 else f"http_{status}")
        self._log_xml(operation, url, request_id, status, started, error, body, response.content)
        if status < 300:
            if answer is None:
                raise self._malformed(operation, "not XML")
            if contract.text(answer, "common:result/common:funcCode") != "OK":
                raise IntegrationRejected(
                    f"nav {operation}: {error_code} {message}".strip(),
                    status_code=status,
                    error_code=error_code,
                    **context,
                )
            return answer
        text = f"nav {operation}: HTTP {status} {error_code} {message}".strip()
        if status >= 500 or status == 429:
            raise IntegrationUnavailable(text, status_code=status, error_code=error, **context)
        raise IntegrationRejected(text, status_code=status, error_code=error, **context)

    def _log_xml(
        self,
        operation: str,
        url: str,
        request_id: str,
        status: int | None,
        started: float,
        error: str,
        request_body: bytes,
        response_body: bytes | None,
    ) -> None:
        self._log(
            method="POST",
            url=url,
            operation=operation,
            request_id=request_id,
            idempotency_key="",
            status_code=status,
            attempts=1,
            duration_ms=int((time.monotonic() - started) * 1000),
            error=error,
            request_body=request_body,
            response_body=response_body,
        )

    def redact(self, body: Any, *, direction: str) -> Any:  # type: ignore[override]
        if isinstance(body, bytes | str):
            return redact_xml(body)
        return super().redact(body, direction=direction)  # type: ignore[arg-type]
