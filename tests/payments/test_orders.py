"""A fee-bearing case waits for its fee, a payment goes only where the status graph allows,
and once the order is paid the case goes on by itself."""

from __future__ import annotations

import pytest
from wagtail.models import ModelLogEntry

from eservices.cases import services as case_services
from eservices.cases.models import Case, CaseEvent, CaseStatus, Step
from integrations.registry.population import SZUCS_LEVENTE, SZUCS_LEVENTE_PLATE
from payments.errors import ErrorCode, PaymentsError
from payments.models import Order, OrderStatus, Payment, PaymentEvent, PaymentMethod, PaymentStatus
from payments.references import reference_is_valid
from payments.services import (
    TRANSITIONS,
    order_for_case_ensure,
    payment_create,
    payment_record_cash,
    payment_transition,
)
from tests.eservices.test_case_pipeline import identified, run, submit
from tests.factories import staff_user

pytestmark = [pytest.mark.django_db]

FEE = 12_000


@pytest.fixture
def paid_service(parking_service):
    """The permit as a fee-bearing service (the second-vehicle permit works the same way)."""
    parking_service.fee_huf = FEE
    parking_service.save(update_fields=["fee_huf"])
    return parking_service


@pytest.fixture
def waiting_case(paid_service, api_client, outside_systems, broker, django_capture_on_commit_callbacks):
    """A granted application stopped at the payment step."""
    case = submit(api_client, identified(SZUCS_LEVENTE), SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks)
    case = run(case)
    broker.flush_all()  # the submission's message, run above
    return case


@pytest.fixture
def finance_clerk(db):
    return staff_user(role="finance_clerk", email="penzugy@test.example")


def test_granted_case_waits_for_its_fee_with_a_valid_reference(waiting_case, broker):
    # given a granted application of a fee-bearing service, run as far as it goes
    case = waiting_case
    # then it waits at the payment step, with nothing signed or created yet
    assert (case.step, case.status) == (Step.AWAIT_PAYMENT, CaseStatus.AWAITING_PAYMENT)
    assert case.permit_number == "" and case.decision_pdf is None
    # and one order for the fee exists, with a valid ISO 11649 reference
    order = Order.objects.get(case=case)
    assert (order.amount, order.amount_paid, order.status) == (FEE, 0, OrderStatus.OPEN)
    assert reference_is_valid(order.reference) and order.reference.startswith("RF")
    assert order.resident == case.applicant
    waiting = CaseEvent.objects.filter(case=case, step=Step.AWAIT_PAYMENT)
    assert waiting.count() == 1 and waiting.get().data == {"amount": FEE, "reference": order.reference}

    # when the case is sent again (a duplicate message) and the reconciler runs
    run(case)
    assert case_services.cases_reconcile(stalled_after=__import__("datetime").timedelta(0)) == 0
    # then nothing is repeated: still one order, one waiting event, no message sent
    assert Order.objects.filter(case=case).count() == 1
    assert waiting.count() == 1
    assert broker.queues["cases"].qsize() == 0


def test_cash_payment_by_finance_clerk_lets_the_case_finish(
    waiting_case, finance_clerk, broker, django_capture_on_commit_callbacks
):
    order = Order.objects.get(case=waiting_case)
    # when a finance clerk records the cash paid at the desk
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record_cash(order=order, amount=FEE, receipt_number=" PT-2026 / 000123 ", clerk=finance_clerk)
    # then the payment is captured with its receipt and the order is paid
    assert (payment.method, payment.status, payment.receipt_number) == (
        PaymentMethod.CASH,
        PaymentStatus.CAPTURED,
        "PT-2026 / 000123",
    )
    order.refresh_from_db()
    assert (order.status, order.amount_paid, order.balance) == (OrderStatus.PAID, FEE, 0)
    assert order.paid_at is not None
    assert [(e.from_status, e.to_status, e.source) for e in payment.events.all()] == [
        ("", "created", "clerk"),
        ("created", "captured", "clerk"),
    ]
    assert ModelLogEntry.objects.filter(action="payments.cash_recorded", object_id=str(order.pk)).count() == 1
    # and the case was sent on after commit, and now runs to its signed decision
    assert broker.queues["cases"].qsize() == 1
    case = run(Case.objects.get(pk=waiting_case.pk))
    assert (case.step, case.status) == (Step.DONE, CaseStatus.GRANTED)
    assert case.permit_number and case.decision_pdf
    paid_event = CaseEvent.objects.get(case=case, step=Step.AWAIT_PAYMENT, message__startswith="Fee of")
    assert paid_event.data["amount"] == FEE


