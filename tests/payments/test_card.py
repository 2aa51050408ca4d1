"""Paying a fee by card: the resident is sent to the card gateway (its simulator, over real HTTP),
and only the gateway's signed notification or a status query decides what the payment is — never
the browser's return. Notifications reach the portal over HTTP (a live server), so those tests
commit their data."""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import dramatiq
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import ModelLogEntry

from eservices.cases.models import Case, CaseStatus
from integrations.cardgateway.contract import CARD_DECLINED, CARD_SUCCESS, PORTAL_NOTIFICATION_PATH, dump, sign
from integrations.models import Exchange
from payments import tasks
from payments.models import Order, OrderStatus, Payment, PaymentEvent, PaymentMethod, PaymentStatus
from payments.services import payment_create, payment_transition
from tests.factories import ResidentProfileFactory, UserFactory
from tests.integrations.conftest import http, set_faults, sim_stats
from tests.payments import test_orders

pytestmark = [pytest.mark.django_db]

FEE = test_orders.FEE
# the granted application waiting at the payment step, shared with the order tests
paid_service = test_orders.paid_service
waiting_case = test_orders.waiting_case

RETURN_PATH = "/payments/card/return/"
SECRET = "dev-card-gateway-secret"  # the settings' default, which the simulator fixture is given


# --- helpers ---------------------------------------------------------------------------------------------
def session_for(user) -> APIClient:
    """A signed-in browser as the SPA is one: a session cookie and the CSRF header."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/api/v1/csrf/")
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value, HTTP_ACCEPT_LANGUAGE="en")
    return client


def card_payments_url(order) -> str:
    return f"/api/v1/orders/{order.reference}/card-payments/"


def start_card_payment(case, language="hu"):
    """The resident presses "Pay by card"; returns (payment, the gateway page URL)."""
    order = Order.objects.get(case=case)
    response = session_for(case.applicant.user).post(card_payments_url(order), {"language": language}, format="json")
    assert response.status_code == 201, response.json()
    return Payment.objects.get(order=order), response.json()["redirect_url"]


def on_the_card_page(url, *, card=CARD_SUCCESS, action="pay"):
    """The resident's browser on the gateway's page: submit the form, get the way back."""
    reply = http("POST", url, form={"card_number": card, "expiry": "12/39", "cvc": "123", "action": action})
    assert reply.status == 302, reply.text
    return reply.headers["Location"]


def come_back(client, location):
    """The browser follows the gateway's redirect to our return URL."""
    parts = urlsplit(location)
    assert parts.path == RETURN_PATH
    return client.get(RETURN_PATH, {key: values[0] for key, values in parse_qs(parts.query).items()})


def complete(gateway, payment, outcome, **options):
    """What the hosted page does, without a browser; answers once the notifications are sent."""
    reply = http(
        "POST",
        f"{gateway.base_url}/_sim/complete",
        json_body={"transactionId": payment.gateway_transaction_id, "outcome": outcome, "wait": True, **options},
    )
    assert reply.status == 200, reply.text
    return reply.json()


