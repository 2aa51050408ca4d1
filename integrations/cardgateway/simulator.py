"""Simulator of the card payment gateway (contract in `contract.py`): the start and query API,
the hosted card page, the return to the merchant and the IPNs.

Run it alone:

    python -m integrations.cardgateway.simulator --port 8106 [--merchant HEGYVIDEK-DEV]
        [--secret dev-card-gateway-secret] [--ipn-url http://127.0.0.1:8000/api/v1/payments/card/notifications/]
        [--latency-ms 0] [--error-rate 0] [--timeout-rate 0]

(env: CARD_SIM_HOST, CARD_SIM_PORT, CARD_GATEWAY_MERCHANT, CARD_GATEWAY_SECRET, CARD_SIM_IPN_URL,
CARD_SIM_LATENCY_MS, CARD_SIM_ERROR_RATE, CARD_SIM_TIMEOUT_RATE), or from a test:
`server, base_url = start_in_thread(ipn_url=...)`.

One merchant account (merchant id, secret, IPN URL). Transactions live in memory. The hosted
page (`GET /pay/<transactionId>`, Hungarian or English by the start's language) takes a card
number, expiry and CVC: 4908 3660 9990 0425 pays (FINISHED), any other valid-looking number is
declined (NOTAUTHORIZED); Cancel gives CANCELLED; a page left alone past the start's `timeout`
becomes TIMEOUT. Each outcome sends the browser back to the merchant's URL (`r`, `s`) and an IPN
to the merchant's IPN URL, resent (`ipn_retries` times, `ipn_retry_ms` apart) until the merchant
acknowledges it properly (200, the same JSON plus `receiveDate`, a valid signature).

Control endpoints (no auth; loopback only):
    POST /_sim/faults   the contract faults {"latency_ms", "error_rate", "timeout_rate",
                        "timeout_sleep_ms", "error_next", "retry_after_s"} (start and query only),
                        and the IPN switches:
                        "ipn_duplicate": true     every final IPN is sent twice
                        "ipn_out_of_order": true  after the final IPN, an earlier status (INPAYMENT)
                        "ipn_delay_ms": 2000      wait before the first IPN
                        "ipn_drop": true          send no IPN (only a status query finds out)
                        "late_success": true      a paid transaction reports TIMEOUT first and
                                                  FINISHED `late_success_after_ms` later
                        "ipn_retries": 2, "ipn_retry_ms": 250   resending an unacknowledged IPN
    POST /_sim/complete {"transactionId", "outcome": "SUCCESS" | "FAIL" | "CANCEL" | "TIMEOUT" | any
                        gateway status (REFUND/REVERSED also after FINISHED), "notify": true,
                        "wait": false}  what the hosted page does, without a browser; with "wait"
                        it answers once the IPNs are delivered. Answers {"transactionId", "status",
                        "returnUrl"} (where the browser would be sent).
    POST /_sim/config   {"ipn_url", "public_url"}  the merchant account's IPN URL; the base of paymentUrl
    GET  /_sim/stats    {"calls", "faults", "starts", "queries", "completions", "ipn_sent",
                        "ipn_acknowledged", "ipn_dropped", "ipn_log": [{"transactionId", "status",
                        "http_status", "acknowledged"}], "transactions": {"<id>": "<status>"}, "ipn_url"}
    POST /_sim/reset    clears faults, stats and every transaction
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode, urlsplit

from integrations.cardgateway.contract import (
    BACK_EVENT_OF_STATUS,
    BAD_REQUEST,
    CARD_SUCCESS,
    CURRENCY_UNSUPPORTED,
    GATEWAY_STATUSES,
    MERCHANT_UNKNOWN,
    ORDER_REF_USED,
    PAY_PATH,
    QUERY_PATH,
    SIGNATURE_HEADER,
    SIGNATURE_INVALID,
    START_PATH,
    TOTAL_INVALID,
    BackResult,
    back_encode,
    dump,
    new_salt,
    sign,
    verify,
)
from integrations.cardgateway.sim_page import TEXTS, card_errors, closed_page, form_page, unknown_page
from integrations.cardgateway.sim_state import (
    DEFAULT_FIRST_TRANSACTION_ID,
    DEFAULT_MERCHANT,
    DEFAULT_SECRET,
    OPEN_STATUSES,
    CardFaults,
    CardState,
    Transaction,
    iso,
    now,
)
from integrations.simkit import (
    BadRequest,
    ContractHandler,
    Faults,
    SimServer,
    require_datetime,
    require_object,
    require_str,
    serial_start_from_clock,
    serve_in_thread,
)
from integrations.simkit import faults_from_env as _faults_from_env

__all__ = ["DEFAULT_MERCHANT", "DEFAULT_SECRET", "CardFaults", "CardState", "start_in_thread"]

DEFAULT_PORT = 8106
#: What /_sim/complete takes besides the statuses themselves.
OUTCOMES = {"SUCCESS": "FINISHED", "FAIL": "NOTAUTHORIZED", "CANCEL": "CANCELLED", "TIMEOUT": "TIMEOUT"}
SWEEP_EVERY_S = 0.2


class CardHandler(ContractHandler):
    server: CardServer

    @property
    def state(self) -> CardState:
        return self.server.state

    # -- routing -----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if self.handle_control("GET"):
            return
        path = self.path_only
        if path == "/healthz":
            self.send_json(200, {"status": "ok"})
        elif path.startswith(PAY_PATH):
            self.hosted_page(path[len(PAY_PATH) :].strip("/"))
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def do_POST(self) -> None:
        path = self.path_only
        if path.startswith(PAY_PATH):  # the hosted page's form, read as a form
            self.hosted_submit(path[len(PAY_PATH) :].strip("/"))
            return
        raw = self.read_body()
        if self.handle_control("POST", raw):
            return
        if path == "/_sim/complete":
            self.sim_complete(raw)
        elif path == "/_sim/config":
            self.sim_config(raw)
        elif path == START_PATH:
            self.serve_signed(f"POST {START_PATH}", self.answer_start, raw)
        elif path == QUERY_PATH:
            self.serve_signed(f"POST {QUERY_PATH}", self.answer_query, raw)
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    # -- the signed API ------------------------------------------------------------------------------
    def send_signed(self, data: dict[str, Any], headers: dict[str, str]) -> None:
        raw = dump(data)
        self.send_bytes(
            200, raw, "application/json; charset=utf-8", {**headers, SIGNATURE_HEADER: sign(self.state.secret, raw)}
        )

    def serve_signed(self, endpoint: str, answer, raw: bytes) -> None:
        """Record the call, apply the faults, check merchant and signature, answer signed.
        Refusals are 200 with `errorCodes`, as the gateway does; faults are 503 or a hang."""
        request_id = self.headers.get("X-Request-Id", "")
        echo = {"X-Request-Id": request_id} if request_id else {}
        self.state.record(endpoint, self.headers.get("Idempotency-Key", ""), request_id)
        faults = self.state.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        fault = self.state.draw_fault()
        if fault == "timeout":
            time.sleep(faults.timeout_sleep_ms / 1000)
        elif fault == "error":
            headers = dict(echo)
            if faults.retry_after_s is not None:
                headers["Retry-After"] = str(faults.retry_after_s)
            self.send_json(503, {"error": "unavailable"}, headers)
            return
        try:
            data = require_object(json.loads(raw))
        except (ValueError, BadRequest):
            self.send_json(200, {"errorCodes": [BAD_REQUEST]}, echo)
            return
        if data.get("merchant") != self.state.merchant:
            self.send_json(200, {"errorCodes": [MERCHANT_UNKNOWN]}, echo)  # unsigned: no secret to sign with
            return
        if not verify(self.state.secret, raw, self.headers.get(SIGNATURE_HEADER, "")):
            self.send_signed(
                {"salt": new_salt(), "merchant": self.state.merchant, "errorCodes": [SIGNATURE_INVALID]}, echo
            )
            return
        with self.state.lock:
            try:
                body = answer(data)
            except BadRequest:
                body = {"errorCodes": [BAD_REQUEST]}
        self.send_signed({"salt": new_salt(), "merchant": self.state.merchant, **body}, echo)

    def payment_url(self, transaction_id: str) -> str:
        base = (self.state.public_url or self.server.base_url).rstrip("/")
        return f"{base}{PAY_PATH}{transaction_id}"

    def answer_start(self, data: dict[str, Any]) -> dict[str, Any]:
        state = self.state
        order_ref = require_str(data, "orderRef", max_length=64)
        total = data.get("total")
        if isinstance(total, bool) or not isinstance(total, int) or total <= 0:
            return {"errorCodes": [TOTAL_INVALID]}
        if data.get("currency") != "HUF":
            return {"errorCodes": [CURRENCY_UNSUPPORTED]}
        language = data.get("language", "HU")
        if language not in TEXTS:
            raise BadRequest("language must be HU or EN")
        url = require_str(data, "url", max_length=1000)
        if urlsplit(url).scheme not in ("http", "https"):
            raise BadRequest("url must be an http(s) URL")
        timeout_at = require_datetime(data, "timeout")
        email = require_str(data, "customerEmail", allow_empty=True, max_length=254)

        existing_id = state.by_order_ref.get(order_ref)
        if existing_id is not None:
            existing = state.transactions[existing_id]
            # a retried start: the same transaction again, never a second one
            if (existing.total, existing.currency) == (total, "HUF") and existing.status in OPEN_STATUSES:
                return existing.start_answer(self.payment_url(existing_id)).to_json(salt=new_salt())
            return {"errorCodes": [ORDER_REF_USED]}
        transaction_id = str(state.next_id)
        state.next_id += 1
        tx = Transaction(
            transaction_id=transaction_id,
            order_ref=order_ref,
            merchant=state.merchant,
            total=total,
            currency="HUF",
            language=language,
            customer_email=email,
            return_url=url,
            timeout_at=timeout_at,
            timeout_text=data["timeout"],
            payment_date=iso(now()),
        )
        tx.statuses.append("INIT")
        state.transactions[transaction_id] = tx
        state.by_order_ref[order_ref] = transaction_id
        state.starts += 1
        return tx.start_answer(self.payment_url(transaction_id)).to_json(salt=new_salt())

    def answer_query(self, data: dict[str, Any]) -> dict[str, Any]:
        state = self.state
        ids = data.get("transactionIds") or []
        refs = data.get("orderRefs") or []
        if not isinstance(ids, list) or not isinstance(refs, list) or not (ids or refs):
            raise BadRequest("transactionIds or orderRefs must be a non-empty list")
        wanted = [str(i) for i in ids] + [state.by_order_ref.get(str(r), "") for r in refs]
        found = [state.transactions[i] for i in dict.fromkeys(wanted) if i in state.transactions]
        state.queries += 1
        return {
            "totalCount": len(found),
            "transactions": [tx.state().to_query_json(new_salt()) for tx in found],
        }

    # -- test controls -------------------------------------------------------------------------------
    def sim_config(self, raw: bytes) -> None:
        try:
            data = require_object(json.loads(raw or b"{}"))
            for name in ("ipn_url", "public_url"):
                if name in data and not isinstance(data[name], str | None):
                    raise ValueError(f"{name} must be a string")
        except (ValueError, BadRequest) as exc:
            self.send_json(400, {"error": "bad_request", "detail": str(exc)})
            return
        with self.state.lock:
            for name in ("ipn_url", "public_url"):
                if name in data:
                    setattr(self.state, name, data[name] or "")
            self.send_json(200, {"ipn_url": self.state.ipn_url, "public_url": self.state.public_url})

    def sim_complete(self, raw: bytes) -> None:
        try:
            data = require_object(json.loads(raw or b"{}"))
            transaction_id = str(data["transactionId"])
            outcome = str(data.get("outcome", "SUCCESS"))
        except (ValueError, KeyError, BadRequest) as exc:
            self.send_json(400, {"error": "bad_request", "detail": str(exc)})
            return
        status = OUTCOMES.get(outcome, outcome)
        if status not in GATEWAY_STATUSES:
            self.send_json(400, {"error": "bad_request", "detail": f"unknown outcome {outcome!r}"})
            return
        with self.state.lock:
            tx = self.state.transactions.get(transaction_id)
            if tx is None:
                self.send_json(404, {"error": "not_found"})
                return
            # only an open transaction gets an outcome; a paid one may still be refunded or reversed
            allowed = tx.status in OPEN_STATUSES or (tx.status == "FINISHED" and status in ("REFUND", "REVERSED"))
            if not allowed:
                self.send_json(409, {"error": "transaction_closed", "status": tx.status})
                return
            shown = self.state.outcome(tx, status, notify=data.get("notify", True) is not False)
            self.state.completions += 1
        if data.get("wait"):
            self.state.wait_for_ipns(transaction_id)
        self.send_json(200, {"transactionId": transaction_id, "status": shown, "returnUrl": self.back_url(tx, shown)})

    # -- the hosted page and the return ----------------------------------------------------------------
    def back_url(self, tx: Transaction, status: str) -> str:
        event = BACK_EVENT_OF_STATUS.get(status, "FAIL")
        back = BackResult(
            result_code=0, transaction_id=tx.transaction_id, event=event, merchant=tx.merchant, order_ref=tx.order_ref
        )
        r, s = back_encode(self.state.secret, back)
        separator = "&" if "?" in tx.return_url else "?"
        return f"{tx.return_url}{separator}{urlencode({'r': r, 's': s})}"

    def hosted_page(self, transaction_id: str, form: dict[str, str] | None = None, errors=None) -> None:
        self.state.expire_overdue()
        with self.state.lock:
            tx = self.state.transactions.get(transaction_id)
            if tx is None:
                self.send_html(404, unknown_page())
                return
            if tx.status == "INIT":
                tx.set_status("INPAYMENT")
            status = tx.status
        if status not in OPEN_STATUSES:
            self.send_html(200, closed_page(tx, self.back_url(tx, status)))
            return
        self.send_html(400 if errors else 200, form_page(tx, form or {}, errors or {}))

    def hosted_submit(self, transaction_id: str) -> None:
        form = self.read_form()
        errors: dict[str, str] = {}
        self.state.expire_overdue()
        with self.state.lock:
            tx = self.state.transactions.get(transaction_id)
            if tx is None:
                self.send_html(404, unknown_page())
                return
            if tx.status not in OPEN_STATUSES:
                self.send_redirect(self.back_url(tx, tx.status))
                return
            if form.get("action") == "cancel":
                shown = self.state.outcome(tx, "CANCELLED")
            else:
                errors = card_errors(form, TEXTS[tx.language])
                if errors:
                    shown = ""
                else:
                    number = "".join(form.get("card_number", "").split())
                    shown = self.state.outcome(tx, "FINISHED" if number == CARD_SUCCESS else "NOTAUTHORIZED")
            if shown:
                self.state.completions += 1
        if not shown:
            # never echo the card number back into the page
            self.hosted_page(transaction_id, form={"expiry": form.get("expiry", "")}, errors=errors)
            return
        self.send_redirect(self.back_url(tx, shown))


class CardServer(SimServer):
    def __init__(self, address: tuple[str, int], state: CardState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, CardHandler)
        self._closing = threading.Event()
        # the hosted page gives up on its own, whether or not anyone looks at it
        self._sweeper = threading.Thread(target=self._sweep, name="card-sim-timeouts", daemon=True)
        self._sweeper.start()

    def _sweep(self) -> None:
        while not self._closing.wait(SWEEP_EVERY_S):
            self.state.expire_overdue()

    def server_close(self) -> None:
        self._closing.set()
        super().server_close()


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    merchant: str = DEFAULT_MERCHANT,
    secret: str = DEFAULT_SECRET,
    ipn_url: str = "",
    public_url: str = "",
    faults: Faults | None = None,
    first_transaction_id: int = DEFAULT_FIRST_TRANSACTION_ID,
    verbose: bool = False,
) -> CardServer:
    state = CardState(
        merchant=merchant,
        secret=secret,
        ipn_url=ipn_url,
        public_url=public_url,
        faults=faults,
        first_transaction_id=first_transaction_id,
    )
    return CardServer((host, port), state, verbose=verbose)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    merchant: str = DEFAULT_MERCHANT,
    secret: str = DEFAULT_SECRET,
    ipn_url: str = "",
    public_url: str = "",
    faults: Faults | None = None,
    first_transaction_id: int = DEFAULT_FIRST_TRANSACTION_ID,
) -> tuple[CardServer, str]:
    """Start the simulator on a daemon thread; returns (server, base_url). Stop: `server.shutdown()`
    then `server.server_close()`."""
    server = make_server(
        host,
        port,
        merchant=merchant,
        secret=secret,
        ipn_url=ipn_url,
        public_url=public_url,
        faults=faults,
        first_transaction_id=first_transaction_id,
    )
    return serve_in_thread(server)  # type: ignore[return-value]


def faults_from_env() -> CardFaults:
    """CARD_SIM_LATENCY_MS, CARD_SIM_ERROR_RATE, CARD_SIM_TIMEOUT_RATE."""
    return CardFaults(**asdict(_faults_from_env("CARD")))


def first_transaction_id_from_clock() -> int:
    """A dev simulator's first transaction id, so a restarted one does not hand out an id again."""
    return DEFAULT_FIRST_TRANSACTION_ID + serial_start_from_clock() * 1000


