"""Every paid fee gets an authentic electronic invoice: gap-free numbers, the Hungarian document
with the EN 16931 XML inside, a PAdES seal with a timestamp, the resident's download, the NAV
Online Számla report and storno invoices."""

from __future__ import annotations

import io
import itertools
import json
import secrets
import shutil
import subprocess
import threading
import urllib.request

import pikepdf
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from PIL import Image
from wagtail.models import ModelLogEntry

from eservices.cases.models import Case, CaseStatus, Step
from eservices.documents.verification import verify_pdf
from payments import invoice_tasks
from payments.invoicing import services
from payments.invoicing.cii import RAM, RSM
from payments.invoicing.services import InvoiceError, InvoiceErrorCode
from payments.models import (
    Invoice,
    InvoiceDeletionRefused,
    InvoiceKind,
    InvoiceSequence,
    NavStatus,
    Order,
    OrderStatus,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
)
from payments.services import order_for_case_ensure, payment_create, payment_record_cash, payment_transition
from tests.factories import ResidentProfileFactory, UserFactory, staff_user

FEE = 12_000
_cases = itertools.count(1)


# --- helpers -------------------------------------------------------------------------------------
@pytest.fixture
def fee_service(parking_service):
    parking_service.fee_huf = FEE
    parking_service.save(update_fields=["fee_huf"])
    return parking_service


def unpaid_order(resident, service) -> Order:
    """An order for a case that needs nothing more than its fee (its decision is out already)."""
    case = Case.objects.create(
        reference=f"PP-2026-{900_000 + next(_cases):06d}",
        service_type=service,
        applicant=resident,
        status=CaseStatus.GRANTED,
        step=Step.DONE,
        verification_token=secrets.token_urlsafe(32),
        submitted_at=timezone.now(),
    )
    return order_for_case_ensure(case=case)


def pay(order: Order, method: str = PaymentMethod.CARD, amount: int | None = None) -> Order:
    payment = payment_create(order=order, method=method, amount=amount)
    payment_transition(payment_id=payment.pk, to_status=PaymentStatus.CAPTURED, source=PaymentEvent.Source.PORTAL)
    order.refresh_from_db()
    return order


def issued(order: Order) -> Invoice:
    """The invoice of a paid order with its sealed document, as the job leaves it."""
    invoice = services.invoice_issue_for_order(order_id=order.pk)
    return services.invoice_document_ensure(invoice_id=invoice.pk)


def year() -> int:
    return timezone.localdate().year


def number_of(invoice_number: str) -> int:
    return int(invoice_number.rsplit("-", 1)[1])


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(result.stdout.replace("\u00a0", " ").split())


def sim_json(server, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.base_url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.fixture
def finance_clerk(db):
    return staff_user(role="finance_clerk", email="penzugy@test.example")


# --- numbering -----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_gap_free_numbers_without_repeats(fee_service):
    # given twelve paid orders, committed
    orders = [pay(unpaid_order(ResidentProfileFactory(user=UserFactory()), fee_service)) for _ in range(12)]
    assert all(order.status == OrderStatus.PAID for order in orders)
    # and a thirteenth transaction that takes a number and then fails (its number must come back)
    start = threading.Barrier(len(orders) + 1)
    errors: list[BaseException] = []

    def issue(order_id: int) -> None:
        try:
            start.wait()
            services.invoice_issue_for_order(order_id=order_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def take_and_fail() -> None:
        try:
            start.wait()
            with transaction.atomic():
                services.invoice_number_take(year=year(), prefix="HV")
                raise RuntimeError("the invoice could not be created")
        except RuntimeError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(order.pk,)) for order in orders]
    threads.append(threading.Thread(target=take_and_fail))
    # when they all run at once, each in its own transaction
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then every order has one invoice, numbered 1…12 of the year with no gap and no repeat
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"HV-{year()}-{n:06d}" for n in range(1, 13)]
    assert InvoiceSequence.objects.get(prefix="HV", year=year()).last_number == 12
    assert sorted(Invoice.objects.values_list("order_id", flat=True)) == sorted(order.pk for order in orders)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_the_same_job_issue_one_invoice(fee_service, resident):
    # given a paid order, committed
    order = pay(unpaid_order(resident, fee_service))
    start = threading.Barrier(4)
    results: list[str] = []

    def deliver() -> None:
        try:
            start.wait()
            results.append(services.invoice_issue_for_order(order_id=order.pk).number)
        finally:
            connection.close()

    # when the issuing job is delivered four times at once
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then all four see the same single invoice, and one number was used
    assert len(results) == 4 and len(set(results)) == 1
    assert Invoice.objects.filter(order=order).count() == 1
    assert InvoiceSequence.objects.get(prefix="HV", year=year()).last_number == number_of(results[0])


