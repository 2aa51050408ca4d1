"""Contract of the card payment gateway, modelled on OTP SimplePay's API v2 (the way Hungarian
card gateways work: the resident pays on the gateway's hosted page, never on ours).

Every body is JSON. Both sides sign what they send:

    Signature: base64(HMAC-SHA384(merchant secret, <the raw body bytes>))

so the receiver checks the bytes it got, before parsing them. Every request carries a random
`salt` (32 characters), so no two bodies, and no two signatures, are alike.

    POST /payment/v2/start
    {"salt", "merchant", "orderRef": "<our payment's idempotency key>", "currency": "HUF",
     "customerEmail", "language": "HU" | "EN", "sdkVersion", "methods": ["CARD"],
     "total": 12000 (whole forints), "timeout": "2026-11-02T10:40:00+01:00" (when the hosted page
     gives up), "url": "<the merchant's return URL>"}
    200 {"salt", "merchant", "orderRef", "currency", "transactionId": 504000123, "timeout", "total",
         "paymentUrl": "<the hosted payment page>"}                       (signed)
      | {"errorCodes": [<code>, ...]}   refusals come as 200 with error codes, as SimplePay does
        (the codes below are the simulator's own)
    A repeated orderRef with the same merchant, total and currency while the transaction is still
    open answers the same transaction again (a retried start charges nobody twice); with other
    data it is refused (ORDER_REF_USED).

    POST /payment/v2/query
    {"salt", "merchant", "transactionIds": ["504000123", ...] | "orderRefs": ["<uuid>", ...],
     "sdkVersion"}
    200 {"salt", "merchant", "totalCount": 1, "transactions": [{"salt", "merchant", "orderRef",
         "transactionId", "status", "method": "CARD", "total", "paymentDate", "finishDate"}]}
        (transactions it does not know are left out)

    Back to the merchant (the resident's browser, GET):
    <url>?r=<base64(JSON)>&s=<base64(HMAC-SHA384(secret, JSON))>
    JSON: {"r": <result code, 0 = no error>, "t": <transactionId>, "e": "SUCCESS" | "FAIL" |
           "CANCEL" | "TIMEOUT", "m": <merchant>, "o": <orderRef>}
    It only says where the browser comes from: it is never proof of payment.

    IPN (instant payment notification), gateway → merchant, once the transaction has an outcome:
    POST <the merchant account's IPN URL>                                 (signed)
    {"salt", "orderRef", "method": "CARD", "merchant", "finishDate", "paymentDate",
     "transactionId", "status"}
    The merchant acknowledges with 200 and the same JSON plus "receiveDate", signed; anything
    else and the gateway sends the notification again later.

Transaction statuses (`GatewayStatus`): INIT (started), INPAYMENT (on the hosted page),
AUTHORIZED (two-step payments: held, not yet taken), INFRAUD (in fraud review), FINISHED (paid),
NOTAUTHORIZED (declined), FRAUD, CANCELLED (by the payer), TIMEOUT (the page gave up),
REVERSED (a held amount released), REFUND (money sent back).

Both the client and the simulator use the helpers below, so they cannot drift apart. Stdlib
only: the simulator stands alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal, get_args

START_PATH = "/payment/v2/start"
QUERY_PATH = "/payment/v2/query"
#: The hosted payment page of a transaction: PAY_PATH + "<transactionId>"
PAY_PATH = "/pay/"
SDK_VERSION = "hegyvidek-eportal:1.0"

#: Where the portal receives notifications (the merchant account's IPN URL is PUBLIC_URL + this).
#: Here, not in the portal's URLconf only, so the stdlib simulator launcher can build it too.
PORTAL_NOTIFICATION_PATH = "/api/v1/payments/card/notifications/"

SIGNATURE_HEADER = "Signature"

GatewayStatus = Literal[
    "INIT",
    "INPAYMENT",
    "AUTHORIZED",
    "INFRAUD",
    "FINISHED",
    "NOTAUTHORIZED",
    "FRAUD",
    "CANCELLED",
    "TIMEOUT",
    "REVERSED",
    "REFUND",
]
GATEWAY_STATUSES: tuple[str, ...] = get_args(GatewayStatus)
#: Statuses after which the hosted page is closed (REVERSED and REFUND may still follow FINISHED).
CLOSED_STATUSES = frozenset({"FINISHED", "NOTAUTHORIZED", "FRAUD", "CANCELLED", "TIMEOUT", "REVERSED", "REFUND"})

BackEvent = Literal["SUCCESS", "FAIL", "CANCEL", "TIMEOUT"]
BACK_EVENTS: tuple[str, ...] = get_args(BackEvent)
#: The back-event the browser carries for each outcome status.
BACK_EVENT_OF_STATUS: dict[str, str] = {
    "FINISHED": "SUCCESS",
    "AUTHORIZED": "SUCCESS",
    "NOTAUTHORIZED": "FAIL",
    "FRAUD": "FAIL",
    "CANCELLED": "CANCEL",
    "TIMEOUT": "TIMEOUT",
}

# The simulator's refusal codes (a real gateway has its own list; to us only "non-empty" matters).
BAD_REQUEST = 5000
MERCHANT_UNKNOWN = 5001
SIGNATURE_INVALID = 5002
ORDER_REF_USED = 5003
TOTAL_INVALID = 5004
CURRENCY_UNSUPPORTED = 5005

#: Test cards of the simulator's hosted page (any other number is declined as well).
CARD_SUCCESS = "4908366099900425"
CARD_DECLINED = "4111111111111111"

#: Fields masked in the outside-system log (`Exchange` bodies).
PROTECTED_FIELDS = frozenset({"customerEmail"})


# --- signatures -------------------------------------------------------------------------------------
def sign(secret: str, raw: bytes) -> str:
    """base64(HMAC-SHA384(secret, raw)): the `Signature` header of a body, the `s` of a return."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), raw, hashlib.sha384).digest()).decode("ascii")