def wait_for(predicate, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def moves(payment) -> list[tuple[str, str, str, bool]]:
    return [(e.from_status, e.to_status, e.source, e.late_correction) for e in payment.events.order_by("at", "pk")]


def notification(payment, status="FINISHED", **changes) -> bytes:
    body = {
        "salt": "0" * 32,
        "orderRef": str(payment.idempotency_key),
        "method": "CARD",
        "merchant": "HEGYVIDEK-DEV",
        "finishDate": "2026-11-21T10:00:00+01:00",
        "paymentDate": "2026-11-21T09:58:00+01:00",
        "transactionId": int(payment.gateway_transaction_id or 1),
        "status": status,
        **changes,
    }
    return dump(body)


def post_notification(client, raw, signature):
    return client.post(PORTAL_NOTIFICATION_PATH, data=raw, content_type="application/json", HTTP_SIGNATURE=signature)


STARTED = ("", "created", "portal", False), ("created", "pending", "portal", False)


@pytest.fixture
def gateway(card_gateway_sim):
    return card_gateway_sim


@pytest.fixture
def gateway_notifying(card_gateway_sim, live_server):
    """The simulator with the portal (a live server) as its merchant's IPN URL."""
    reply = http(
        "POST",
        f"{card_gateway_sim.base_url}/_sim/config",
        json_body={"ipn_url": live_server.url + PORTAL_NOTIFICATION_PATH},
    )
    assert reply.status == 200
    return card_gateway_sim


def test_the_notification_path_is_the_one_the_gateway_is_given():
    assert reverse("api-card-notifications") == PORTAL_NOTIFICATION_PATH
    assert reverse("payments-card-return") == RETURN_PATH


# --- the whole way, with the gateway's notification ------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_paid_by_card_the_notification_captures_and_the_case_goes_on(waiting_case, gateway_notifying, broker):
    # given a granted application waiting for its fee
    case = waiting_case
    # when the resident starts a card payment
    payment, page = start_card_payment(case)
    # then a pending payment for the whole fee exists, known to the gateway under its key
    assert page == f"{gateway_notifying.base_url}/pay/504000001"
    assert (payment.method, payment.amount, payment.status) == (PaymentMethod.CARD, FEE, PaymentStatus.PENDING)
    assert (payment.gateway_transaction_id, payment.gateway_status) == ("504000001", "INIT")
    assert moves(payment) == list(STARTED)
    start = Exchange.objects.get(system="cardgateway", operation="start")
    assert (start.status_code, start.idempotency_key) == (200, str(payment.idempotency_key))
    assert start.request_body["total"] == FEE and start.request_body["language"] == "HU"

    # when the resident pays with the success card on the gateway's page
    location = on_the_card_page(page)
    # then the gateway notifies the portal, which acknowledges it
    wait_for(lambda: sim_stats(gateway_notifying)["ipn_acknowledged"] == 1)
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_status) == (PaymentStatus.CAPTURED, "FINISHED")
    assert payment.captured_at is not None
    assert moves(payment) == [*STARTED, ("pending", "captured", "notification", False)]
    assert payment.events.last().data["gateway_status"] == "FINISHED"
    order = Order.objects.get(case=case)
    assert (order.status, order.amount_paid, order.balance) == (OrderStatus.PAID, FEE, 0)
    # and the case was sent on
    assert broker.queues["cases"].qsize() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PROCESSING

    # when the browser comes back, then it lands on the case page, which checks the payment
    response = come_back(session_for(case.applicant.user), location)
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.reference}?payment=success")
    assert broker.queues["payments"].qsize() == 1  # a status query, sent after the return
    # and the query, run, changes nothing more
    tasks.card_payment_poll(payment.pk)
    assert payment.events.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("card", "action", "hint", "status", "gateway_status"),
    [
        (CARD_DECLINED, "pay", "failed", PaymentStatus.FAILED, "NOTAUTHORIZED"),
        ("", "cancel", "cancelled", PaymentStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_declined_or_cancelled_at_the_gateway_leaves_the_fee_to_pay(
    waiting_case, gateway_notifying, broker, card, action, hint, status, gateway_status
):
    payment, page = start_card_payment(waiting_case, language="en")
    location = on_the_card_page(page, card=card, action=action)
    wait_for(lambda: sim_stats(gateway_notifying)["ipn_acknowledged"] == 1)
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_status) == (status, gateway_status)
    assert moves(payment) == [*STARTED, ("pending", status, "notification", False)]
    order = Order.objects.get(case=waiting_case)
    assert (order.status, order.balance) == (OrderStatus.OPEN, FEE)
    assert broker.queues["cases"].qsize() == 0
    assert Case.objects.get(pk=waiting_case.pk).status == CaseStatus.AWAITING_PAYMENT
    response = come_back(session_for(waiting_case.applicant.user), location)
    assert response["Location"] == f"/cases/{waiting_case.reference}?payment={hint}"


@pytest.mark.django_db(transaction=True)
def test_a_page_left_alone_expires_the_payment(waiting_case, gateway_notifying, settings, broker):
    settings.CARD_PAYMENT_TIMEOUT_S = 1
    payment, page = start_card_payment(waiting_case)
    wait_for(lambda: sim_stats(gateway_notifying)["ipn_acknowledged"] == 1)
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_status) == (PaymentStatus.EXPIRED, "TIMEOUT")
    assert moves(payment) == [*STARTED, ("pending", "expired", "notification", False)]
    assert Order.objects.get(case=waiting_case).status == OrderStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_notification_records_one_capture(waiting_case, gateway_notifying, broker):
    set_faults(gateway_notifying, ipn_duplicate=True)
    payment, _ = start_card_payment(waiting_case)
    complete(gateway_notifying, payment, "SUCCESS")
    log = sim_stats(gateway_notifying)["ipn_log"]
    assert [(e["status"], e["http_status"], e["acknowledged"]) for e in log] == [("FINISHED", 200, True)] * 2
    payment.refresh_from_db()
    assert moves(payment) == [*STARTED, ("pending", "captured", "notification", False)]
    assert broker.queues["cases"].qsize() == 1