def test_invoice_is_issued_once_when_an_order_is_paid_twice_over(
    fee_service, resident, tsa_sim, nav_sim, broker, django_capture_on_commit_callbacks
):
    order = unpaid_order(resident, fee_service)
    # given the resident started a card payment, gave up on it and paid in cash at the desk
    card = payment_create(order=order, method=PaymentMethod.CARD)
    clerk = staff_user(role="finance_clerk", email="kassza@test.example")
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_cash(order=order, amount=FEE, receipt_number="PT-1", clerk=clerk)
    assert broker.queues["invoices"].qsize() == 1  # the issuing job, sent after commit
    # when the card payment turns out to have been captured too (overpaid: refunded separately)
    with django_capture_on_commit_callbacks(execute=True):
        payment_transition(
            payment_id=card.pk, to_status=PaymentStatus.CAPTURED, source=PaymentEvent.Source.NOTIFICATION
        )
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, 2 * FEE)
    assert broker.queues["invoices"].qsize() == 1  # becoming paid again sends nothing
    # and the job is delivered twice
    invoice_tasks.invoice_issue(order.pk)
    invoice_tasks.invoice_issue(order.pk)
    # then exactly one invoice exists, for the fee, sealed once
    (invoice,) = Invoice.objects.filter(order=order)
    assert (invoice.kind, invoice.gross_total, invoice.net_total, invoice.vat_total) == (
        InvoiceKind.NORMAL,
        FEE,
        FEE,
        0,
    )
    assert invoice.payment_method == PaymentMethod.CARD  # the payment that completed it last
    assert InvoiceSequence.objects.get(prefix="HV", year=year()).last_number == number_of(invoice.number)
    assert invoice.pdf is not None and invoice.signature_level == "B-LTA"
    assert ModelLogEntry.objects.filter(action="payments.invoice_issued", object_id=str(order.pk)).count() == 1


def test_an_unpaid_order_gets_no_invoice(fee_service, resident):
    order = pay(unpaid_order(resident, fee_service), amount=FEE - 1)
    assert order.status == OrderStatus.PARTIALLY_PAID
    with pytest.raises(InvoiceError) as error:
        services.invoice_issue_for_order(order_id=order.pk)
    assert error.value.code == InvoiceErrorCode.ORDER_NOT_PAID
    assert not Invoice.objects.exists() and not InvoiceSequence.objects.exists()