def test_partial_payment_keeps_the_case_waiting(
    waiting_case, finance_clerk, broker, django_capture_on_commit_callbacks
):
    order = Order.objects.get(case=waiting_case)
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_cash(order=order, amount=5_000, receipt_number="A-1", clerk=finance_clerk)
    order.refresh_from_db()
    assert (order.status, order.balance) == (OrderStatus.PARTIALLY_PAID, FEE - 5_000)
    assert broker.queues["cases"].qsize() == 0
    assert Case.objects.get(pk=waiting_case.pk).status == CaseStatus.AWAITING_PAYMENT
    # the rest paid later completes it
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_cash(order=order, amount=FEE - 5_000, receipt_number="A-2", clerk=finance_clerk)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert broker.queues["cases"].qsize() == 1


def test_cash_input_errors_are_field_errors_and_store_nothing(waiting_case, finance_clerk):
    order = Order.objects.get(case=waiting_case)
    payment_record_cash(order=order, amount=1_000, receipt_number="B-7", clerk=finance_clerk)
    before = Payment.objects.count()
    for amount, receipt, field, code in (
        (1_000, "B-7", "receipt_number", ErrorCode.RECEIPT_NUMBER_USED),
        (1_000, "   ", "receipt_number", ErrorCode.INVALID),
        (0, "B-8", "amount", ErrorCode.INVALID),
    ):
        with pytest.raises(PaymentsError) as error:
            payment_record_cash(order=order, amount=amount, receipt_number=receipt, clerk=finance_clerk)
        assert error.value.code == code and list(error.value.fields) == [field]
    assert Payment.objects.count() == before


def test_paid_order_takes_no_more_payments(waiting_case, finance_clerk, django_capture_on_commit_callbacks):
    order = Order.objects.get(case=waiting_case)
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_cash(order=order, amount=FEE, receipt_number="C-1", clerk=finance_clerk)
    order.refresh_from_db()
    for attempt in (
        lambda: payment_record_cash(order=order, amount=100, receipt_number="C-2", clerk=finance_clerk),
        lambda: payment_create(order=order, method=PaymentMethod.CARD),
    ):
        with pytest.raises(PaymentsError) as error:
            attempt()
        assert error.value.code == ErrorCode.ORDER_NOT_PAYABLE
    assert order.payments.count() == 1


def test_transitions_outside_the_graph_are_refused_and_change_nothing(waiting_case):
    order = Order.objects.get(case=waiting_case)
    card = payment_create(order=order, method=PaymentMethod.CARD)
    assert card.idempotency_key is not None  # recorded before any gateway call
    payment_transition(payment_id=card.pk, to_status=PaymentStatus.PENDING, source=PaymentEvent.Source.PORTAL)
    payment_transition(payment_id=card.pk, to_status=PaymentStatus.CAPTURED, source=PaymentEvent.Source.NOTIFICATION)
    events = card.events.count()
    for to_status in (PaymentStatus.CREATED, PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.EXPIRED):
        with pytest.raises(PaymentsError) as error:
            payment_transition(payment_id=card.pk, to_status=to_status, source=PaymentEvent.Source.NOTIFICATION)
        assert error.value.code == ErrorCode.TRANSITION_NOT_ALLOWED
    card.refresh_from_db()
    assert card.status == PaymentStatus.CAPTURED and card.events.count() == events
    # a reversed payment is final
    payment_transition(payment_id=card.pk, to_status=PaymentStatus.REVERSED, source=PaymentEvent.Source.CLERK)
    assert TRANSITIONS[PaymentStatus.REVERSED] == set()
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.OPEN, 0)  # the money went back


def test_repeated_notification_is_a_no_op(waiting_case):
    order = Order.objects.get(case=waiting_case)
    card = payment_create(order=order, method=PaymentMethod.CARD)
    for _ in range(3):
        payment_transition(payment_id=card.pk, to_status=PaymentStatus.PENDING, source=PaymentEvent.Source.NOTIFICATION)
    assert card.events.filter(to_status=PaymentStatus.PENDING).count() == 1