@pytest.mark.django_db(transaction=True)
def test_an_earlier_status_after_the_final_one_is_acknowledged_and_ignored(
    waiting_case, gateway_notifying, broker, caplog
):
    set_faults(gateway_notifying, ipn_out_of_order=True)
    payment, _ = start_card_payment(waiting_case)
    with caplog.at_level(logging.WARNING, logger="payments.card"):
        complete(gateway_notifying, payment, "SUCCESS")
    # both acknowledged (the gateway stops resending), the late INPAYMENT changes nothing
    log = sim_stats(gateway_notifying)["ipn_log"]
    assert [(e["status"], e["http_status"], e["acknowledged"]) for e in log] == [
        ("FINISHED", 200, True),
        ("INPAYMENT", 200, True),
    ]
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_status) == (PaymentStatus.CAPTURED, "FINISHED")
    assert moves(payment) == [*STARTED, ("pending", "captured", "notification", False)]
    refusals = [r.getMessage() for r in caplog.records if r.name == "payments.card"]
    assert len(refusals) == 1
    assert refusals[0].startswith(
        f"card payment {payment.pk}: gateway status INPAYMENT (notification) not applied, the payment is captured"
    )


@pytest.mark.django_db(transaction=True)
def test_a_late_success_after_the_timeout_is_a_flagged_correction_and_the_case_goes_on(
    waiting_case, gateway_notifying, broker
):
    set_faults(gateway_notifying, late_success=True, late_success_after_ms=200)
    payment, page = start_card_payment(waiting_case)
    shown = complete(gateway_notifying, payment, "SUCCESS")
    assert shown["status"] == "TIMEOUT"  # what the gateway first said
    payment.refresh_from_db()
    assert moves(payment) == [
        *STARTED,
        ("pending", "expired", "notification", False),
        ("expired", "captured", "notification", True),
    ]
    order = Order.objects.get(case=waiting_case)
    assert order.status == OrderStatus.PAID
    assert ModelLogEntry.objects.filter(action="payments.late_correction", object_id=str(order.pk)).count() == 1
    assert broker.queues["cases"].qsize() == 1


# --- notifications refused ---------------------------------------------------------------------------------
@pytest.fixture
def pending_payment(waiting_case, gateway):
    payment, _ = start_card_payment(waiting_case)
    return payment


def _nothing_changed(payment, events_before):
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.events.count() == events_before
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.OPEN


def test_a_notification_with_a_bad_signature_is_refused_and_stores_nothing(pending_payment, client, broker):
    raw = notification(pending_payment)
    events = pending_payment.events.count()
    for signature in ("", "bm90IGEgc2lnbmF0dXJl", sign("another-secret", raw)):
        response = post_notification(client, raw, signature)
        assert (response.status_code, response.json()) == (400, {"error": "bad_signature"})
    _nothing_changed(pending_payment, events)
    assert broker.queues["cases"].qsize() == 0