def test_invoices_are_never_deleted_or_rewritten(fee_service, resident, settings):
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    with pytest.raises(InvoiceDeletionRefused):
        invoice.delete()
    with pytest.raises(InvoiceDeletionRefused):
        Invoice.objects.filter(pk=invoice.pk).delete()
    # and the database refuses what code might try behind the model's back
    for statement in (
        ("DELETE FROM payments_invoice WHERE id = %s", [invoice.pk]),
        ("UPDATE payments_invoice SET gross_total = 1 WHERE id = %s", [invoice.pk]),
        ("UPDATE payments_invoice SET number = 'X-1' WHERE id = %s", [invoice.pk]),
        ("DELETE FROM payments_invoicesequence", []),
        ("UPDATE payments_invoicesequence SET last_number = 0", []),
    ):
        with pytest.raises(IntegrityError, match="cannot be|only go forward"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(*statement)
    # while the NAV fields may change
    Invoice.objects.filter(pk=invoice.pk).update(nav_status=NavStatus.SENT, nav_transaction_id="ABC")
    invoice.refresh_from_db()
    assert (invoice.gross_total, invoice.nav_status) == (FEE, NavStatus.SENT)


def test_vat_treatment_is_configured_per_service(fee_service, resident, settings):
    settings.INVOICE_VAT_TREATMENTS = {"parking_permit": "AAM"}
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    assert [item["vat_treatment"] for item in invoice.items] == ["AAM"]
    settings.INVOICE_VAT_TREATMENTS = {}
    other = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    assert [item["vat_treatment"] for item in other.items] == ["ATK"]


# --- the document --------------------------------------------------------------------------------
def test_invoice_content_in_hungarian(fee_service, resident, tsa_sim, tmp_path, settings):
    # given a fee paid in cash
    clerk = staff_user(role="finance_clerk", email="kassza@test.example")
    order = unpaid_order(resident, fee_service)
    payment_record_cash(order=order, amount=FEE, receipt_number="PT-7", clerk=clerk)
    # when its invoice is issued
    invoice = issued(order)
    # then the snapshot holds seller, buyer, dates and the item, outside the scope of VAT
    today = timezone.localdate()
    assert invoice.number == f"HV-{today.year}-{number_of(invoice.number):06d}"
    assert (invoice.seller_name, invoice.seller_tax_number, invoice.seller_bank_account) == (
        "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat",
        "15735715-2-43",
        "11773016-00000000-15843128",
    )
    assert (invoice.buyer_name, invoice.buyer_address, invoice.buyer_private_person) == (
        "Kovács Anna",
        "1122 Budapest, Városmajor utca 12. 2. em. 5. ajtó",
        True,
    )
    assert invoice.issue_date == invoice.fulfilment_date == invoice.payment_date == today
    assert (invoice.payment_method, invoice.currency, invoice.payment_reference) == (
        PaymentMethod.CASH,
        "HUF",
        order.reference,
    )
    assert invoice.items == [
        {
            "description": order.description,
            "quantity": 1,
            "unit": "db",
            "unit_price": FEE,
            "net": FEE,
            "vat_treatment": "ATK",
            "vat": 0,
            "gross": FEE,
        }
    ]
    # and the printed invoice says it in Hungarian
    text = pdftotext(invoice.pdf, tmp_path)
    for expected in (
        "SZÁMLA",
        "ELEKTRONIKUS SZÁMLA",
        invoice.number,
        "Eladó (szolgáltató)",
        "Budapest Főváros XII. kerület Hegyvidéki",
        "15735715-2-43",
        "11773016-00000000-15843128",
        "Kovács Anna",
        "magánszemély",
        "TELJESÍTÉS DÁTUMA",
        "Készpénz",
        "ÁFA tv. hatályán",
        "12 000 Ft",
        "Bruttó végösszeg: 12 000 Ft",
        "A számla elektronikus, hitelesítve elektronikus bélyegzővel és időbélyeggel.",
        "factur-x.xml",
    ):
        assert expected in text, expected
    assert "SZTORNÓ" not in text


def test_embedded_xml_is_the_generated_one_after_signing_and_passes_the_xsd(fee_service, resident, tsa_sim):
    invoice = issued(pay(unpaid_order(resident, fee_service)))
    # when the XML is taken out of the signed PDF
    filename, xml = get_xml_from_pdf(bytes(invoice.pdf), check_xsd=True)
    # then it is the XML generated for the invoice, valid against the EN 16931 XSD
    assert filename == "factur-x.xml"
    assert xml == bytes(invoice.xml)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    root = etree.fromstring(xml)
    ns = {"rsm": RSM, "ram": RAM}
    assert root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=ns) == invoice.number
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=ns) == "380"
    assert root.findtext(".//ram:GrandTotalAmount", namespaces=ns) == "12000.00"
    assert root.findtext(".//ram:DuePayableAmount", namespaces=ns) == "0.00"
    assert [e.text for e in root.iterfind(".//ram:CategoryCode", ns)] == ["O", "O"]
    assert root.find(".//ram:SpecifiedTaxRegistration/ram:ID", ns).get("schemeID") == "FC"
    # and the PDF is a Factur-X PDF/A-3b that still claims PDF/UA-1
    with pikepdf.open(io.BytesIO(bytes(invoice.pdf))) as pdf:
        assert list(pdf.attachments) == ["factur-x.xml"]
        assert pdf.Root.AF[0].AFRelationship == "/Data"
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("3", "B", "1")
        # (pyHanko rewrites the XMP when sealing: the Factur-X properties survive, with their prefix)
        fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
        assert (meta[f"{fx}ConformanceLevel"], meta[f"{fx}DocumentFileName"], meta[f"{fx}DocumentType"]) == (
            "EN 16931",
            "factur-x.xml",
            "INVOICE",
        )
        assert (
            'xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"' in pdf.Root.Metadata.read_bytes().decode()
        )
        assert str(pdf.docinfo["/Title"]) == f"Számla {invoice.number}"