def test_late_correction_from_failed_to_captured_is_flagged_and_audited(
    waiting_case, broker, django_capture_on_commit_callbacks
):
    order = Order.objects.get(case=waiting_case)
    card = payment_create(order=order, method=PaymentMethod.CARD)
    payment_transition(payment_id=card.pk, to_status=PaymentStatus.FAILED, source=PaymentEvent.Source.POLLER)
    # when the gateway's notification says it was captured after all
    with django_capture_on_commit_callbacks(execute=True):
        payment_transition(
            payment_id=card.pk,
            to_status=PaymentStatus.CAPTURED,
            source=PaymentEvent.Source.NOTIFICATION,
            gateway_status="FINISHED",
        )
    # then the capture stands, flagged as a late correction, audited on the order, and the case goes on
    event = card.events.get(to_status=PaymentStatus.CAPTURED)
    assert (event.from_status, event.late_correction) == (PaymentStatus.FAILED, True)
    assert ModelLogEntry.objects.filter(action="payments.late_correction", object_id=str(order.pk)).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert broker.queues["cases"].qsize() == 1


def test_order_is_made_once_per_case(waiting_case):
    first = Order.objects.get(case=waiting_case)
    assert order_for_case_ensure(case=waiting_case) == first
    assert Order.objects.filter(case=waiting_case).count() == 1


def test_free_service_does_not_wait(
    parking_service, api_client, outside_systems, broker, django_capture_on_commit_callbacks
):
    case = run(submit(api_client, identified(SZUCS_LEVENTE), SZUCS_LEVENTE_PLATE, django_capture_on_commit_callbacks))
    assert (case.step, case.status) == (Step.DONE, CaseStatus.GRANTED)
    assert not Order.objects.filter(case=case).exists()
    assert CaseEvent.objects.get(case=case, step=Step.AWAIT_PAYMENT).message == "No fee to pay."


# --- staff area ---------------------------------------------------------------------------------------------
def staff_client(user):
    from django.test import Client

    from tests.conftest import login_staff_with_mfa

    return login_staff_with_mfa(Client(), user)


def test_finance_clerk_records_cash_on_the_order_page(
    waiting_case, finance_clerk, broker, django_capture_on_commit_callbacks
):
    order = Order.objects.get(case=waiting_case)
    client = staff_client(finance_clerk)
    # the orders list finds it by the case reference, and its page shows the reference and the form
    listing = client.get("/admin/orders/", {"q": waiting_case.reference})
    assert list(listing.context["object_list"]) == [order]
    page = client.get(f"/admin/orders/order/{order.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and order.reference[:4] in html and 'name="receipt_number"' in html
    # a wrong form is answered with field errors and stores nothing
    bad = client.post(f"/admin/orders/order/{order.pk}/", {"amount": "0", "receipt_number": ""})
    assert bad.status_code == 400 and set(bad.context["cash_form"].errors) == {"amount", "receipt_number"}
    assert order.payments.count() == 0
    # a right one records the payment and the case goes on
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(f"/admin/orders/order/{order.pk}/", {"amount": str(FEE), "receipt_number": "D-100"})
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payments.get().recorded_by == finance_clerk
    assert broker.queues["cases"].qsize() == 1
    # once its invoice is issued, the order's page links to it
    assert (
        "No invoice yet" in client.get(f"/admin/orders/order/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    from payments.invoicing.services import invoice_issue_for_order

    invoice = invoice_issue_for_order(order_id=order.pk)
    html = client.get(f"/admin/orders/order/{order.pk}/").content.decode()
    assert f'href="/admin/invoices/invoice/{invoice.pk}/"' in html and invoice.number in html


def test_order_pages_authorization(waiting_case, finance_clerk, client, editor):
    from tests.factories import staff_user

    order = Order.objects.get(case=waiting_case)
    url = f"/admin/orders/order/{order.pk}/"
    supervisor = staff_client(staff_user(role="supervisor", email="felugyelo@test.example"))
    # anonymous and a resident are sent to sign in; staff without the permission are turned away
    assert client.get(url).status_code == 302
    client.force_login(waiting_case.applicant.user)
    assert client.get(url).status_code == 302
    editor_client = staff_client(editor)
    assert editor_client.get(url).status_code == 302
    assert editor_client.post(url, {"amount": "1", "receipt_number": "X"}).status_code == 302
    # a supervisor sees the order but records no cash
    page = supervisor.get(url)
    assert page.status_code == 200 and 'name="receipt_number"' not in page.content.decode()
    assert supervisor.post(url, {"amount": "1", "receipt_number": "X"}).status_code == 302
    assert order.payments.count() == 0