def test_a_tampered_notification_with_the_old_signature_is_refused(pending_payment, client):
    signed = notification(pending_payment, status="NOTAUTHORIZED")
    tampered = signed.replace(b'"NOTAUTHORIZED"', b'"FINISHED"')
    events = pending_payment.events.count()
    response = post_notification(client, tampered, sign(SECRET, signed))
    assert response.status_code == 400
    _nothing_changed(pending_payment, events)


def test_a_notification_for_an_unknown_order_ref_is_refused_and_logged(pending_payment, client, caplog):
    raw = notification(pending_payment, orderRef=str(uuid.uuid4()))
    events = PaymentEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="payments.card"):
        response = post_notification(client, raw, sign(SECRET, raw))
    assert (response.status_code, response.json()) == (404, {"error": "unknown_order_ref"})
    assert PaymentEvent.objects.count() == events
    assert any("unknown orderRef" in r.getMessage() for r in caplog.records)
    _nothing_changed(pending_payment, pending_payment.events.count())


def test_an_accepted_notification_is_answered_as_the_protocol_asks(pending_payment, client):
    raw = notification(pending_payment, status="INPAYMENT")
    response = post_notification(client, raw, sign(SECRET, raw))
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer.pop("receiveDate")
    assert answer == json.loads(raw)
    assert response["Signature"] == sign(SECRET, response.content)
    # the same status again is nothing new
    _nothing_changed(pending_payment, 2)


# --- the return is not proof --------------------------------------------------------------------------------
def _forged_return(payment, *, secret):
    raw = dump(
        {
            "r": 0,
            "t": int(payment.gateway_transaction_id),
            "e": "SUCCESS",
            "m": "HEGYVIDEK-DEV",
            "o": str(payment.idempotency_key),
        }
    )
    return {"r": base64.b64encode(raw).decode(), "s": sign(secret, raw)}


def test_a_forged_return_with_a_bad_signature_is_refused(
    pending_payment, client, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(RETURN_PATH, _forged_return(pending_payment, secret="guessed"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "payment page is not valid" in response.content.decode()
    assert broker.queues["payments"].qsize() == 0
    _nothing_changed(pending_payment, 2)


def test_a_signed_success_return_captures_nothing_by_itself(
    pending_payment, gateway, client, broker, django_capture_on_commit_callbacks
):
    # given a return saying SUCCESS, validly signed, while the gateway has no outcome yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(RETURN_PATH, _forged_return(pending_payment, secret=SECRET))
    # then the browser goes to the case page to wait, and a status query is sent
    case = pending_payment.order.case
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.reference}?payment=success")
    assert broker.queues["payments"].qsize() == 1
    # and that query finds the payment still open: it stays pending, and asks again later
    with pytest.raises(dramatiq.Retry):
        tasks.card_payment_poll(pending_payment.pk)
    _nothing_changed(pending_payment, 2)
    assert sim_stats(gateway)["queries"] == 1


# --- the poller -------------------------------------------------------------------------------------------
def test_the_poller_catches_a_lost_notification(pending_payment, gateway, broker, django_capture_on_commit_callbacks):
    # given a payment the gateway finished but whose notification was lost
    set_faults(gateway, ipn_drop=True)
    complete(gateway, pending_payment, "SUCCESS")
    assert sim_stats(gateway)["ipn_dropped"] == 1
    _nothing_changed(pending_payment, 2)
    # when the status query runs
    with django_capture_on_commit_callbacks(execute=True):
        tasks.card_payment_poll(pending_payment.pk)
    # then the payment is captured from the query, and the case goes on
    pending_payment.refresh_from_db()
    assert moves(pending_payment) == [*STARTED, ("pending", "captured", "poller", False)]
    assert Order.objects.get(pk=pending_payment.order_id).status == OrderStatus.PAID
    assert broker.queues["cases"].qsize() == 1
    # and a query of a settled payment asks the gateway nothing
    tasks.card_payment_poll(pending_payment.pk)
    assert sim_stats(gateway)["queries"] == 1
    exchange = Exchange.objects.get(operation="query")
    assert exchange.idempotency_key == str(pending_payment.idempotency_key)


def test_a_payment_the_gateway_never_heard_of_expires_after_the_timeout(waiting_case, gateway, settings):
    order = Order.objects.get(case=waiting_case)
    payment = payment_create(order=order, method=PaymentMethod.CARD)  # the web process died before the start
    settings.CARD_PAYMENT_TIMEOUT_S = 60
    tasks.card_payment_poll(payment.pk, follow=False)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED  # too early to tell
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=12))
    tasks.card_payment_poll(payment.pk, follow=False)
    payment.refresh_from_db()
    assert moves(payment) == [("", "created", "portal", False), ("created", "expired", "poller", False)]