def verify(secret: str, raw: bytes, signature: str) -> bool:
    """True when `signature` is `sign(secret, raw)` (compared in constant time)."""
    if not signature or not secret:
        return False
    return hmac.compare_digest(sign(secret, raw).encode("ascii"), signature.strip().encode("ascii", "replace"))


def new_salt() -> str:
    return secrets.token_hex(16)  # 32 characters, as the gateway expects


def dump(data: dict[str, Any]) -> bytes:
    """The bytes a body is sent (and signed) as."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- the return to the merchant --------------------------------------------------------------------
@dataclass(frozen=True)
class BackResult:
    """What the gateway's redirect back to the merchant carries (`r`, decoded)."""

    result_code: int
    transaction_id: str
    event: str
    merchant: str
    order_ref: str

    def to_json(self) -> dict[str, Any]:
        return {
            "r": self.result_code,
            "t": int(self.transaction_id) if self.transaction_id.isdigit() else self.transaction_id,
            "e": self.event,
            "m": self.merchant,
            "o": self.order_ref,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackResult:
        event = data["e"]
        if event not in BACK_EVENTS:
            raise ValueError(f"unknown back event {event!r}")
        return cls(
            result_code=int(data.get("r", 0)),
            transaction_id=str(data["t"]),
            event=event,
            merchant=str(data["m"]),
            order_ref=str(data["o"]),
        )


def back_encode(secret: str, back: BackResult) -> tuple[str, str]:
    """(r, s) of the return URL: the JSON base64-encoded, and the signature of the JSON itself."""
    raw = dump(back.to_json())
    return base64.b64encode(raw).decode("ascii"), sign(secret, raw)


def back_decode(secret: str, r: str, s: str) -> BackResult | None:
    """The decoded return, or None when `r` is not base64 JSON or `s` does not sign it."""
    try:
        raw = base64.b64decode(r.replace(" ", "+"), validate=True)  # "+" may arrive as a space
    except (binascii.Error, ValueError):
        return None
    if not verify(secret, raw, s.replace(" ", "+")):
        return None
    try:
        data = json.loads(raw)
        return BackResult.from_json(data) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


# --- answers and notifications ----------------------------------------------------------------------
def error_codes(data: Any) -> list[int]:
    """The gateway's refusal codes in an answer (empty: not a refusal)."""
    if isinstance(data, dict) and data.get("errorCodes"):
        return [int(code) for code in data["errorCodes"]]
    return []


@dataclass(frozen=True)
class StartAnswer:
    transaction_id: str
    order_ref: str
    merchant: str
    total: int
    currency: str
    timeout: str
    payment_url: str

    def to_json(self, salt: str) -> dict[str, Any]:
        return {
            "salt": salt,
            "merchant": self.merchant,
            "orderRef": self.order_ref,
            "currency": self.currency,
            "transactionId": int(self.transaction_id),
            "timeout": self.timeout,
            "total": self.total,
            "paymentUrl": self.payment_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StartAnswer:
        payment_url = str(data["paymentUrl"])
        if not payment_url.startswith(("https://", "http://")):
            raise ValueError("paymentUrl must be an http(s) URL")
        return cls(
            transaction_id=str(data["transactionId"]),
            order_ref=str(data["orderRef"]),
            merchant=str(data["merchant"]),
            total=int(data["total"]),
            currency=str(data["currency"]),
            timeout=str(data.get("timeout", "")),
            payment_url=payment_url,
        )


@dataclass(frozen=True)
class TransactionState:
    """A transaction as the query or a notification reports it."""

    transaction_id: str
    order_ref: str
    merchant: str
    status: str
    payment_date: str = ""
    finish_date: str = ""
    total: int | None = None

    def to_query_json(self, salt: str) -> dict[str, Any]:
        return {
            "salt": salt,
            "merchant": self.merchant,
            "orderRef": self.order_ref,
            "transactionId": int(self.transaction_id),
            "status": self.status,
            "method": "CARD",
            "total": self.total,
            "paymentDate": self.payment_date,
            "finishDate": self.finish_date,
        }

    def to_notification_json(self, salt: str) -> dict[str, Any]:
        return {
            "salt": salt,
            "orderRef": self.order_ref,
            "method": "CARD",
            "merchant": self.merchant,
            "finishDate": self.finish_date,
            "paymentDate": self.payment_date,
            "transactionId": int(self.transaction_id),
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TransactionState:
        status = data["status"]
        if not isinstance(status, str) or not status:
            raise ValueError("status must be a non-empty string")
        total = data.get("total")
        return cls(
            transaction_id=str(data["transactionId"]),
            order_ref=str(data["orderRef"]),
            merchant=str(data["merchant"]),
            status=status,
            payment_date=str(data.get("paymentDate") or ""),
            finish_date=str(data.get("finishDate") or ""),
            total=None if total is None else int(total),
        )
