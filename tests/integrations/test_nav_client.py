"""NAV Online Számla v3.0: the request signature, the exchange token and the three operations,
against the simulator over HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from datetime import UTC, date, datetime

import pytest
from lxml import etree

from integrations.http import IntegrationRejected, IntegrationUnavailable
from integrations.models import Exchange
from integrations.nav import contract
from integrations.nav.client import NavClient
from integrations.nav.contract import Credentials
from integrations.nav.invoice_data import NavAddress, NavInvoice, NavLine, invoice_data_xml

pytestmark = [pytest.mark.django_db]  # the client logs every exchange

REQUEST_ID = "RID20260315101112ABC"
TIMESTAMP = "2026-03-15T10:11:12.345Z"
SIGN_KEY = "ce-8f5e-215119fa7dd621DLMRHRLH2S"


def sample_invoice(number: str = "HV-2026-000001", **overrides) -> NavInvoice:
    fields = {
        "number": number,
        "issue_date": date(2026, 3, 15),
        "delivery_date": date(2026, 3, 14),
        "payment_date": date(2026, 3, 14),
        "payment_method": "CARD",
        "supplier_tax_number": "15735715-2-43",
        "supplier_name": "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat",
        "supplier_address": NavAddress("1126", "Budapest", "Böszörményi út 23–25."),
        "supplier_bank_account": "11773016-00000000-15843128",
        "lines": [NavLine("Lakossági várakozási hozzájárulás", 1, 12_000, 12_000, 0, 12_000)],
        "customer_private_person": True,
    }
    fields.update(overrides)
    return NavInvoice(**fields)


def client(nav_sim, **credentials) -> NavClient:
    if credentials:
        base = NavClient.from_settings().credentials
        merged = {**base.__dict__, **credentials}
        return NavClient.from_settings(credentials=Credentials(**merged))
    return NavClient.from_settings()


def sim_json(server, path: str, body=None):
    url = server.base_url + path
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(
        urllib.request.Request(url, data=data, method="POST" if data else "GET"), timeout=5
    ) as r:
        return json.load(r)


def post_raw(nav_sim, operation: str, body: bytes) -> tuple[int, etree._Element]:
    request = urllib.request.Request(
        f"{nav_sim.base_url}/invoiceService/v3/{operation}",
        data=body,
        headers={"Content-Type": "application/xml"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, contract.parse_xml(response.read())
    except urllib.error.HTTPError as error:
        return error.code, contract.parse_xml(error.read())


# --- the signature, by hand ----------------------------------------------------------------------
def test_request_signature_matches_a_vector_computed_by_hand():
    # given one CREATE and one STORNO invoice in a manageInvoice request
    first = base64.b64encode(b"<InvoiceData>1</InvoiceData>").decode()
    second = base64.b64encode(b"<InvoiceData>2</InvoiceData>").decode()
    # when the signature is computed the way the specification's chapter 1.5 describes it
    hash_1 = hashlib.sha3_512(("CREATE" + first).encode()).hexdigest().upper()
    hash_2 = hashlib.sha3_512(("STORNO" + second).encode()).hexdigest().upper()
    by_hand = (
        hashlib.sha3_512((REQUEST_ID + "20260315101112" + SIGN_KEY + hash_1 + hash_2).encode()).hexdigest().upper()
    )
    # then ours agrees, and is 128 uppercase hex digits
    signature = contract.request_signature(REQUEST_ID, TIMESTAMP, SIGN_KEY, [("CREATE", first), ("STORNO", second)])
    assert signature == by_hand
    assert len(signature) == 128 and signature == signature.upper()
    # and without invoices (tokenExchange, queryTransactionStatus) only the partial string is hashed
    assert contract.request_signature(REQUEST_ID, TIMESTAMP, SIGN_KEY) == (
        hashlib.sha3_512(f"{REQUEST_ID}20260315101112{SIGN_KEY}".encode()).hexdigest().upper()
    )
    # and the password is SHA-512, uppercase
    assert contract.password_hash("jelszó") == hashlib.sha512("jelszó".encode()).hexdigest().upper()


def test_exchange_token_round_trips_through_aes_128_ecb():
    encoded = contract.encrypt_exchange_token("a1b2c3-token", "0123456789abcdef")
    assert base64.b64decode(encoded) and len(base64.b64decode(encoded)) == 16  # one block, PKCS#7 padded
    assert contract.decrypt_exchange_token(encoded, "0123456789abcdef") == "a1b2c3-token"
    with pytest.raises(ValueError):
        contract.decrypt_exchange_token(encoded, "fedcba9876543210")


def test_tax_number_check_digit():
    assert contract.taxpayer_id_is_valid("15735715") is True
    assert contract.taxpayer_id_is_valid("15735716") is False
    assert contract.split_tax_number("15735715-2-43") == ("15735715", "2", "43")
    with pytest.raises(ValueError):
        contract.split_tax_number("15735715243")


# --- the simulator checks the door ---------------------------------------------------------------
def test_tampered_manage_invoice_is_refused_with_invalid_request_signature(nav_sim, settings):
    # given a correctly signed manageInvoice request with a fresh exchange token
    nav = client(nav_sim)
    token = nav.token_exchange()
    data = base64.b64encode(invoice_data_xml(sample_invoice())).decode()
    credentials = nav.credentials
    root = contract.build_request(
        "ManageInvoiceRequest",
        credentials=credentials,
        software=nav.software,
        request_id=REQUEST_ID,
        timestamp=contract.format_timestamp(datetime.now(UTC)),
        invoices=[("CREATE", data)],
    )
    contract.add_invoice_operations(root, token, [("CREATE", data)])
    # when the invoice data are changed after signing (another amount)
    tampered = base64.b64encode(invoice_data_xml(sample_invoice(lines=[NavLine("X", 1, 1, 1, 0, 1)]))).decode()
    root.find(f".//{{{contract.API_NS}}}invoiceData").text = tampered
    status, answer = post_raw(nav_sim, "manageInvoice", contract.to_bytes(root))
    # then NAV's error answer comes back and nothing is accepted
    assert status == 400
    assert etree.QName(answer).localname == "GeneralErrorResponse"
    assert contract.read_error(answer)[0] == "INVALID_REQUEST_SIGNATURE"
    assert contract.text(answer, "common:result/common:funcCode") == "ERROR"
    stats = sim_json(nav_sim, "/_sim/stats")
    assert stats["transactions"] == 0 and stats["refusals"] == {"INVALID_REQUEST_SIGNATURE": 1}


def test_wrong_sign_key_and_wrong_password_are_refused_by_the_client(nav_sim):
    with pytest.raises(IntegrationRejected) as signature:
        client(nav_sim, sign_key="not-the-key").token_exchange()
    assert (signature.value.status_code, signature.value.error_code) == (400, "INVALID_REQUEST_SIGNATURE")
    with pytest.raises(IntegrationRejected) as password:
        client(nav_sim, password="wrong").token_exchange()
    assert password.value.error_code == "INVALID_SECURITY_USER"


def test_wrong_exchange_key_cannot_decrypt_the_token(nav_sim):
    with pytest.raises(IntegrationRejected) as error:
        client(nav_sim, exchange_key="0000000000000000").token_exchange()
    assert error.value.error_code == "exchange_token_undecryptable"


def test_exchange_token_is_single_use(nav_sim):
    nav = client(nav_sim)
    token = nav.token_exchange()
    data = base64.b64encode(invoice_data_xml(sample_invoice())).decode()

    def send(request_id: str) -> tuple[int, etree._Element]:
        root = contract.build_request(
            "ManageInvoiceRequest",
            credentials=nav.credentials,
            software=nav.software,
            request_id=request_id,
            timestamp=contract.format_timestamp(datetime.now(UTC)),
            invoices=[("CREATE", data)],
        )
        contract.add_invoice_operations(root, token, [("CREATE", data)])
        return post_raw(nav_sim, "manageInvoice", contract.to_bytes(root))

    first_status, first = send("RIDFIRST")
    second_status, second = send("RIDSECOND")
    assert first_status == 200 and contract.text(first, "api:transactionId")
    assert second_status == 400 and contract.read_error(second)[0] == "INVALID_EXCHANGE_TOKEN"


# --- the operations ------------------------------------------------------------------------------
def test_manage_invoice_then_status_processing_then_done(nav_sim):
    # given NAV takes one status query before it decides
    sim_json(nav_sim, "/_sim/config", {"processing_polls": 1})
    nav = client(nav_sim)
    # when an invoice is reported
    receipt = nav.manage_invoice(operations=[("CREATE", invoice_data_xml(sample_invoice()))])
    # then it gets a transaction id, is processing at first and done afterwards
    assert len(receipt.transaction_id) == 16
    assert [r.status for r in nav.query_transaction_status(transaction_id=receipt.transaction_id)] == ["PROCESSING"]
    (done,) = nav.query_transaction_status(transaction_id=receipt.transaction_id)
    assert (done.index, done.status, done.messages) == (1, "DONE", ())
    # and every call was logged, with the password hash, tokens and the invoice data kept out
    exchanges = list(Exchange.objects.filter(system="nav").order_by("pk"))
    assert [e.operation for e in exchanges] == [
        "tokenExchange",
        "manageInvoice",
        "queryTransactionStatus",
        "queryTransactionStatus",
    ]
    logged = json.dumps([[e.request_body, e.response_body] for e in exchanges], ensure_ascii=False)
    assert contract.password_hash(nav.credentials.password) not in logged
    assert "Böszörményi" not in logged and "[base64, " in logged
    assert exchanges[0].response_body["xml"].count("encodedExchangeToken>***<") == 1


def test_malformed_invoice_is_aborted_with_validation_messages(nav_sim):
    nav = client(nav_sim)
    receipt = nav.manage_invoice(operations=[("CREATE", b"<Invoice>not the NAV schema</Invoice>")])
    (result,) = nav.query_transaction_status(transaction_id=receipt.transaction_id)
    assert result.status == "ABORTED"
    assert [(m.kind, m.result_code, m.error_code) for m in result.messages] == [
        ("technical", "ERROR", "SCHEMA_VIOLATION")
    ]


def test_private_person_with_name_is_aborted_and_storno_needs_its_reference(nav_sim):
    nav = client(nav_sim)
    leaky = invoice_data_xml(sample_invoice("HV-2026-000009")).replace(
        b"<customerVatStatus>PRIVATE_PERSON</customerVatStatus>",
        b"<customerVatStatus>PRIVATE_PERSON</customerVatStatus><customerName>Kov\xc3\xa1cs Anna</customerName>",
    )
    storno_without_reference = invoice_data_xml(sample_invoice("HV-2026-000010"))
    receipt = nav.manage_invoice(operations=[("CREATE", leaky), ("STORNO", storno_without_reference)])
    results = nav.query_transaction_status(transaction_id=receipt.transaction_id)
    assert [(r.index, r.status, [m.error_code for m in r.messages]) for r in results] == [
        (1, "ABORTED", ["CUSTOMER_DATA_NOT_ALLOWED"]),
        (2, "ABORTED", ["MISSING_INVOICE_REFERENCE"]),
    ]


def test_outage_and_timeout_are_unavailable_not_rejected(nav_sim, settings):
    sim_json(nav_sim, "/_sim/faults", {"error_next": 5})
    with pytest.raises(IntegrationUnavailable) as outage:
        client(nav_sim).token_exchange()  # NAV's OPERATION_FAILED: try again later
    assert outage.value.status_code == 500
    sim_json(nav_sim, "/_sim/reset", {})
    sim_json(nav_sim, "/_sim/faults", {"timeout_rate": 1.0, "timeout_sleep_ms": 1500})
    settings.NAV_TIMEOUT_S = 0.3
    with pytest.raises(IntegrationUnavailable) as timeout:
        client(nav_sim).token_exchange()
    assert timeout.value.error_code == "timeout"
