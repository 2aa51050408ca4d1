"""Card gateway client against its simulator, over real HTTP on loopback: signed start and query,
the hosted card page, the signed return, the IPNs and the switches tests use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from backend.stackkit import free_port
from integrations.cardgateway.client import CardGatewayClient
from integrations.cardgateway.contract import (
    CARD_DECLINED,
    CARD_SUCCESS,
    ORDER_REF_USED,
    PORTAL_NOTIFICATION_PATH,
    SIGNATURE_INVALID,
    BackResult,
    back_decode,
    dump,
    sign,
    verify,
)
from integrations.cardgateway.simulator import DEFAULT_MERCHANT, DEFAULT_SECRET, start_in_thread
from integrations.http import IntegrationRejected, IntegrationUnavailable
from integrations.models import Exchange
from tests.integrations.conftest import http, set_faults, sim_stats

pytestmark = pytest.mark.django_db

RETURN_URL = "http://127.0.0.1:8000/payments/card/return/"
BASE_DIR = Path(__file__).resolve().parents[2]


class IpnReceiver:
    """The merchant's notification endpoint: records every IPN, acknowledges as the protocol
    asks (or answers `status` without acknowledging)."""

    def __init__(self, secret: str = DEFAULT_SECRET) -> None:
        self.secret = secret
        self.received: list[dict] = []
        self.signatures_ok: list[bool] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.signatures_ok.append(verify(receiver.secret, raw, self.headers.get("Signature", "")))
                data = json.loads(raw)
                receiver.received.append(data)
                answer = dump({**data, "receiveDate": "2026-11-21T10:00:00+01:00"})
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.send_header("Signature", sign(receiver.secret, answer))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{PORTAL_NOTIFICATION_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def statuses(self) -> list[str]:
        return [item["status"] for item in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = IpnReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def gateway(receiver):
    server, base_url = start_in_thread(ipn_url=receiver.url)
    yield server
    server.shutdown()
    server.server_close()


def client_for(server, **overrides) -> CardGatewayClient:
    options = {
        "base_url": server.base_url,
        "merchant": DEFAULT_MERCHANT,
        "secret": DEFAULT_SECRET,
        "timeout_s": 2.0,
        "backoff_factor": 0.01,
    }
    return CardGatewayClient(**{**options, **overrides})


def start(client, order_ref="0b6a3c1e-0000-4000-8000-000000000001", *, total=12_000, language="HU", timeout_s=600):
    return client.start(
        order_ref=order_ref,
        total=total,
        customer_email="szucs.levente@example.hu",
        language=language,
        return_url=RETURN_URL,
        timeout_at=datetime.now(UTC) + timedelta(seconds=timeout_s),
    )


def complete(server, transaction_id, outcome, **options):
    reply = http(
        "POST",
        f"{server.base_url}/_sim/complete",
        json_body={"transactionId": transaction_id, "outcome": outcome, "wait": True, **options},
    )
    assert reply.status == 200, reply.text
    return reply.json()


def pay_on_the_page(answer, card_number, *, action="pay"):
    form = {"card_number": card_number, "expiry": "12/39", "cvc": "123", "action": action}
    return http("POST", answer.payment_url, form=form)


def back_of(location: str) -> BackResult:
    query = parse_qs(urlsplit(location).query)
    back = back_decode(DEFAULT_SECRET, query["r"][0], query["s"][0])
    assert back is not None
    return back


def wait_for(predicate, timeout_s=5.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


# --- signed API -------------------------------------------------------------------------------------
def test_start_opens_one_transaction_per_order_ref_and_logs_it_under_the_key(gateway):
    client = client_for(gateway)
    # when a transaction is started, and the same start is repeated (a retry)
    first = start(client)
    again = start(client)
    # then one transaction exists, the answer is verified and names our order
    assert first == again
    assert (first.transaction_id, first.order_ref, first.total, first.currency) == (
        "504000001",
        "0b6a3c1e-0000-4000-8000-000000000001",
        12_000,
        "HUF",
    )
    assert first.payment_url == f"{gateway.base_url}/pay/504000001"
    assert sim_stats(gateway)["starts"] == 1
    # and each call is logged under the payment's key, the e-mail address masked
    exchanges = list(Exchange.objects.order_by("id"))
    assert [(e.system, e.operation, e.status_code, e.idempotency_key) for e in exchanges] == [
        ("cardgateway", "start", 200, "0b6a3c1e-0000-4000-8000-000000000001"),
        ("cardgateway", "start", 200, "0b6a3c1e-0000-4000-8000-000000000001"),
    ]
    assert exchanges[0].request_body["customerEmail"] == "***"
    assert exchanges[0].request_body["total"] == 12_000


def test_an_order_ref_reused_with_another_total_is_refused(gateway):
    client = client_for(gateway)
    start(client)
    with pytest.raises(IntegrationRejected) as error:
        start(client, total=13_000)
    assert error.value.error_code == f"refused:{ORDER_REF_USED}"
    assert sim_stats(gateway)["starts"] == 1


def test_a_wrong_secret_is_refused_by_the_gateway(gateway):
    with pytest.raises(IntegrationRejected) as error:
        start(client_for(gateway, secret="not-the-secret"))
    assert error.value.error_code == f"refused:{SIGNATURE_INVALID}"
    assert sim_stats(gateway)["starts"] == 0


def test_an_answer_without_a_valid_signature_is_not_believed():
    # given a "gateway" that answers a perfect start, signed with another secret
    class Forger(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = dump(
                {
                    "salt": "x" * 32,
                    "merchant": DEFAULT_MERCHANT,
                    "orderRef": "0b6a3c1e-0000-4000-8000-000000000001",
                    "currency": "HUF",
                    "transactionId": 1,
                    "timeout": "2026-11-21T10:00:00+01:00",
                    "total": 12_000,
                    "paymentUrl": "https://phishing.example/pay/1",
                }
            )
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Signature", sign("another-secret", body))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forger)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = CardGatewayClient(
            base_url=f"http://127.0.0.1:{server.server_address[1]}", merchant=DEFAULT_MERCHANT, secret=DEFAULT_SECRET
        )
        # when the client starts a payment there, then it refuses the answer
        with pytest.raises(IntegrationRejected) as error:
            start(client)
        assert error.value.error_code == "bad_signature"
    finally:
        server.shutdown()
        server.server_close()


def test_query_reports_status_by_transaction_id_or_order_ref(gateway):
    client = client_for(gateway)
    answer = start(client)
    by_id = client.query([answer.transaction_id])
    by_ref = client.query(order_refs=[answer.order_ref])
    assert by_id == by_ref
    assert [(t.transaction_id, t.status, t.total) for t in by_id] == [("504000001", "INIT", 12_000)]
    assert client.query(["999"]) == []
    assert sim_stats(gateway)["queries"] == 3


def test_gateway_errors_are_retried_then_reported_unavailable(gateway):
    client = client_for(gateway)
    set_faults(gateway, error_rate=1.0)
    with pytest.raises(IntegrationUnavailable):
        start(client)
    assert Exchange.objects.get().attempts == 4  # the order ref makes the start safe to repeat
    set_faults(gateway, error_rate=0.0, timeout_rate=1.0, timeout_sleep_ms=1500)
    with pytest.raises(IntegrationUnavailable) as error:
        client_for(gateway, timeout_s=0.3).query(["504000001"])
    assert error.value.error_code == "timeout"


def test_faults_refuse_a_bad_switch_and_keep_the_rest(gateway):
    assert http("POST", f"{gateway.base_url}/_sim/faults", json_body={"ipn_drop": "yes"}).status == 400
    assert http("POST", f"{gateway.base_url}/_sim/faults", json_body={"ipn_delay_ms": -1}).status == 400
    assert sim_stats(gateway)["faults"]["ipn_drop"] is False


# --- the hosted page, the return and the IPN ----------------------------------------------------------
def test_hosted_page_is_an_accessible_form_in_the_start_language(gateway):
    client = client_for(gateway)
    hungarian = http("GET", start(client).payment_url)
    english = http("GET", start(client, "0b6a3c1e-0000-4000-8000-000000000002", language="EN").payment_url)
    assert hungarian.status == 200 and '<html lang="hu">' in hungarian.text
    assert '<label for="card_number">Kártyaszám</label>' in hungarian.text
    assert ">Fizetés</button>" in hungarian.text and ">Mégse</button>" in hungarian.text
    assert "12\u00a0000 Ft" in hungarian.text
    assert '<html lang="en">' in english.text
    for label in ('<label for="card_number">Card number', '<label for="expiry">', '<label for="cvc">'):
        assert label in english.text
    assert 'autocomplete="cc-number"' in english.text and ">Pay</button>" in english.text
    # opening the page puts the transaction in payment
    assert sim_stats(gateway)["transactions"] == {"504000001": "INPAYMENT", "504000002": "INPAYMENT"}


def test_success_card_pays_returns_signed_success_and_notifies(gateway, receiver):
    answer = start(client_for(gateway))
    reply = pay_on_the_page(answer, "4908 3660 9990 0425")
    # the browser goes back to the merchant with a signed SUCCESS
    assert reply.status == 302 and reply.headers["Location"].startswith(RETURN_URL + "?r=")
    assert back_of(reply.headers["Location"]) == BackResult(
        0, "504000001", "SUCCESS", DEFAULT_MERCHANT, answer.order_ref
    )
    # and the merchant is notified, signed, and its acknowledgement accepted
    wait_for(lambda: sim_stats(gateway)["ipn_acknowledged"] == 1)
    assert receiver.statuses == ["FINISHED"] and receiver.signatures_ok == [True]
    assert receiver.received[0]["orderRef"] == answer.order_ref
    assert receiver.received[0]["merchant"] == DEFAULT_MERCHANT
    # and a repeated submission changes nothing
    again = pay_on_the_page(answer, CARD_DECLINED)
    assert back_of(again.headers["Location"]).event == "SUCCESS"
    assert sim_stats(gateway)["transactions"] == {"504000001": "FINISHED"}


@pytest.mark.parametrize(
    ("card_number", "action", "event", "status"),
    [
        (CARD_DECLINED, "pay", "FAIL", "NOTAUTHORIZED"),
        ("5555 5555 5555 4444", "pay", "FAIL", "NOTAUTHORIZED"),  # any other card is declined too
        ("", "cancel", "CANCEL", "CANCELLED"),
    ],
)
def test_declined_card_and_cancel(gateway, receiver, card_number, action, event, status):
    answer = start(client_for(gateway))
    reply = pay_on_the_page(answer, card_number, action=action)
    assert back_of(reply.headers["Location"]).event == event
    wait_for(lambda: sim_stats(gateway)["ipn_acknowledged"] == 1)
    assert receiver.statuses == [status]


def test_a_wrong_form_is_answered_on_the_page_without_echoing_the_card(gateway):
    answer = start(client_for(gateway), language="EN")
    reply = http("POST", answer.payment_url, form={"card_number": "4908 3660 9990 0426", "expiry": "13/20", "cvc": "1"})
    assert reply.status == 400
    assert 'role="alert"' in reply.text
    for name in ("card_number", "expiry", "cvc"):
        assert f'id="{name}" name="{name}"' in reply.text
        assert f'aria-describedby="{name}-error"' in reply.text
    assert "4908 3660 9990 0426" not in reply.text
    assert sim_stats(gateway)["transactions"] == {"504000001": "INPAYMENT"}


def test_a_page_left_alone_times_out_and_notifies(gateway, receiver):
    answer = start(client_for(gateway), timeout_s=1)
    wait_for(lambda: sim_stats(gateway)["ipn_acknowledged"] == 1, timeout_s=5)
    assert receiver.statuses == ["TIMEOUT"]
    page = http("POST", answer.payment_url, form={"card_number": CARD_SUCCESS, "expiry": "12/39", "cvc": "123"})
    assert back_of(page.headers["Location"]).event == "TIMEOUT"


# --- switches -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("faults", "statuses", "final"),
    [
        ({"ipn_duplicate": True}, ["FINISHED", "FINISHED"], "FINISHED"),
        ({"ipn_out_of_order": True}, ["FINISHED", "INPAYMENT"], "FINISHED"),
        ({"late_success": True, "late_success_after_ms": 100}, ["TIMEOUT", "FINISHED"], "FINISHED"),
        ({"ipn_drop": True}, [], "FINISHED"),
    ],
)
def test_ipn_switches(gateway, receiver, faults, statuses, final):
    set_faults(gateway, **faults)
    answer = start(client_for(gateway))
    shown = complete(gateway, answer.transaction_id, "SUCCESS")
    assert receiver.statuses == statuses
    stats = sim_stats(gateway)
    assert stats["transactions"] == {"504000001": final}
    assert stats["ipn_dropped"] == (1 if faults.get("ipn_drop") else 0)
    # a late success sends the browser back with what the gateway believed then
    assert back_of(shown["returnUrl"]).event == ("TIMEOUT" if faults.get("late_success") else "SUCCESS")


def test_ipn_delay_holds_the_notification_back(gateway, receiver):
    set_faults(gateway, ipn_delay_ms=400)
    answer = start(client_for(gateway))
    complete(gateway, answer.transaction_id, "SUCCESS", wait=False)
    time.sleep(0.2)
    assert receiver.statuses == []
    wait_for(lambda: receiver.statuses == ["FINISHED"])


def test_an_unacknowledged_ipn_is_sent_again_then_given_up(gateway, receiver):
    receiver.status = 500
    set_faults(gateway, ipn_retries=2, ipn_retry_ms=10)
    answer = start(client_for(gateway))
    complete(gateway, answer.transaction_id, "FAIL")
    assert receiver.statuses == ["NOTAUTHORIZED"] * 3
    assert [(e["status"], e["http_status"], e["acknowledged"]) for e in sim_stats(gateway)["ipn_log"]] == [
        ("NOTAUTHORIZED", 500, False)
    ] * 3


def test_a_closed_transaction_takes_no_other_outcome_but_a_refund(gateway, receiver):
    answer = start(client_for(gateway))
    complete(gateway, answer.transaction_id, "SUCCESS")
    refused = http(
        "POST",
        f"{gateway.base_url}/_sim/complete",
        json_body={"transactionId": answer.transaction_id, "outcome": "FAIL"},
    )
    assert refused.status == 409
    assert complete(gateway, answer.transaction_id, "REFUND")["status"] == "REFUND"
    assert receiver.statuses == ["FINISHED", "REFUND"]


# --- the launcher ------------------------------------------------------------------------------------------
def test_launcher_starts_the_card_gateway_with_the_portal_ipn_url(tmp_path):
    ports: dict[str, int] = {}
    for name in ("REGISTRY", "FACEBOOK", "PARKING", "FILING", "MAIL", "TSA", "CARD", "WEB"):
        while (port := free_port()) in ports.values():
            pass
        ports[name] = port
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "REGISTRY_SIM_PORT": str(ports["REGISTRY"]),
        "FACEBOOK_SIM_PORT": str(ports["FACEBOOK"]),
        "PARKING_SIM_PORT": str(ports["PARKING"]),
        "FILING_SIM_PORT": str(ports["FILING"]),
        "MAIL_SINK_PORT": str(ports["MAIL"]),
        "TSA_SIM_PORT": str(ports["TSA"]),
        "TSA_SIM_PUBLIC_URL": f"http://127.0.0.1:{ports['TSA']}",
        "MAIL_SINK_DIR": str(tmp_path / "mail"),
        "CARD_SIM_PORT": str(ports["CARD"]),
        "PUBLIC_URL": f"http://127.0.0.1:{ports['WEB']}",
    }
    log = tmp_path / "simulators.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "integrations.simulators"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "mail sink:" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        card_url = f"http://127.0.0.1:{ports['CARD']}"
        assert f"card gateway simulator: {card_url}" in log.read_text().splitlines()
        assert http("GET", f"{card_url}/_sim/stats").json()["ipn_url"] == (
            f"http://127.0.0.1:{ports['WEB']}/api/v1/payments/card/notifications/"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