def test_reconcile_polls_only_stale_open_card_payments(waiting_case, broker):
    order = Order.objects.get(case=waiting_case)
    now = timezone.now()

    def card_payment(status, age):
        payment = payment_create(order=order, method=PaymentMethod.CARD, amount=100)
        if status != PaymentStatus.CREATED:
            payment_transition(payment_id=payment.pk, to_status=status, source=PaymentEvent.Source.PORTAL)
        Payment.objects.filter(pk=payment.pk).update(created_at=now - age)
        return payment.pk

    stale_created = card_payment(PaymentStatus.CREATED, timedelta(minutes=5))
    stale_pending = card_payment(PaymentStatus.PENDING, timedelta(minutes=2))
    card_payment(PaymentStatus.PENDING, timedelta(seconds=20))  # just started
    card_payment(PaymentStatus.FAILED, timedelta(minutes=5))  # settled
    card_payment(PaymentStatus.EXPIRED, timedelta(minutes=5))
    card_payment(PaymentStatus.PENDING, timedelta(days=2))  # beyond the window: for a person
    transfer = payment_create(order=order, method=PaymentMethod.TRANSFER, amount=100)
    Payment.objects.filter(pk=transfer.pk).update(created_at=now - timedelta(minutes=5))

    assert tasks.card_payments_send_polls() == 2
    messages = [broker.queues["payments"].get_nowait() for _ in range(broker.queues["payments"].qsize())]
    sent = [dramatiq.Message.decode(m) for m in messages]
    assert [(m.actor_name, m.args, m.kwargs, m.options.get("max_retries")) for m in sent] == [
        ("card_payment_poll", (stale_created,), {"follow": False}, 0),
        ("card_payment_poll", (stale_pending,), {"follow": False}, 0),
    ]


def test_reconcile_is_scheduled_every_minute():
    from backend.management.commands.scheduler import SCHEDULE

    assert ("payments.tasks.card_payments_reconcile", 60) in SCHEDULE


# --- starting: refusals and a gateway that is down ---------------------------------------------------------
def test_gateway_down_at_start_is_503_and_leaves_only_a_failed_attempt(waiting_case, gateway, broker):
    set_faults(gateway, error_rate=1.0)
    order = Order.objects.get(case=waiting_case)
    response = session_for(waiting_case.applicant.user).post(card_payments_url(order), {}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "gateway_unavailable" and response.json()["fields"] == {}
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.gateway_transaction_id) == (PaymentStatus.FAILED, "")
    assert moves(payment) == [("", "created", "portal", False), ("created", "failed", "portal", False)]
    assert payment.events.last().data["error"] == "unavailable"
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.OPEN, 0)
    assert Case.objects.get(pk=waiting_case.pk).status == CaseStatus.AWAITING_PAYMENT
    assert broker.queues["cases"].qsize() == 0 and broker.queues["payments"].qsize() == 0
    assert Exchange.objects.get(operation="start").attempts == 4
    # and once the gateway is back, the resident can try again
    set_faults(gateway, error_rate=0.0)
    assert session_for(waiting_case.applicant.user).post(card_payments_url(order), {}, format="json").status_code == 201


