"""The transfer QR code: the MNB HCT format a Hungarian banking app reads, only for the order's resident."""

from __future__ import annotations

import pytest

from payments.models import Order
from payments.transfer_qr import hct_payload
from tests.factories import ResidentProfileFactory, UserFactory
from tests.payments import test_orders
from tests.payments.test_card import session_for

pytestmark = [pytest.mark.django_db]

# the granted application waiting at the payment step
paid_service = test_orders.paid_service
waiting_case = test_orders.waiting_case


def test_payload_is_the_mnb_hct_format(waiting_case, settings):
    order = Order.objects.get(case=waiting_case)
    lines = hct_payload(order).split("\n")
    # 17 fields: code, version, UTF-8, BIC, beneficiary, IBAN, amount, validity, situation, remittance, …
    assert len(lines) == 17
    assert lines[:7] == [
        "HCT",
        "001",
        "1",
        settings.PAYMENT_ACCOUNT_BIC,
        settings.PAYMENT_ACCOUNT_NAME,
        settings.PAYMENT_ACCOUNT_IBAN,
        f"HUF{order.amount}",
    ]
    assert lines[7].startswith(order.due_date.strftime("%Y%m%d") + "235959+")
    assert lines[9] == order.reference  # the remittance: what the reconciliation looks for
    assert lines[10:] == [""] * 7


def test_qr_is_served_as_svg_to_the_owner_only(waiting_case):
    order = Order.objects.get(case=waiting_case)
    url = f"/api/v1/orders/{order.reference}/transfer-qr/"
    owner = session_for(waiting_case.applicant.user)
    response = owner.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") and b"<svg" in response.content
    other = session_for(ResidentProfileFactory(user=UserFactory(), family_name="Nagy", given_names="Péter").user)
    assert other.get(url).status_code == 404
