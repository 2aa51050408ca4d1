"""Contract of NAV Online Számla (the Hungarian tax authority's invoice data reporting), API v3.0.

Three operations of `{NAV_URL}` (e.g. https://api.onlineszamla.nav.gov.hu/invoiceService/v3),
each a POST of an XML request (`Content-Type: application/xml`) answered with XML:

    POST /tokenExchange           → TokenExchangeResponse: encodedExchangeToken (AES-128-ECB with
                                    the exchange key, base64), tokenValidityFrom/To
    POST /manageInvoice           → ManageInvoiceResponse: transactionId (the invoices are
                                    processed asynchronously, up to 100 per request)
    POST /queryTransactionStatus  → QueryTransactionStatusResponse: processingResults/processingResult
                                    per invoice: invoiceStatus RECEIVED | PROCESSING | SAVED | DONE |
                                    ABORTED, technical and business validation messages

Every request carries `common:header` (requestId [+a-zA-Z0-9_]{1,30}, unique per taxpayer;
timestamp UTC with milliseconds), `common:user` (login, passwordHash, the taxpayer's 8-digit
taxNumber, requestSignature) and `software`. Errors come as GeneralErrorResponse with
`common:result/common:funcCode` ERROR, an `errorCode` (e.g. INVALID_REQUEST_SIGNATURE,
INVALID_SECURITY_USER, INVALID_EXCHANGE_TOKEN) and a message; HTTP 400 for a refused request,
500 for OPERATION_FAILED.

The request signature (spec 1.5): `requestSignature` = uppercase hex SHA3-512 of
requestId + timestamp as yyyyMMddHHmmss (UTC) + the signature key; for manageInvoice the
uppercase hex SHA3-512 of (operation + base64 invoiceData) of every invoice, in index order,
is appended before hashing. `passwordHash` = uppercase hex SHA-512 of the password.

Used by the client and the simulator alike (no Django here).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

API_NS = "http://schemas.nav.gov.hu/OSA/3.0/api"
COMMON_NS = "http://schemas.nav.gov.hu/NTCA/1.0/common"
DATA_NS = "http://schemas.nav.gov.hu/OSA/3.0/data"
BASE_NS = "http://schemas.nav.gov.hu/OSA/3.0/base"
REQUEST_VERSION = "3.0"
HEADER_VERSION = "1.0"

TOKEN_EXCHANGE = "tokenExchange"  # noqa: S105 - an operation name
MANAGE_INVOICE = "manageInvoice"
QUERY_TRANSACTION_STATUS = "queryTransactionStatus"
OPERATIONS = (TOKEN_EXCHANGE, MANAGE_INVOICE, QUERY_TRANSACTION_STATUS)

INVOICE_OPERATIONS = ("CREATE", "MODIFY", "STORNO")
INVOICE_STATUSES = ("RECEIVED", "PROCESSING", "SAVED", "DONE", "ABORTED")
FINAL_STATUSES = ("DONE", "ABORTED")

REQUEST_ID_PATTERN = re.compile(r"^[+a-zA-Z0-9_]{1,30}$")
TAX_NUMBER_PATTERN = re.compile(r"^([0-9]{8})-([1-5])-([0-9]{2})$")

# error codes of GeneralErrorResponse used here
INVALID_REQUEST_SIGNATURE = "INVALID_REQUEST_SIGNATURE"
INVALID_SECURITY_USER = "INVALID_SECURITY_USER"
INVALID_EXCHANGE_TOKEN = "INVALID_EXCHANGE_TOKEN"  # noqa: S105 - an error code
INVALID_REQUEST = "INVALID_REQUEST"
OPERATION_FAILED = "OPERATION_FAILED"

_NSMAP = {None: API_NS, "common": COMMON_NS}


# --- hashes and the request signature ------------------------------------------------------------
def sha512_upper(text: str) -> str:
    return hashlib.sha512(text.encode("utf-8")).hexdigest().upper()


def sha3_512_upper(text: str) -> str:
    return hashlib.sha3_512(text.encode("utf-8")).hexdigest().upper()


def password_hash(password: str) -> str:
    """`passwordHash` (cryptoType SHA-512)."""
    return sha512_upper(password)


def signature_timestamp(timestamp: str) -> str:
    """`2026-03-15T10:11:12.345Z` → `20260315101112` (the header timestamp's form in the signature)."""
    parsed = parse_timestamp(timestamp)
    return parsed.strftime("%Y%m%d%H%M%S")


def invoice_hash(operation: str, invoice_data_base64: str) -> str:
    """The hash one invoice adds to a manageInvoice signature."""
    return sha3_512_upper(operation + invoice_data_base64)


def request_signature(request_id: str, timestamp: str, sign_key: str, invoices: Iterable[tuple[str, str]] = ()) -> str:
    """`requestSignature` (cryptoType SHA3-512); `invoices` = (operation, base64 invoiceData) in index order."""
    partial = request_id + signature_timestamp(timestamp) + sign_key
    return sha3_512_upper(partial + "".join(invoice_hash(op, data) for op, data in invoices))


def format_timestamp(moment: datetime) -> str:
    """UTC with milliseconds, as the header wants it: 2026-03-15T10:11:12.345Z."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("timestamp must carry its offset (Z)")
    return parsed.astimezone(UTC)


# --- the exchange token --------------------------------------------------------------------------
def _cipher(key: str) -> Cipher:
    raw = key.encode("utf-8")
    if len(raw) != 16:
        raise ValueError("the exchange key must be 16 bytes (AES-128)")
    # ECB is what the NAV specification prescribes for the exchange token (a short random value)
    return Cipher(algorithms.AES(raw), modes.ECB())  # noqa: S305 - mandated by the NAV specification


def encrypt_exchange_token(token: str, key: str) -> str:
    padder = padding.PKCS7(128).padder()
    data = padder.update(token.encode("utf-8")) + padder.finalize()
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode("ascii")


def decrypt_exchange_token(encoded: str, key: str) -> str:
    decryptor = _cipher(key).decryptor()
    data = decryptor.update(base64.b64decode(encoded, validate=True)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode("utf-8")


# --- building requests ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Credentials:
    login: str
    password: str
    tax_number: str  # the 8-digit törzsszám
    sign_key: str
    exchange_key: str


@dataclass(frozen=True)
class Software:
    """The `software` block: who wrote the invoicing software (18-character id, [0-9A-Z-])."""

    software_id: str
    name: str
    main_version: str
    dev_name: str
    dev_contact: str
    dev_country_code: str = "HU"
    dev_tax_number: str = ""
    operation: str = "ONLINE_SERVICE"


def _sub(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrib)
    if text is not None:
        element.text = text
    return element


def build_request(
    root_name: str,
    *,
    credentials: Credentials,
    software: Software,
    request_id: str,
    timestamp: str,
    invoices: Sequence[tuple[str, str]] = (),
) -> etree._Element:
    """The common part of every request: header, user (with its signature), software."""
    if not REQUEST_ID_PATTERN.match(request_id):
        raise ValueError("requestId must match [+a-zA-Z0-9_]{1,30}")
    root = etree.Element(f"{{{API_NS}}}{root_name}", nsmap=_NSMAP)
    header = _sub(root, COMMON_NS, "header")
    _sub(header, COMMON_NS, "requestId", request_id)
    _sub(header, COMMON_NS, "timestamp", timestamp)
    _sub(header, COMMON_NS, "requestVersion", REQUEST_VERSION)
    _sub(header, COMMON_NS, "headerVersion", HEADER_VERSION)
    user = _sub(root, COMMON_NS, "user")
    _sub(user, COMMON_NS, "login", credentials.login)
    _sub(user, COMMON_NS, "passwordHash", password_hash(credentials.password), cryptoType="SHA-512")
    _sub(user, COMMON_NS, "taxNumber", credentials.tax_number)
    signature = request_signature(request_id, timestamp, credentials.sign_key, invoices)
    _sub(user, COMMON_NS, "requestSignature", signature, cryptoType="SHA3-512")
    block = _sub(root, API_NS, "software")
    _sub(block, API_NS, "softwareId", software.software_id)
    _sub(block, API_NS, "softwareName", software.name)
    _sub(block, API_NS, "softwareOperation", software.operation)
    _sub(block, API_NS, "softwareMainVersion", software.main_version)
    _sub(block, API_NS, "softwareDevName", software.dev_name)
    _sub(block, API_NS, "softwareDevContact", software.dev_contact)
    _sub(block, API_NS, "softwareDevCountryCode", software.dev_country_code)
    if software.dev_tax_number:
        _sub(block, API_NS, "softwareDevTaxNumber", software.dev_tax_number)
    return root


def add_invoice_operations(root: etree._Element, exchange_token: str, invoices: Sequence[tuple[str, str]]) -> None:
    _sub(root, API_NS, "exchangeToken", exchange_token)
    operations = _sub(root, API_NS, "invoiceOperations")
    _sub(operations, API_NS, "compressedContent", "false")
    for index, (operation, data) in enumerate(invoices, start=1):
        item = _sub(operations, API_NS, "invoiceOperation")
        _sub(item, API_NS, "index", str(index))
        _sub(item, API_NS, "invoiceOperation", operation)
        _sub(item, API_NS, "invoiceData", data)


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- reading requests and answers ----------------------------------------------------------------
def parse_xml(data: bytes) -> etree._Element:
    """Parse without DTDs, entities or network access (the peer's XML is not trusted)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def text(element: etree._Element, path: str) -> str:
    """The text at `path` ("common:header/common:requestId"); "" when absent."""
    found = element.find(path, {"api": API_NS, "common": COMMON_NS, "data": DATA_NS, "base": BASE_NS})
    return (found.text or "").strip() if found is not None else ""


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


@dataclass(frozen=True)
class ValidationMessage:
    kind: str  # "technical" | "business"
    result_code: str  # ERROR | WARN | INFO
    error_code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "result": self.result_code, "code": self.error_code, "message": self.message}


@dataclass(frozen=True)
class ProcessingResult:
    index: int
    status: str
    messages: tuple[ValidationMessage, ...] = field(default=())


def read_processing_results(root: etree._Element) -> tuple[ProcessingResult, ...]:
    ns = {"api": API_NS, "common": COMMON_NS}
    results = []
    for item in root.iterfind("api:processingResults/api:processingResult", ns):
        messages = []
        for kind, path, prefix in (
            ("technical", "api:technicalValidationMessages", "common"),
            ("business", "api:businessValidationMessages", "api"),
        ):
            for message in item.iterfind(path, ns):
                messages.append(
                    ValidationMessage(
                        kind=kind,
                        result_code=text(message, f"{prefix}:validationResultCode"),
                        error_code=text(message, f"{prefix}:validationErrorCode"),
                        message=text(message, f"{prefix}:message"),
                    )
                )
        status = text(item, "api:invoiceStatus")
        if status not in INVOICE_STATUSES:
            raise ValueError(f"unknown invoiceStatus {status!r}")
        results.append(ProcessingResult(index=int(text(item, "api:index")), status=status, messages=tuple(messages)))
    return tuple(results)


def read_error(root: etree._Element) -> tuple[str, str]:
    """(errorCode, message) of a GeneralErrorResponse (or any response whose funcCode is ERROR)."""
    return text(root, "common:result/common:errorCode"), text(root, "common:result/common:message")


def split_tax_number(value: str) -> tuple[str, str, str]:
    """`15735715-2-43` → ("15735715", "2", "43"); ValueError for anything else."""
    match = TAX_NUMBER_PATTERN.match(value.strip())
    if match is None:
        raise ValueError(f"not a Hungarian tax number (12345678-1-42): {value!r}")
    return match.group(1), match.group(2), match.group(3)


def taxpayer_id_is_valid(taxpayer_id: str) -> bool:
    """The check digit of a törzsszám: weights 9 7 3 1 9 7 3 over the first seven digits."""
    if not re.fullmatch(r"[0-9]{8}", taxpayer_id):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(taxpayer_id[:7], (9, 7, 3, 1, 9, 7, 3), strict=True))
    return (10 - total % 10) % 10 == int(taxpayer_id[7])