@pytest.mark.parametrize("order_status", [OrderStatus.PAID, OrderStatus.CANCELLED])
def test_a_paid_or_cancelled_order_takes_no_card_payment(waiting_case, gateway, order_status):
    order = Order.objects.get(case=waiting_case)
    Order.objects.filter(pk=order.pk).update(status=order_status)
    response = session_for(waiting_case.applicant.user).post(card_payments_url(order), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "order_not_payable",
        "message": "This order is not waiting for payment.",
        "fields": {},
    }
    assert Payment.objects.count() == 0 and sim_stats(gateway)["starts"] == 0


# --- reading orders, and who may -----------------------------------------------------------------------------
def test_the_resident_sees_the_order_with_transfer_details(waiting_case, settings):
    order = Order.objects.get(case=waiting_case)
    response = session_for(waiting_case.applicant.user).get(f"/api/v1/orders/{order.reference}/")
    assert response.status_code == 200
    data = response.json()
    assert {
        key: data[key] for key in ("reference", "case_reference", "amount", "amount_paid", "balance", "status")
    } == {
        "reference": order.reference,
        "case_reference": waiting_case.reference,
        "amount": FEE,
        "amount_paid": 0,
        "balance": FEE,
        "status": "open",
    }
    assert data["reference_display"].replace(" ", "") == order.reference and data["reference_display"][4] == " "
    assert data["due_date"] == order.due_date.isoformat()
    assert data["transfer"] == {
        "account_name": settings.PAYMENT_ACCOUNT_NAME,
        "iban": settings.PAYMENT_ACCOUNT_IBAN,
        "bic": settings.PAYMENT_ACCOUNT_BIC,
        "amount": FEE,
        "remittance": order.reference,
    }
    assert data["payments"] == []


def test_order_endpoints_authorization(waiting_case, gateway):
    order = Order.objects.get(case=waiting_case)
    owner = waiting_case.applicant.user
    other = ResidentProfileFactory(user=UserFactory(), family_name="Nagy", given_names="Péter").user
    staff = UserFactory(is_staff=True)
    detail, listing, pay = f"/api/v1/orders/{order.reference}/", "/api/v1/orders/", card_payments_url(order)

    # anonymous: not signed in
    anonymous = APIClient(enforce_csrf_checks=True)
    for response in (anonymous.get(listing), anonymous.get(detail), anonymous.post(pay, {}, format="json")):
        assert (response.status_code, response.json()["code"]) == (403, "not_authenticated")
    # another resident, and a staff member (here only a resident like any other): not theirs, so not there
    for user in (other, staff):
        client = session_for(user)
        assert (client.get(listing).status_code, client.get(listing).json()) == (200, [])
        assert client.get(detail).status_code == 404
        assert client.post(pay, {}, format="json").status_code == 404
    # the owner without the CSRF header: refused
    no_csrf = APIClient(enforce_csrf_checks=True)
    no_csrf.force_login(owner)
    assert no_csrf.post(pay, {}, format="json").status_code == 403
    # and nothing happened on any refusal
    assert Payment.objects.count() == 0 and sim_stats(gateway)["starts"] == 0
    # the owner: their order, and they may pay it
    client = session_for(owner)
    assert [o["reference"] for o in client.get(listing).json()] == [order.reference]
    assert client.get(detail).status_code == 200
    assert client.post(pay, {}, format="json").status_code == 201
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_payments_show_on_the_order(pending_payment):
    order = pending_payment.order
    data = session_for(order.resident.user).get(f"/api/v1/orders/{order.reference}/").json()
    assert [(p["method"], p["amount"], p["status"], p["captured_at"]) for p in data["payments"]] == [
        ("card", FEE, "pending", None)
    ]
