"""The card gateway simulator's memory: its merchant account, transactions, faults and IPN
switches, and the sending of notifications (the HTTP side is in `simulator.py`)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from integrations.cardgateway.contract import (
    CLOSED_STATUSES,
    SIGNATURE_HEADER,
    StartAnswer,
    TransactionState,
    dump,
    new_salt,
    sign,
    verify,
)
from integrations.simkit import ContractState, Faults

DEFAULT_MERCHANT = "HEGYVIDEK-DEV"
DEFAULT_SECRET = "dev-card-gateway-secret"  # noqa: S105 - equals the settings default, dev only
DEFAULT_FIRST_TRANSACTION_ID = 504_000_001
BUDAPEST = ZoneInfo("Europe/Budapest")
OPEN_STATUSES = frozenset({"INIT", "INPAYMENT"})
IPN_TIMEOUT_S = 5.0


def now() -> datetime:
    return datetime.now(BUDAPEST)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass
class CardFaults(Faults):
    """The contract faults plus the IPN switches (described in `simulator.py`)."""

    ipn_duplicate: bool = False
    ipn_out_of_order: bool = False
    ipn_delay_ms: int = 0
    ipn_drop: bool = False
    late_success: bool = False
    late_success_after_ms: int = 500
    ipn_retries: int = 2
    ipn_retry_ms: int = 250

    def update(self, data: dict[str, Any]) -> None:
        # check everything before changing anything: a bad request leaves the faults as they were
        switches = {}
        for name in ("ipn_duplicate", "ipn_out_of_order", "ipn_drop", "late_success"):
            if name in data:
                if not isinstance(data[name], bool):
                    raise ValueError(f"{name} must be true or false")
                switches[name] = data[name]
        for name in ("ipn_delay_ms", "late_success_after_ms", "ipn_retries", "ipn_retry_ms"):
            if name in data:
                value = int(data[name])
                if value < 0:
                    raise ValueError(f"{name} out of range")
                switches[name] = value
        super().update(data)
        for name, value in switches.items():
            setattr(self, name, value)


@dataclass
class Transaction:
    transaction_id: str
    order_ref: str
    merchant: str
    total: int
    currency: str
    language: str
    customer_email: str
    return_url: str
    timeout_at: datetime
    timeout_text: str
    status: str = "INIT"
    payment_date: str = ""
    finish_date: str = ""
    statuses: list[str] = field(default_factory=list)

    def state(self, status: str | None = None) -> TransactionState:
        return TransactionState(
            transaction_id=self.transaction_id,
            order_ref=self.order_ref,
            merchant=self.merchant,
            status=status or self.status,
            payment_date=self.payment_date,
            finish_date=self.finish_date,
            total=self.total,
        )

    def set_status(self, status: str) -> None:
        self.status = status
        self.statuses.append(status)
        if status in CLOSED_STATUSES:
            self.finish_date = iso(now())

    def start_answer(self, payment_url: str) -> StartAnswer:
        return StartAnswer(
            transaction_id=self.transaction_id,
            order_ref=self.order_ref,
            merchant=self.merchant,
            total=self.total,
            currency=self.currency,
            timeout=self.timeout_text,
            payment_url=payment_url,
        )


@dataclass(frozen=True)
class IpnStep:
    """One step of what follows an outcome: wait, maybe change the status, maybe notify."""

    delay_ms: int
    report: str  # the status the IPN reports
    apply: str | None = None  # the transaction's status from this moment (late success)
    notify: bool = True


class CardState(ContractState):
    def __init__(
        self,
        *,
        merchant: str = DEFAULT_MERCHANT,
        secret: str = DEFAULT_SECRET,
        ipn_url: str = "",
        public_url: str = "",
        faults: Faults | None = None,
        first_transaction_id: int = DEFAULT_FIRST_TRANSACTION_ID,
        seed: int = 1,
    ) -> None:
        self.merchant = merchant
        self.secret = secret
        self.ipn_url = ipn_url
        self.public_url = public_url
        self.first_transaction_id = first_transaction_id
        self.generation = 0
        # the base class keeps a plain `Faults`; the IPN switches need ours
        super().__init__(token="", faults=CardFaults(**asdict(faults or Faults())), seed=seed)

    def reset(self) -> None:
        with self.lock:
            self.faults = CardFaults(**asdict(self.initial_faults))
            self.calls: dict[str, int] = {}
            self.idempotency_keys: dict[str, int] = {}
            self.request_ids: list[str] = []
            self.replays: dict[str, tuple[str, int, dict[str, Any]]] = {}
            self.generation = getattr(self, "generation", 0) + 1  # IPNs of before the reset are not sent
            self.reset_data()

    def reset_data(self) -> None:
        self.transactions: dict[str, Transaction] = {}
        self.by_order_ref: dict[str, str] = {}
        self.next_id = self.first_transaction_id
        self.starts = 0
        self.queries = 0
        self.completions = 0
        self.ipn_sent = 0
        self.ipn_acknowledged = 0
        self.ipn_dropped = 0
        self.ipn_log: list[dict[str, Any]] = []
        self.ipn_threads: dict[str, list[threading.Thread]] = {}

    def extra_stats(self) -> dict[str, Any]:
        return {
            "starts": self.starts,
            "queries": self.queries,
            "completions": self.completions,
            "ipn_sent": self.ipn_sent,
            "ipn_acknowledged": self.ipn_acknowledged,
            "ipn_dropped": self.ipn_dropped,
            "ipn_log": [dict(entry) for entry in self.ipn_log],
            "transactions": {tid: tx.status for tid, tx in self.transactions.items()},
            "ipn_url": self.ipn_url,
        }

    # -- outcomes and their notifications ------------------------------------------------------------
    def outcome(self, tx: Transaction, status: str, *, notify: bool = True) -> str:
        """Close (or, for REFUND/REVERSED, reopen the books of) a transaction and send the IPNs
        the switches ask for. Returns the status the gateway reports now (TIMEOUT for a late success)."""
        with self.lock:
            faults = self.faults
            late = faults.late_success and status == "FINISHED"
            shown = "TIMEOUT" if late else status
            tx.set_status(shown)
            notify = notify and not faults.ipn_drop
            steps = [IpnStep(faults.ipn_delay_ms, shown, notify=notify)]
            if late:
                steps.append(IpnStep(faults.late_success_after_ms, "FINISHED", apply="FINISHED", notify=notify))
            if faults.ipn_duplicate:
                steps.append(IpnStep(0, steps[-1].report, notify=notify))
            if faults.ipn_out_of_order:
                steps.append(IpnStep(0, "INPAYMENT", notify=notify))
            thread = threading.Thread(
                target=self._run_steps,
                args=(tx.transaction_id, steps, self.generation),
                name=f"card-ipn-{tx.transaction_id}",
                daemon=True,
            )
            self.ipn_threads.setdefault(tx.transaction_id, []).append(thread)
        thread.start()
        return shown

    def wait_for_ipns(self, transaction_id: str, timeout_s: float = 30.0) -> None:
        with self.lock:
            threads = list(self.ipn_threads.get(transaction_id, ()))
        deadline = time.monotonic() + timeout_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _run_steps(self, transaction_id: str, steps: list[IpnStep], generation: int) -> None:
        for step in steps:
            if step.delay_ms:
                time.sleep(step.delay_ms / 1000)
            with self.lock:
                if generation != self.generation:
                    return
                tx = self.transactions[transaction_id]
                if step.apply:
                    tx.set_status(step.apply)
                if not step.notify or not self.ipn_url:
                    self.ipn_dropped += 1
                    continue
                body = tx.state(step.report).to_notification_json(new_salt())
                url, retries, retry_ms = self.ipn_url, self.faults.ipn_retries, self.faults.ipn_retry_ms
            for attempt in range(1 + retries):
                if attempt:
                    time.sleep(retry_ms / 1000)
                if self._deliver(url, body, generation):
                    break

    def _deliver(self, url: str, body: dict[str, Any], generation: int) -> bool:
        raw = dump(body)
        request = urllib.request.Request(  # noqa: S310 - the configured merchant URL
            url,
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, raw)},
        )
        status: int | None = None
        answer, answer_signature = b"", ""
        try:
            with _opener.open(request, timeout=IPN_TIMEOUT_S) as response:
                status, answer = response.status, response.read()
                answer_signature = response.headers.get(SIGNATURE_HEADER, "")
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        except OSError:
            status = None
        acknowledged = status == 200 and verify(self.secret, answer, answer_signature) and _echoes(body, answer)
        with self.lock:
            if generation != self.generation:
                return True
            self.ipn_sent += 1
            self.ipn_acknowledged += int(acknowledged)
            self.ipn_log.append(
                {
                    "transactionId": str(body["transactionId"]),
                    "status": body["status"],
                    "http_status": status,
                    "acknowledged": acknowledged,
                }
            )
        return acknowledged

    def expire_overdue(self) -> None:
        """The hosted page gives up on transactions past their timeout."""
        moment = now()
        with self.lock:
            overdue = [
                tx for tx in self.transactions.values() if tx.status in OPEN_STATUSES and tx.timeout_at <= moment
            ]
            for tx in overdue:
                self.outcome(tx, "TIMEOUT")


def _echoes(sent: dict[str, Any], answer: bytes) -> bool:
    """The merchant's acknowledgement: what we sent, plus when it was received."""
    try:
        data = json.loads(answer)
    except ValueError:
        return False
    if not isinstance(data, dict) or not isinstance(data.get("receiveDate"), str):
        return False
    return {key: value for key, value in data.items() if key != "receiveDate"} == sent


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxies from the environment
