"""The QR code of a fee transfer, in the Hungarian National Bank's format for instant credit
transfers (MNB "QR-kód alapú fizetés", identification code HCT), which Hungarian banking apps
read to fill in a transfer: beneficiary, account, amount, validity and the remittance text
(our payment reference)."""

from __future__ import annotations

import datetime
import io
import unicodedata

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import timezone

from payments.models import Order

FIELDS = 17  # the format's fixed number of lines, empty ones included


def _clean(text: str, limit: int) -> str:
    # one line per field: no line breaks inside, and within the field's length
    return " ".join(unicodedata.normalize("NFC", text).split())[:limit]


def hct_payload(order: Order) -> str:
    """The text the QR code holds: 17 fields, one per line (MNB HCT version 001, UTF-8)."""
    valid_until = datetime.datetime.combine(order.due_date, datetime.time(23, 59, 59))
    offset = timezone.localtime().utcoffset() or datetime.timedelta(hours=1)
    fields = [
        "HCT",
        "001",
        "1",  # UTF-8
        _clean(settings.PAYMENT_ACCOUNT_BIC, 11),
        _clean(settings.PAYMENT_ACCOUNT_NAME, 70),
        _clean(settings.PAYMENT_ACCOUNT_IBAN, 28),
        f"HUF{max(order.balance, 0)}",
        f"{valid_until:%Y%m%d%H%M%S}+{int(offset.total_seconds() // 3600)}",
        "",  # payment situation identifier
        _clean(order.reference or "", 70),
    ]
    return "\n".join(fields + [""] * (FIELDS - len(fields)))


def transfer_qr_svg(order: Order) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(hct_payload(order).encode("utf-8"))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()
