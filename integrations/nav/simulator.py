"""NAV Online Számla v3.0 simulator: tokenExchange, manageInvoice, queryTransactionStatus.

It checks what the real service checks at the door — the technical user's password hash, the
request signature exactly as the specification computes it, the single-use exchange token —
and answers a refused request with GeneralErrorResponse (INVALID_SECURITY_USER,
INVALID_REQUEST_SIGNATURE, INVALID_EXCHANGE_TOKEN, INVALID_REQUEST), HTTP 400.

Accepted invoices are validated when they arrive and their result shown by status queries:
the first `processing_polls` queries of a transaction answer PROCESSING, then DONE, or ABORTED
with the validation messages of a malformed invoice (not base64 / not XML / not InvoiceData →
technical SCHEMA_VIOLATION; a private person's name or address reported, a STORNO without
invoiceReference, an invoice number reported twice → business errors).

    POST {base}/invoiceService/v3/tokenExchange | manageInvoice | queryTransactionStatus
    GET  /_sim/stats     calls, faults, tokens issued, transactions, invoices by status
    POST /_sim/faults    {"latency_ms", "error_rate", "timeout_rate", "timeout_sleep_ms", "error_next"}
    POST /_sim/config    {"processing_polls": 2, "lose_answer_next": {"manageInvoice": 1}} (processed,
                         but the answer is held past the client's timeout)
    GET  /_sim/invoices  every invoice received: number, operation, status, what was reported
    POST /_sim/reset
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from integrations.nav import contract
from integrations.nav.contract import API_NS, BASE_NS, COMMON_NS, DATA_NS
from integrations.simkit import (
    ContractHandler,
    ContractState,
    Faults,
    SimServer,
    serve_in_thread,
    standalone_main,
)
from integrations.simkit import faults_from_env as _faults_from_env

BASE_PATH = "/invoiceService/v3"
DEFAULT_LOGIN = "hegyvidekdev"
DEFAULT_PASSWORD = "dev-nav-password"  # noqa: S105 - equals the settings default, dev only
DEFAULT_SIGN_KEY = "dev-nav-sign-key-0123456789abcdef"
DEFAULT_EXCHANGE_KEY = "dev-nav-exch-key"
DEFAULT_TAX_NUMBER = "15735715"
TOKEN_VALIDITY_S = 300
_NS = {"api": API_NS, "common": COMMON_NS, "data": DATA_NS, "base": BASE_NS}
_ROOTS = {
    contract.TOKEN_EXCHANGE: "TokenExchangeRequest",
    contract.MANAGE_INVOICE: "ManageInvoiceRequest",
    contract.QUERY_TRANSACTION_STATUS: "QueryTransactionStatusRequest",
}


class Refused(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class ReceivedInvoice:
    transaction_id: str
    index: int
    operation: str
    invoice_number: str
    status: str  # the final status, shown after the transaction's processing polls
    messages: list[contract.ValidationMessage]
    customer_vat_status: str = ""
    customer_name_reported: bool = False
    customer_address_reported: bool = False
    original_invoice_number: str = ""
    xml: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "index": self.index,
            "operation": self.operation,
            "invoice_number": self.invoice_number,
            "status": self.status,
            "messages": [m.to_json() for m in self.messages],
            "customer_vat_status": self.customer_vat_status,
            "customer_name_reported": self.customer_name_reported,
            "customer_address_reported": self.customer_address_reported,
            "original_invoice_number": self.original_invoice_number,
            "xml": self.xml,
        }


@dataclass
class Transaction:
    transaction_id: str
    request_id: str
    invoices: list[ReceivedInvoice] = field(default_factory=list)
    polls: int = 0


class NavState(ContractState):
    def __init__(
        self,
        *,
        login: str = DEFAULT_LOGIN,
        password: str = DEFAULT_PASSWORD,
        sign_key: str = DEFAULT_SIGN_KEY,
        exchange_key: str = DEFAULT_EXCHANGE_KEY,
        tax_number: str = DEFAULT_TAX_NUMBER,
        processing_polls: int = 0,
        faults: Faults | None = None,
        seed: int = 1,
    ) -> None:
        self.login, self.password, self.sign_key = login, password, sign_key
        self.exchange_key, self.tax_number = exchange_key, tax_number
        self.initial_processing_polls = processing_polls
        super().__init__(token="", faults=faults, seed=seed)

    def reset_data(self) -> None:
        self.processing_polls = self.initial_processing_polls
        self.lose_answers: dict[str, int] = {}  # operation → how many answers to lose after doing the work
        self.tokens: dict[str, float] = {}  # token → expiry (monotonic)
        self.tokens_issued = 0
        self.transactions: dict[str, Transaction] = {}
        self.received: list[ReceivedInvoice] = []
        self.numbers_done: set[str] = set()
        self.refusals: dict[str, int] = {}

    def extra_stats(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for invoice in self.received:
            by_status[invoice.status] = by_status.get(invoice.status, 0) + 1
        return {
            "tokens_issued": self.tokens_issued,
            "transactions": len(self.transactions),
            "invoices": len(self.received),
            "invoices_by_status": by_status,
            "refusals": dict(self.refusals),
            "processing_polls": self.processing_polls,
        }


class NavHandler(ContractHandler):
    server: NavServer

    @property
    def state(self) -> NavState:
        return self.server.state

    def do_GET(self) -> None:
        if self.handle_control("GET"):
            return
        if self.path_only == "/_sim/invoices":
            with self.state.lock:
                self.send_json(200, [invoice.to_json() for invoice in self.state.received])
        elif self.path_only == "/healthz":
            self.send_json(200, {"status": "ok"})
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def do_POST(self) -> None:
        raw = self.read_body()
        if self.handle_control("POST", raw):
            return
        path = self.path_only
        if path == "/_sim/config":
            try:
                config = json.loads(raw or b"{}")
                polls = int(config.get("processing_polls", self.state.processing_polls))
                lose = {str(op): int(n) for op, n in (config.get("lose_answer_next") or {}).items()}
            except (ValueError, TypeError, AttributeError):
                self.send_json(400, {"error": "bad_request"})
                return
            with self.state.lock:
                self.state.processing_polls = max(0, polls)
                self.state.lose_answers.update(lose)
            self.send_json(
                200, {"processing_polls": self.state.processing_polls, "lose_answer_next": self.state.lose_answers}
            )
            return
        operation = path.removeprefix(BASE_PATH + "/") if path.startswith(BASE_PATH + "/") else ""
        if operation not in contract.OPERATIONS:
            self.send_json(404, {"error": "no_such_endpoint"})
            return
        self.serve_nav(operation, raw)

    # -- the NAV pipeline ------------------------------------------------------------------------
    def serve_nav(self, operation: str, raw: bytes) -> None:
        state = self.state
        state.record(operation, "", self.headers.get("X-Request-Id", ""))
        if state.faults.latency_ms:
            time.sleep(state.faults.latency_ms / 1000)
        fault = state.draw_fault()
        if fault == "timeout":
            time.sleep(state.faults.timeout_sleep_ms / 1000)
        elif fault == "error":
            self.send_xml(500, self.error_response("", contract.OPERATION_FAILED, "Simulated outage"))
            return
        request_id = ""
        try:
            try:
                root = contract.parse_xml(raw)
            except etree.XMLSyntaxError as exc:
                raise Refused(contract.INVALID_REQUEST, f"The request is not well-formed XML: {exc}") from None
            request_id = contract.text(root, "common:header/common:requestId")
            expected_root = _ROOTS[operation]
            if etree.QName(root).namespace != API_NS or etree.QName(root).localname != expected_root:
                raise Refused(contract.INVALID_REQUEST, f"{operation} expects {{{API_NS}}}{expected_root}")
            invoices = self.check_door(root, operation)
            with state.lock:
                status, body = getattr(self, f"answer_{operation}")(root, request_id, invoices)
        except Refused as refused:
            with state.lock:
                state.refusals[refused.code] = state.refusals.get(refused.code, 0) + 1
            self.send_xml(refused.status, self.error_response(request_id, refused.code, refused.message))
            return
        with state.lock:
            lose = state.lose_answers.get(operation, 0) > 0
            if lose:
                state.lose_answers[operation] -= 1
        if lose:  # done, but the answer never arrives: the client times out not knowing
            time.sleep(state.faults.timeout_sleep_ms / 1000)
        self.send_xml(status, body)

    def check_door(self, root: etree._Element, operation: str) -> list[tuple[int, str, str]]:
        """Header, user and signature, in the order NAV checks them. Returns the invoice
        operations of a manageInvoice request as (index, operation, base64 data), by index."""
        state = self.state
        request_id = contract.text(root, "common:header/common:requestId")
        timestamp = contract.text(root, "common:header/common:timestamp")
        if not contract.REQUEST_ID_PATTERN.match(request_id):
            raise Refused(contract.INVALID_REQUEST, "requestId must match [+a-zA-Z0-9_]{1,30}")
        try:
            contract.signature_timestamp(timestamp)
        except ValueError:
            raise Refused(contract.INVALID_REQUEST, "timestamp must be UTC, e.g. 2026-03-15T10:11:12.345Z") from None
        if contract.text(root, "common:header/common:requestVersion") != contract.REQUEST_VERSION:
            raise Refused(contract.INVALID_REQUEST, "requestVersion must be 3.0")
        password = root.find("common:user/common:passwordHash", _NS)
        if (
            contract.text(root, "common:user/common:login") != state.login
            or password is None
            or password.get("cryptoType") != "SHA-512"
            or (password.text or "").strip() != contract.password_hash(state.password)
            or contract.text(root, "common:user/common:taxNumber") != state.tax_number
        ):
            raise Refused(
                contract.INVALID_SECURITY_USER, "Helytelen authentikációs adatok (login, jelszó vagy adószám)."
            )
        invoices: list[tuple[int, str, str]] = []
        if operation == contract.MANAGE_INVOICE:
            for item in root.iterfind("api:invoiceOperations/api:invoiceOperation", _NS):
                try:
                    index = int(contract.text(item, "api:index"))
                except ValueError:
                    raise Refused(contract.INVALID_REQUEST, "invoiceOperation/index must be a number") from None
                invoices.append(
                    (index, contract.text(item, "api:invoiceOperation"), contract.text(item, "api:invoiceData"))
                )
            invoices.sort()
        signature = root.find("common:user/common:requestSignature", _NS)
        expected = contract.request_signature(
            request_id, timestamp, state.sign_key, [(op, data) for _index, op, data in invoices]
        )
        if signature is None or signature.get("cryptoType") != "SHA3-512" or (signature.text or "").strip() != expected:
            raise Refused(contract.INVALID_REQUEST_SIGNATURE, "Helytelen kérés aláírás (requestSignature).")
        return invoices

    def answer_tokenExchange(self, root: etree._Element, request_id: str, invoices: list) -> tuple[int, bytes]:  # noqa: N802
        state = self.state
        token = secrets.token_hex(24)
        state.tokens[token] = time.monotonic() + TOKEN_VALIDITY_S
        state.tokens_issued += 1
        now = datetime.now(UTC)
        response, _ = self.ok_response("TokenExchangeResponse", request_id)
        for name, value in (
            ("encodedExchangeToken", contract.encrypt_exchange_token(token, state.exchange_key)),
            ("tokenValidityFrom", contract.format_timestamp(now)),
            (
                "tokenValidityTo",
                contract.format_timestamp(datetime.fromtimestamp(now.timestamp() + TOKEN_VALIDITY_S, UTC)),
            ),
        ):
            etree.SubElement(response, f"{{{API_NS}}}{name}").text = value
        return 200, contract.to_bytes(response)

    def answer_manageInvoice(self, root: etree._Element, request_id: str, invoices: list) -> tuple[int, bytes]:  # noqa: N802
        state = self.state
        token = contract.text(root, "api:exchangeToken")
        expiry = state.tokens.pop(token, None)  # single use
        if expiry is None or expiry < time.monotonic():
            raise Refused(contract.INVALID_EXCHANGE_TOKEN, "Érvénytelen vagy már felhasznált adatszolgáltatási token.")
        if not 1 <= len(invoices) <= 100:
            raise Refused(contract.INVALID_REQUEST, "one to a hundred invoiceOperation elements")
        transaction = Transaction(transaction_id=self.new_transaction_id(), request_id=request_id)
        for index, operation, data in invoices:
            received = self.validate_invoice(transaction.transaction_id, index, operation, data)
            transaction.invoices.append(received)
            state.received.append(received)
            if received.status == "DONE" and received.operation == "CREATE":
                state.numbers_done.add(received.invoice_number)
        state.transactions[transaction.transaction_id] = transaction
        response, _ = self.ok_response("ManageInvoiceResponse", request_id)
        etree.SubElement(response, f"{{{API_NS}}}transactionId").text = transaction.transaction_id
        return 200, contract.to_bytes(response)

    def answer_queryTransactionStatus(self, root: etree._Element, request_id: str, invoices: list) -> tuple[int, bytes]:  # noqa: N802
        transaction = self.state.transactions.get(contract.text(root, "api:transactionId"))
        if transaction is None:
            raise Refused(contract.INVALID_REQUEST, "Ismeretlen tranzakcióazonosító (transactionId).")
        transaction.polls += 1
        processing = transaction.polls <= self.state.processing_polls
        response, _ = self.ok_response("QueryTransactionStatusResponse", request_id)
        results = etree.SubElement(response, f"{{{API_NS}}}processingResults")
        for invoice in transaction.invoices:
            item = etree.SubElement(results, f"{{{API_NS}}}processingResult")
            etree.SubElement(item, f"{{{API_NS}}}index").text = str(invoice.index)
            etree.SubElement(item, f"{{{API_NS}}}invoiceStatus").text = "PROCESSING" if processing else invoice.status
            if not processing:
                for message in invoice.messages:
                    if message.kind == "technical":
                        block = etree.SubElement(item, f"{{{API_NS}}}technicalValidationMessages")
                        ns = COMMON_NS
                    else:
                        block = etree.SubElement(item, f"{{{API_NS}}}businessValidationMessages")
                        ns = API_NS
                    etree.SubElement(block, f"{{{ns}}}validationResultCode").text = message.result_code
                    etree.SubElement(block, f"{{{ns}}}validationErrorCode").text = message.error_code
                    etree.SubElement(block, f"{{{ns}}}message").text = message.message
            etree.SubElement(item, f"{{{API_NS}}}compressedContentIndicator").text = "false"
        etree.SubElement(response, f"{{{API_NS}}}originalRequestVersion").text = contract.REQUEST_VERSION
        return 200, contract.to_bytes(response)

    # -- invoice validation ----------------------------------------------------------------------
    def validate_invoice(self, transaction_id: str, index: int, operation: str, data: str) -> ReceivedInvoice:
        messages: list[contract.ValidationMessage] = []

        def technical(code: str, message: str) -> ReceivedInvoice:
            messages.append(contract.ValidationMessage("technical", "ERROR", code, message))
            return ReceivedInvoice(transaction_id, index, operation, "", "ABORTED", messages)

        if operation not in contract.INVOICE_OPERATIONS:
            return technical("SCHEMA_VIOLATION", f"invoiceOperation {operation!r} is not CREATE, MODIFY or STORNO")
        try:
            xml = base64.b64decode(data, validate=True)
            invoice = contract.parse_xml(xml)
        except (binascii.Error, ValueError, etree.XMLSyntaxError) as exc:
            return technical("SCHEMA_VIOLATION", f"invoiceData is not base64 encoded XML: {type(exc).__name__}")
        if etree.QName(invoice).namespace != DATA_NS or etree.QName(invoice).localname != "InvoiceData":
            return technical("SCHEMA_VIOLATION", f"invoiceData must be {{{DATA_NS}}}InvoiceData")
        number = contract.text(invoice, "data:invoiceNumber")
        head = "data:invoiceMain/data:invoice/data:invoiceHead"
        required = (
            "data:invoiceNumber",
            "data:invoiceIssueDate",
            f"{head}/data:supplierInfo/data:supplierTaxNumber/base:taxpayerId",
            f"{head}/data:supplierInfo/data:supplierName",
            f"{head}/data:invoiceDetail/data:invoiceDeliveryDate",
            f"{head}/data:invoiceDetail/data:currencyCode",
            "data:invoiceMain/data:invoice/data:invoiceSummary",
        )
        for path in required:
            if not contract.text(invoice, path) and invoice.find(path, _NS) is None:
                return technical(
                    "SCHEMA_VIOLATION", f"missing element {path.replace('data:', '').replace('base:', '')}"
                )
        customer = invoice.find(f"{head}/data:customerInfo", _NS)
        vat_status = contract.text(customer, "data:customerVatStatus") if customer is not None else ""
        name_reported = customer is not None and customer.find("data:customerName", _NS) is not None
        address_reported = customer is not None and customer.find("data:customerAddress", _NS) is not None
        original = contract.text(
            invoice, "data:invoiceMain/data:invoice/data:invoiceReference/data:originalInvoiceNumber"
        )
        received = ReceivedInvoice(
            transaction_id,
            index,
            operation,
            number,
            "DONE",
            messages,
            customer_vat_status=vat_status,
            customer_name_reported=name_reported,
            customer_address_reported=address_reported,
            original_invoice_number=original,
            xml=xml.decode("utf-8", "replace"),
        )

        def business(code: str, message: str, result: str = "ERROR") -> None:
            messages.append(contract.ValidationMessage("business", result, code, message))

        if (
            contract.text(invoice, f"{head}/data:supplierInfo/data:supplierTaxNumber/base:taxpayerId")
            != self.state.tax_number
        ):
            business("INVALID_SUPPLIER_TAX_NUMBER", "Az eladó adószáma nem a technikai felhasználó adózójáé.")
        if vat_status == "PRIVATE_PERSON" and (
            name_reported or address_reported or customer.find("data:customerVatData", _NS) is not None
        ):
            business("CUSTOMER_DATA_NOT_ALLOWED", "Magánszemély vevő neve, címe és adószáma nem küldhető be.")
        if operation == "STORNO" and not original:
            business("MISSING_INVOICE_REFERENCE", "Sztornó számla invoiceReference nélkül.")
        if operation == "CREATE" and original:
            business("INVOICE_REFERENCE_NOT_ALLOWED", "Alapszámla nem hivatkozhat más számlára.")
        if operation == "CREATE" and number in self.state.numbers_done:
            business("INVOICE_NUMBER_NOT_UNIQUE", f"A(z) {number} számlaszámon már van elfogadott adatszolgáltatás.")
        lines_net = sum(int(element.text or 0) for element in invoice.iterfind(".//data:line//data:lineNetAmount", _NS))
        summary_net = contract.text(invoice, ".//data:summaryNormal/data:invoiceNetAmount")
        if summary_net and int(summary_net) != lines_net:
            business("INCORRECT_SUMMARY_CALCULATION", "A tételek nettó összege eltér az összesítőtől.", "WARN")
        if any(message.result_code == "ERROR" for message in messages):
            received.status = "ABORTED"
        return received

    # -- answers ---------------------------------------------------------------------------------
    def new_transaction_id(self) -> str:
        return secrets.token_hex(8).upper()

    def ok_response(self, name: str, request_id: str) -> tuple[etree._Element, etree._Element]:
        response = etree.Element(f"{{{API_NS}}}{name}", nsmap={None: API_NS, "common": COMMON_NS})
        self.header(response, request_id)
        result = etree.SubElement(response, f"{{{COMMON_NS}}}result")
        etree.SubElement(result, f"{{{COMMON_NS}}}funcCode").text = "OK"
        software = etree.SubElement(response, f"{{{API_NS}}}software")
        etree.SubElement(software, f"{{{API_NS}}}softwareId").text = "NAVSIMULATOR000001"
        return response, result

    def error_response(self, request_id: str, code: str, message: str) -> bytes:
        response = etree.Element(f"{{{API_NS}}}GeneralErrorResponse", nsmap={None: API_NS, "common": COMMON_NS})
        self.header(response, request_id)
        result = etree.SubElement(response, f"{{{COMMON_NS}}}result")
        etree.SubElement(result, f"{{{COMMON_NS}}}funcCode").text = "ERROR"
        etree.SubElement(result, f"{{{COMMON_NS}}}errorCode").text = code
        etree.SubElement(result, f"{{{COMMON_NS}}}message").text = message
        return contract.to_bytes(response)

    def header(self, response: etree._Element, request_id: str) -> None:
        header = etree.SubElement(response, f"{{{COMMON_NS}}}header")
        etree.SubElement(header, f"{{{COMMON_NS}}}requestId").text = request_id or "UNKNOWN"
        etree.SubElement(header, f"{{{COMMON_NS}}}timestamp").text = contract.format_timestamp(datetime.now(UTC))
        etree.SubElement(header, f"{{{COMMON_NS}}}requestVersion").text = contract.REQUEST_VERSION
        etree.SubElement(header, f"{{{COMMON_NS}}}headerVersion").text = contract.HEADER_VERSION

    def send_xml(self, status: int, body: bytes) -> None:
        echo = self.headers.get("X-Request-Id", "")
        self.send_bytes(status, body, "application/xml; charset=UTF-8", {"X-Request-Id": echo} if echo else None)


class NavServer(SimServer):
    def __init__(self, address: tuple[str, int], state: NavState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, NavHandler)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = "",  # noqa: ARG001 - standalone_main passes one; NAV authenticates in the XML
    faults: Faults | None = None,
    verbose: bool = False,
    processing_polls: int = 0,
    **credentials: str,
) -> NavServer:
    state = NavState(faults=faults, processing_polls=processing_polls, **credentials)
    return NavServer((host, port), state, verbose=verbose)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    faults: Faults | None = None,
    processing_polls: int = 0,
    **credentials: str,
) -> tuple[NavServer, str]:
    """Start on a daemon thread; returns (server, base URL of the API, i.e. …/invoiceService/v3)."""
    server, base_url = serve_in_thread(
        make_server(host, port, faults=faults, processing_polls=processing_polls, **credentials)
    )
    return server, base_url + BASE_PATH  # type: ignore[return-value]


def faults_from_env() -> Faults:
    return _faults_from_env("NAV")


def credentials_from_env() -> dict[str, str]:
    import os

    return {
        "login": os.environ.get("NAV_LOGIN", DEFAULT_LOGIN),
        "password": os.environ.get("NAV_PASSWORD", DEFAULT_PASSWORD),
        "sign_key": os.environ.get("NAV_SIGN_KEY", DEFAULT_SIGN_KEY),
        "exchange_key": os.environ.get("NAV_EXCHANGE_KEY", DEFAULT_EXCHANGE_KEY),
        "tax_number": os.environ.get("NAV_TAX_NUMBER", DEFAULT_TAX_NUMBER),
    }


def main(argv: list[str] | None = None) -> None:
    standalone_main(
        argv,
        name="NAV Online Számla",
        description="NAV Online Számla v3.0 simulator",
        env_prefix="NAV",
        default_port=8107,
        default_token="",
        make_server=make_server,
        processing_polls=1,
        **credentials_from_env(),
    )


if __name__ == "__main__":
    main()
