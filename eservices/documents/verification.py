"""Verification of signed decisions: what the public verification page shows.

`verify_pdf(pdf)` checks the first approval signature (the authority's seal) with pyhanko:
integrity (the signed bytes are unchanged), the signature itself, the chain of trust up to a
configured root (the dev root and/or DOCUMENT_SIGNING_TRUST_ROOTS), the RFC 3161 signature
timestamp, the validation data in the DSS and any document timestamps, and whether anything
was changed after signing beyond what PAdES allows (adding validation data / timestamps).

It never fetches from the network: a B-LT/B-LTA document carries its own validation data, and
the page must not depend on the TSA or OCSP being up. For a B-T document the revocation
status cannot be checked offline; that is reported as a note, not as a failure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from eservices.documents.signing import SigningFailure, signature_timestamp, signing_config

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerificationReport:
    valid: bool  # the bottom line: intact, cryptographically valid, trusted, no forbidden change
    intact: bool  # the signed byte ranges hash to the signed digest
    trusted: bool  # the signer's chain ends in a configured trust root
    signer_common_name: str = ""
    signer_organization: str = ""
    signer_subject: str = ""  # the full distinguished name, human-readable
    signed_at: datetime | None = None  # the timestamp time if there is one, else the self-reported time
    timestamp_time: datetime | None = None
    timestamp_authority: str = ""
    timestamp_valid: bool = False
    level: str = ""  # "B-B", "B-T", "B-LT" or "B-LTA"
    field_name: str = ""
    coverage: str = ""  # pyhanko's coverage level, e.g. "ENTIRE_FILE" or "ENTIRE_REVISION"
    modified_after_signing: bool = False  # beyond validation data and document timestamps
    document_timestamps: int = 0
    errors: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def signer(self) -> str:
        """For display: "CN (O)", or whichever of them exists."""
        if self.signer_common_name and self.signer_organization:
            return f"{self.signer_common_name} ({self.signer_organization})"
        return self.signer_common_name or self.signer_organization

    @property
    def timestamp_at(self) -> datetime | None:
        return self.timestamp_time


def verify_pdf(pdf: bytes) -> VerificationReport:
    """Verify the authority's signature on `pdf` offline. Never raises for a bad document."""
    try:
        return asyncio.run(_verify(pdf))
    except Exception as exc:  # noqa: BLE001 - a tampered file may break the parser anywhere; say "not valid"
        logger.info("verification failed on an unreadable PDF: %s: %s", type(exc).__name__, exc)
        return VerificationReport(
            valid=False, intact=False, trusted=False, errors=(f"A PDF nem olvasható vagy sérült: {type(exc).__name__}",)
        )


def _trust_roots() -> list[x509.Certificate]:
    try:
        return list(signing_config().trust_roots)
    except SigningFailure as exc:  # e.g. TSA_URL missing: verification needs only the roots
        logger.warning("verification without signing configuration: %s", exc)
        return []


async def _verify(pdf: bytes) -> VerificationReport:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    signatures = reader.embedded_regular_signatures
    if not signatures:
        return VerificationReport(valid=False, intact=False, trusted=False, errors=("A dokumentum nincs aláírva.",))
    embedded = signatures[0]
    errors: list[str] = []
    notes: list[str] = []
    if len(signatures) > 1:
        notes.append(f"A dokumentum {len(signatures)} aláírást tartalmaz; az elsőt ellenőriztük.")

    dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
    has_revinfo = bool(dss and (list(dss.ocsps) or list(dss.crls)))
    context_kwargs: dict[str, Any] = {
        "trust_roots": _trust_roots(),
        # the signature's own certificates (e.g. the intermediate CA) also complete the TSA's
        # path, which matters when there is no DSS (B-T)
        "other_certs": [embedded.signer_cert, *embedded.other_embedded_certs],
        "allow_fetching": False,
        # LT documents carry their own revocation data, checked strictly; a B-T document
        # has none and cannot be checked offline (noted below)
        "revocation_mode": "hard-fail" if has_revinfo else "soft-fail",
        # the OCSP/CRL were fetched at signing time: judge them at the time of the signature
        "retroactive_revinfo": True,
    }
    timestamp = signature_timestamp(embedded.signer_info)
    if timestamp is not None:
        context_kwargs["moment"] = timestamp[0]
    context = dss.as_validation_context(context_kwargs) if dss else ValidationContext(**context_kwargs)

    status = await async_validate_pdf_signature(embedded, signer_validation_context=context)

    cert = status.signing_cert
    subject = cert.subject.native
    ts_status = status.timestamp_validity
    timestamp_time = ts_status.timestamp if ts_status else (timestamp[0] if timestamp else None)
    tsa = ""
    if ts_status is not None:
        tsa = ts_status.signing_cert.subject.native.get("common_name", "")
    elif timestamp is not None and timestamp[1] is not None:
        tsa = timestamp[1].subject.native.get("common_name", "")

    document_timestamps = reader.embedded_timestamp_signatures
    doc_ts_valid = True
    for doc_ts in document_timestamps:
        doc_ts_context = dss.as_validation_context(context_kwargs) if dss else ValidationContext(**context_kwargs)
        ts_result = await async_validate_pdf_timestamp(doc_ts, validation_context=doc_ts_context)
        if not (ts_result.intact and ts_result.valid):
            doc_ts_valid = False
            errors.append("Egy dokumentum-időbélyeg sérült vagy érvénytelen.")
        elif not ts_result.trusted:
            notes.append("Egy dokumentum-időbélyeg kiadója nem megbízható.")

    modified = bool(
        status.intact
        and (
            status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
            or status.docmdp_ok is False
            or status.modification_level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
        )
    )
    if not status.intact:
        errors.append("A dokumentum az aláírás óta megváltozott (az aláírt tartalom sérült).")
    elif not status.valid:
        errors.append("Az aláírás kriptográfiailag érvénytelen.")
    if not status.trusted:
        errors.append("Az aláíró tanúsítványa nem vezethető vissza megbízható gyökértanúsítványra.")
    if status.revoked:
        errors.append("Az aláíró tanúsítványát visszavonták.")
    if ts_status is None:
        errors.append("Az aláírás nem tartalmaz időbélyeget.")
    elif not (ts_status.intact and ts_status.valid):
        errors.append("Az aláírás időbélyege érvénytelen.")
    elif not ts_status.trusted:
        errors.append("Az időbélyeg kiadója nem megbízható.")
    if modified:
        errors.append("Az aláírás után nem megengedett módosítás történt a dokumentumon.")
    if not has_revinfo:
        notes.append("A dokumentum nem tartalmaz visszavonási adatokat (B-T szint); ezeket nem ellenőriztük.")

    level = "B-B"
    if ts_status is not None:
        level = "B-T"
        if has_revinfo:
            level = "B-LTA" if document_timestamps else "B-LT"

    valid = bool(status.bottom_line) and ts_status is not None and doc_ts_valid and not errors
    return VerificationReport(
        valid=valid,
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        signer_common_name=subject.get("common_name", ""),
        signer_organization=subject.get("organization_name", ""),
        signer_subject=cert.subject.human_friendly,
        signed_at=timestamp_time or status.signer_reported_dt,
        timestamp_time=timestamp_time,
        timestamp_authority=tsa,
        timestamp_valid=bool(ts_status and ts_status.intact and ts_status.valid and ts_status.trusted),
        level=level,
        field_name=embedded.field_name or "",
        coverage=status.coverage.name if status.coverage is not None else "",
        modified_after_signing=modified,
        document_timestamps=len(document_timestamps),
        errors=tuple(errors),
        notes=tuple(notes),
    )