def main(argv: list[str] | None = None) -> None:
    env_faults = faults_from_env()
    parser = argparse.ArgumentParser(description="Card payment gateway simulator")
    parser.add_argument("--host", default=os.environ.get("CARD_SIM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CARD_SIM_PORT", str(DEFAULT_PORT))))
    parser.add_argument("--merchant", default=os.environ.get("CARD_GATEWAY_MERCHANT", DEFAULT_MERCHANT))
    parser.add_argument("--secret", default=os.environ.get("CARD_GATEWAY_SECRET", DEFAULT_SECRET))
    parser.add_argument("--ipn-url", default=os.environ.get("CARD_SIM_IPN_URL", ""))
    parser.add_argument("--latency-ms", type=int, default=env_faults.latency_ms)
    parser.add_argument("--error-rate", type=float, default=env_faults.error_rate)
    parser.add_argument("--timeout-rate", type=float, default=env_faults.timeout_rate)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    faults = CardFaults(latency_ms=args.latency_ms, error_rate=args.error_rate, timeout_rate=args.timeout_rate)
    server = make_server(
        args.host,
        args.port,
        merchant=args.merchant,
        secret=args.secret,
        ipn_url=args.ipn_url,
        faults=faults,
        first_transaction_id=first_transaction_id_from_clock(),
        verbose=args.verbose,
    )
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"card gateway simulator: {server.base_url} (IPN to {args.ipn_url or 'nowhere'})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