def test_signature_is_intact_and_timestamped(fee_service, resident, tsa_sim, tmp_path):
    invoice = issued(pay(unpaid_order(resident, fee_service)))
    # pyhanko, offline, with the dev PKI's root
    result = verify_pdf(bytes(invoice.pdf))
    assert result.valid, result.errors
    assert result.intact and result.trusted and result.timestamp_valid
    assert (result.level, invoice.signature_level) == ("B-LTA", "B-LTA")
    assert result.signer_organization == "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat"
    assert result.timestamp_time == invoice.signed_at
    # poppler (NSS): cryptographically valid
    if not shutil.which("pdfsig") and not __import__("os").path.exists("/usr/bin/pdfsig"):
        pytest.skip("pdfsig (poppler-utils) is not installed: the poppler check was not run")
    path = tmp_path / "signed.pdf"
    path.write_bytes(bytes(invoice.pdf))
    report = subprocess.run(["/usr/bin/pdfsig", str(path)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in report.stdout, report.stdout + report.stderr


def test_the_page_renders_as_an_a4_page_with_content(fee_service, resident, tsa_sim, tmp_path):
    invoice = issued(pay(unpaid_order(resident, fee_service)))
    (tmp_path / "invoice.pdf").write_bytes(bytes(invoice.pdf))
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / "invoice.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1  # one page
    with Image.open(pages[0]) as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.01
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128]) / (width * height)
    assert 0.01 < dark < 0.25  # text on a white page, not blank and not a black box


# --- download ------------------------------------------------------------------------------------
def test_download_authorization_matrix(fee_service, resident, other_resident, finance_clerk, tsa_sim, api_client):
    invoice = issued(pay(unpaid_order(resident, fee_service)))
    reference = invoice.order.reference
    listing = f"/api/v1/orders/{reference}/invoices/"
    download = f"{listing}{invoice.number}/"
    before = (Invoice.objects.get(pk=invoice.pk).updated_at, ModelLogEntry.objects.count())
    # anonymous: not signed in
    for url in (listing, download):
        response = api_client.get(url)
        assert (response.status_code, response.json()["code"]) == (403, "not_authenticated")
    # another resident, and staff (not the order's resident): the order does not exist for them
    for user in (other_resident.user, finance_clerk):
        api_client.force_authenticate(user=user)
        assert api_client.get(listing).status_code == 404
        assert api_client.get(download).status_code == 404
    # the owner lists the invoice and downloads the signed PDF
    api_client.force_authenticate(user=resident.user)
    assert api_client.get(listing).json() == [
        {
            "number": invoice.number,
            "kind": "normal",
            "issue_date": invoice.issue_date.isoformat(),
            "fulfilment_date": invoice.fulfilment_date.isoformat(),
            "gross_total": FEE,
            "currency": "HUF",
            "cancels": None,
            "download_url": download,
        }
    ]
    response = api_client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="szamla-{invoice.number}.pdf"'
    assert response.content == bytes(invoice.pdf)
    assert api_client.get(f"{listing}HV-1999-000001/").status_code == 404
    # and reading changed nothing
    assert (Invoice.objects.get(pk=invoice.pk).updated_at, ModelLogEntry.objects.count()) == before


def test_invoice_without_document_yet_is_not_listed(fee_service, resident, api_client):
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    api_client.force_authenticate(user=resident.user)
    assert api_client.get(f"/api/v1/orders/{invoice.order.reference}/invoices/").json() == []
    assert api_client.get(f"/api/v1/orders/{invoice.order.reference}/invoices/{invoice.number}/").status_code == 404


# --- NAV Online Számla ---------------------------------------------------------------------------
def test_private_person_is_reported_to_nav_without_name_and_address(fee_service, resident, nav_sim):
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    # when the invoice is reported and NAV is asked how it went
    reported = services.invoice_nav_report(invoice_id=invoice.pk)
    assert (reported.nav_status, reported.nav_attempts, len(reported.nav_transaction_id)) == (NavStatus.SENT, 1, 16)
    checked = services.invoice_nav_check(invoice_id=invoice.pk)
    # then NAV accepted it, and what it received names no private person
    assert (checked.nav_status, checked.nav_messages) == (NavStatus.DONE, [])
    (received,) = sim_json(nav_sim, "/_sim/invoices")
    assert (received["operation"], received["invoice_number"], received["status"]) == ("CREATE", invoice.number, "DONE")
    assert (
        received["customer_vat_status"],
        received["customer_name_reported"],
        received["customer_address_reported"],
    ) == (
        "PRIVATE_PERSON",
        False,
        False,
    )
    assert "Kovács" not in received["xml"] and "Városmajor" not in received["xml"]
    assert "<case>ATK</case>" in received["xml"] and "<vatOutOfScope>" in received["xml"]
    # and reporting again sends nothing
    services.invoice_nav_report(invoice_id=invoice.pk)
    assert sim_json(nav_sim, "/_sim/stats")["calls"]["manageInvoice"] == 1


def test_nav_outage_keeps_the_invoice_pending_and_a_later_try_reports_it(fee_service, resident, nav_sim):
    from integrations.http import IntegrationUnavailable

    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    sim_json(nav_sim, "/_sim/faults", {"error_next": 1})
    with pytest.raises(IntegrationUnavailable):
        services.invoice_nav_report(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert (invoice.nav_status, invoice.nav_attempts, invoice.nav_transaction_id) == (NavStatus.PENDING, 1, "")
    assert invoice.nav_messages[0]["kind"] == "unavailable"
    # when the job retries
    services.invoice_nav_report(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert (invoice.nav_status, invoice.nav_attempts) == (NavStatus.SENT, 2)


def test_a_report_whose_answer_was_lost_is_not_reported_twice_over(fee_service, resident, nav_sim, settings):
    from integrations.http import IntegrationUnavailable

    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    # given NAV processes the report but its answer never arrives
    settings.NAV_TIMEOUT_S = 0.3
    sim_json(nav_sim, "/_sim/faults", {"timeout_sleep_ms": 600})
    sim_json(nav_sim, "/_sim/config", {"lose_answer_next": {"manageInvoice": 1}})
    with pytest.raises(IntegrationUnavailable):
        services.invoice_nav_report(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert (invoice.nav_status, invoice.nav_transaction_id) == (NavStatus.PENDING, "")
    # when the job retries, NAV rejects the number as reported already
    services.invoice_nav_report(invoice_id=invoice.pk)
    checked = services.invoice_nav_check(invoice_id=invoice.pk)
    # then the invoice counts as reported, with NAV's message kept
    assert checked.nav_status == NavStatus.DONE
    assert [m["code"] for m in checked.nav_messages] == ["INVOICE_NUMBER_NOT_UNIQUE", ""]
    assert [(r["invoice_number"], r["status"]) for r in sim_json(nav_sim, "/_sim/invoices")] == [
        (invoice.number, "DONE"),
        (invoice.number, "ABORTED"),
    ]


def test_nav_refusing_the_credentials_marks_the_report_as_an_error(fee_service, resident, nav_sim, settings):
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    settings.NAV_SIGN_KEY = "a-stale-signature-key"
    reported = services.invoice_nav_report(invoice_id=invoice.pk)
    assert reported.nav_status == NavStatus.ERROR
    assert reported.nav_messages[0]["code"] == "INVALID_REQUEST_SIGNATURE"


def test_nav_processing_is_polled_until_it_decides(fee_service, resident, nav_sim):
    sim_json(nav_sim, "/_sim/config", {"processing_polls": 2})
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    services.invoice_nav_report(invoice_id=invoice.pk)
    statuses = [services.invoice_nav_check(invoice_id=invoice.pk).nav_status for _ in range(3)]
    assert statuses == [NavStatus.SENT, NavStatus.SENT, NavStatus.DONE]


# --- storno --------------------------------------------------------------------------------------
def test_storno_invoice_reverses_the_original_and_is_reported_as_storno(
    fee_service, resident, finance_clerk, tsa_sim, nav_sim, tmp_path, django_capture_on_commit_callbacks
):
    original = issued(pay(unpaid_order(resident, fee_service)))
    services.invoice_nav_report(invoice_id=original.pk)
    services.invoice_nav_check(invoice_id=original.pk)
    before = Invoice.objects.values().get(pk=original.pk)
    # when a finance clerk cancels it
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        storno = services.invoice_cancel(invoice=original, reason="  Téves   számlázás ", user=finance_clerk)
    assert len(callbacks) == 1  # the storno's document job, after commit
    # then the storno has the next number, negated amounts and points at the original
    assert storno.number == f"HV-{year()}-{number_of(original.number) + 1:06d}"
    assert (storno.kind, storno.cancels_id, storno.cancel_reason, storno.created_by) == (
        InvoiceKind.STORNO,
        original.pk,
        "Téves számlázás",
        finance_clerk,
    )
    assert (storno.net_total, storno.vat_total, storno.gross_total) == (-FEE, 0, -FEE)
    assert [(i["quantity"], i["unit_price"], i["net"], i["gross"]) for i in storno.items] == [(-1, FEE, -FEE, -FEE)]
    assert (storno.buyer_name, storno.fulfilment_date) == (original.buyer_name, original.fulfilment_date)
    # and the original is unchanged; it is "cancelled by" the storno through the storno's own row
    assert Invoice.objects.values().get(pk=original.pk) == before
    assert Invoice.objects.get(pk=original.pk).cancelled_by == storno
    # and the storno's document says what it is
    storno = services.invoice_document_ensure(invoice_id=storno.pk)
    text = pdftotext(bytes(storno.pdf), tmp_path)
    for expected in ("SZTORNÓ SZÁMLA", storno.number, original.number, "Téves számlázás", "-12 000 Ft"):
        assert expected in text, expected
    assert verify_pdf(bytes(storno.pdf)).valid
    root = etree.fromstring(get_xml_from_pdf(bytes(storno.pdf))[1])
    ns = {"rsm": RSM, "ram": RAM}
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=ns) == "381"
    assert root.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=ns) == original.number
    # and NAV gets it as a STORNO of the original
    services.invoice_nav_report(invoice_id=storno.pk)
    assert services.invoice_nav_check(invoice_id=storno.pk).nav_status == NavStatus.DONE
    received = sim_json(nav_sim, "/_sim/invoices")
    assert [(r["operation"], r["invoice_number"], r["original_invoice_number"], r["status"]) for r in received] == [
        ("CREATE", original.number, "", "DONE"),
        ("STORNO", storno.number, original.number, "DONE"),
    ]
    assert "<lineNumberReference>2</lineNumberReference>" in received[1]["xml"]
    assert "<modificationIndex>1</modificationIndex>" in received[1]["xml"]
    assert (
        ModelLogEntry.objects.filter(action="payments.invoice_cancelled", object_id=str(original.order_id)).count() == 1
    )


def test_who_may_cancel_and_what_cannot_be_cancelled(fee_service, resident, finance_clerk):
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    # staff who may read orders but not cancel invoices, and staff who may not even read them
    supervisor = staff_user(role="supervisor", email="felugyelo@test.example")
    clerk = staff_user(role="clerk", email="ugyintezo@test.example")
    for user in (supervisor, clerk, resident.user):
        with pytest.raises(InvoiceError) as error:
            services.invoice_cancel(invoice=invoice, reason="Téves", user=user)
        assert (error.value.code, error.value.http_status) == (InvoiceErrorCode.PERMISSION_DENIED, 403)
    with pytest.raises(InvoiceError) as error:
        services.invoice_cancel(invoice=invoice, reason="   ", user=finance_clerk)
    assert list(error.value.fields) == ["reason"]
    assert Invoice.objects.count() == 1
    # a finance clerk cancels it once; not twice, and a storno is never cancelled
    storno = services.invoice_cancel(invoice=invoice, reason="Téves", user=finance_clerk)
    for target, code in ((invoice, InvoiceErrorCode.ALREADY_CANCELLED), (storno, InvoiceErrorCode.NOT_CANCELLABLE)):
        with pytest.raises(InvoiceError) as error:
            services.invoice_cancel(invoice=target, reason="Megint", user=finance_clerk)
        assert error.value.code == code
    assert Invoice.objects.count() == 2


# --- staff screens -------------------------------------------------------------------------------
def test_staff_list_detail_and_storno_form(fee_service, resident, finance_clerk, tsa_sim, client, editor):
    from django.test import Client

    from tests.conftest import login_staff_with_mfa

    invoice = issued(pay(unpaid_order(resident, fee_service)))
    staff = login_staff_with_mfa(client, finance_clerk)
    # the Invoices list finds it by number and by order reference
    for query in (invoice.number, invoice.order.reference):
        listing = staff.get("/admin/invoices/", {"q": query})
        assert listing.status_code == 200
        assert list(listing.context["object_list"]) == [invoice]
    assert list(staff.get("/admin/invoices/", {"nav_status": "done"}).context["object_list"]) == []
    # its page shows the details, the NAV status and the storno form
    page = staff.get(f"/admin/invoices/invoice/{invoice.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert invoice.number in html and "Kovács Anna" in html and 'data-testid="nav-status"' in html
    assert 'name="reason"' in html
    download = staff.get(f"/admin/invoices/invoice/{invoice.pk}/pdf/")
    assert (download.status_code, download.content) == (200, bytes(invoice.pdf))
    # an empty reason is refused, a reason cancels it
    refused = staff.post(f"/admin/invoices/invoice/{invoice.pk}/", {"reason": ""})
    assert refused.status_code == 400 and Invoice.objects.count() == 1
    done = staff.post(f"/admin/invoices/invoice/{invoice.pk}/", {"reason": "Téves számlázás"})
    storno = Invoice.objects.get(cancels=invoice)
    assert done.status_code == 302 and done["Location"] == f"/admin/invoices/invoice/{storno.pk}/"
    assert 'name="reason"' not in staff.get(f"/admin/invoices/invoice/{invoice.pk}/").content.decode()
    # no add, edit or delete screens exist for anyone
    assert staff.get("/admin/invoices/new/").status_code in (302, 403, 404)
    assert staff.get(f"/admin/invoices/delete/{invoice.pk}/").status_code in (302, 403, 404)
    assert Invoice.objects.count() == 2
    # staff without the orders permission see neither the list nor the page
    other = login_staff_with_mfa(Client(), editor)
    assert other.get("/admin/invoices/").status_code in (302, 403)
    assert other.get(f"/admin/invoices/invoice/{invoice.pk}/").status_code in (302, 403)
    assert other.get(f"/admin/invoices/invoice/{invoice.pk}/pdf/").status_code in (302, 403)


# --- the whole way, through the worker -----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_paid_order_gets_a_sealed_invoice_reported_to_nav_by_the_worker(
    fee_service, resident, tsa_sim, nav_sim, broker, worker, monkeypatch
):
    monkeypatch.setattr(invoice_tasks, "NAV_POLL_BACKOFF_MS", (50, 50, 100))
    order = unpaid_order(resident, fee_service)
    # when the fee is paid (the job is sent when the payment commits)
    pay(order)
    # then the worker issues, seals and reports the invoice, and NAV accepts it
    broker.join("invoices", timeout=60_000)
    worker.join()
    invoice = Invoice.objects.get(order=order)
    assert invoice.pdf is not None and verify_pdf(bytes(invoice.pdf)).valid
    assert invoice.nav_status == NavStatus.DONE
    assert sim_json(nav_sim, "/_sim/stats")["invoices_by_status"] == {"DONE": 1}


# --- stalled work and the clerk's retry ----------------------------------------------------------
def _age(model, pk: int, **fields) -> None:
    """Move the given timestamps of a row half a day back."""
    ago = timezone.now() - timezone.timedelta(hours=12)
    model.objects.filter(pk=pk).update(**dict.fromkeys(fields, ago))


@pytest.mark.django_db(transaction=True)
def test_invoicing_work_whose_jobs_were_lost_is_done_by_the_reconcile(
    fee_service, resident, tsa_sim, nav_sim, broker, monkeypatch
):
    import dramatiq

    from payments.tasks import payments_reconcile_stalled

    monkeypatch.setattr(invoice_tasks, "NAV_POLL_BACKOFF_MS", (50, 50, 100))
    # given a paid order whose invoice job was lost with the broker
    order = pay(unpaid_order(resident, fee_service))
    broker.flush_all()
    assert not services.invoices_stalled()  # paid just now: its job may still be on the way
    _age(Order, order.pk, paid_at=True)
    assert services.invoices_stalled().orders_to_invoice == [order.pk]
    # when the periodic reconcile runs and a worker is there
    payments_reconcile_stalled.fn()
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    try:
        broker.join("invoices", timeout=60_000)
        worker.join()
    finally:
        worker.stop()
    # then the invoice is issued, sealed and reported, and nothing is left to do
    invoice = Invoice.objects.get(order=order)
    assert invoice.pdf is not None and invoice.nav_status == NavStatus.DONE
    assert not services.invoices_stalled()


def test_the_reconcile_finds_each_kind_of_stalled_invoice_work(fee_service, resident, settings):
    settings.NAV_REPORTING_ENABLED = True
    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    assert not services.invoices_stalled()
    # an unsealed, unreported invoice nobody touched for hours
    _age(Invoice, invoice.pk, updated_at=True)
    stalled = services.invoices_stalled()
    assert (stalled.documents, stalled.reports, stalled.checks) == ([invoice.pk], [invoice.pk], [])
    # a document that failed for good waits for a clerk; a report sent but never checked is asked about
    Invoice.objects.filter(pk=invoice.pk).update(
        document_error="no key", nav_status=NavStatus.SENT, nav_transaction_id="T1", nav_reported_at=timezone.now()
    )
    _age(Invoice, invoice.pk, updated_at=True, nav_reported_at=True)
    stalled = services.invoices_stalled()
    assert (stalled.documents, stalled.reports, stalled.checks) == ([], [], [invoice.pk])
    # reports are not chased when reporting is off
    settings.NAV_REPORTING_ENABLED = False
    assert services.invoices_stalled().checks == []


def test_a_seal_that_failed_for_good_is_shown_and_a_clerk_has_it_done_again(
    fee_service, resident, finance_clerk, tsa_sim, nav_sim, client, settings, django_capture_on_commit_callbacks
):
    from tests.conftest import login_staff_with_mfa

    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    # given the signing key is misconfigured and NAV refuses the technical user's signature key
    good_key = settings.NAV_SIGN_KEY
    settings.DOCUMENT_SIGNING_BACKEND = "pkcs12"
    settings.DOCUMENT_SIGNING_PKCS12_PATH = "/nonexistent/seal.p12"
    settings.NAV_SIGN_KEY = "a-stale-signature-key"
    invoice_tasks.invoice_document.fn(invoice.pk)
    invoice_tasks.invoice_nav_report.fn(invoice.pk)
    invoice.refresh_from_db()
    assert invoice.pdf is None and "DOCUMENT_SIGNING_PKCS12_PATH" in invoice.document_error
    assert invoice.nav_status == NavStatus.ERROR
    # the finance clerk sees why, with a button to try again
    staff = login_staff_with_mfa(client, finance_clerk)
    html = staff.get(f"/admin/invoices/invoice/{invoice.pk}/").content.decode()
    assert 'data-testid="document-error"' in html and 'data-testid="invoice-retry"' in html
    # when the configuration is fixed and the clerk tries again
    settings.DOCUMENT_SIGNING_BACKEND = "dev"
    settings.NAV_SIGN_KEY = good_key
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(f"/admin/invoices/invoice/{invoice.pk}/retry/")
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.document_error, invoice.nav_status) == ("", NavStatus.PENDING)
    assert ModelLogEntry.objects.filter(action="payments.invoice_retried", object_id=str(invoice.pk)).count() == 1
    assert len(callbacks) == 2  # the seal and the report, sent after commit
    invoice_tasks.invoice_document.fn(invoice.pk)
    invoice_tasks.invoice_nav_report.fn(invoice.pk)
    invoice.refresh_from_db()
    assert invoice.pdf is not None and invoice.document_error == ""
    assert invoice.nav_status == NavStatus.SENT
    # then there is nothing left to retry: the button is gone and a stray POST changes nothing
    html = staff.get(f"/admin/invoices/invoice/{invoice.pk}/").content.decode()
    assert 'data-testid="invoice-retry"' not in html
    staff.post(f"/admin/invoices/invoice/{invoice.pk}/retry/")
    assert ModelLogEntry.objects.filter(action="payments.invoice_retried", object_id=str(invoice.pk)).count() == 1


def test_only_finance_clerks_have_invoices_retried(fee_service, resident, clerk, client):
    from tests.conftest import login_staff_with_mfa

    invoice = services.invoice_issue_for_order(order_id=pay(unpaid_order(resident, fee_service)).pk)
    Invoice.objects.filter(pk=invoice.pk).update(document_error="no key")
    with pytest.raises(InvoiceError) as refused:
        services.invoice_retry(invoice=invoice, user=resident.user)
    assert refused.value.http_status == 403
    staff = login_staff_with_mfa(client, clerk)
    assert staff.post(f"/admin/invoices/invoice/{invoice.pk}/retry/").status_code in (302, 403)
    invoice.refresh_from_db()
    assert invoice.document_error == "no key"
