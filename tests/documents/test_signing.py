"""Signing decisions (PAdES with RFC 3161 timestamps) and verifying them, against the TSA simulator over HTTP."""

from __future__ import annotations

import io
import re
import subprocess
import time

import pikepdf
import pytest

from eservices.documents.signing import SigningError, SigningUnavailable, sign_pdf
from eservices.documents.verification import verify_pdf
from integrations.tsa.pki import ensure_dev_pki
from tests.documents.conftest import set_faults, sim_stats

REASON = "Automatikus döntéshozatali eljárásban hozott határozat hitelesítése"


def assert_authority_seal(signed) -> None:
    """A B-LTA seal of the authority that the verifier accepts."""
    assert signed.level == "B-LTA"
    result = verify_pdf(signed.pdf)
    assert result.valid, result.errors
    assert result.signer_organization == "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat"


def pdfsig(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["/usr/bin/pdfsig", str(path)], capture_output=True, text=True)
    return result.stdout + result.stderr


def flip_byte_inside_signed_stream(pdf: bytes, signed_length: int) -> bytes:
    """Flip one byte in the middle of the largest stream of the originally signed revision."""
    streams = [
        (match.end(), pdf.index(b"endstream", match.end()))
        for match in re.finditer(rb"stream\r?\n", pdf[:signed_length])
        if not pdf[match.start() - 3 : match.start()] == b"end"
    ]
    start, end = max(streams, key=lambda span: span[1] - span[0])
    position = (start + end) // 2
    tampered = bytearray(pdf)
    tampered[position] ^= 0x01
    return bytes(tampered)


def test_sign_gives_b_lta_that_pdfsig_and_pyhanko_accept(tsa_sim, granted_pdf, tmp_path):
    # given the TSA, OCSP and CRL services are up
    # when a rendered decision is signed
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")

    # then it is PAdES B-LTA with a timestamp from the TSA
    assert signed.level == "B-LTA"
    assert signed.notes == ()
    assert signed.pdf.startswith(granted_pdf)  # an incremental update: the rendered bytes are kept
    assert signed.signed_at.tzinfo is not None
    calls = sim_stats(tsa_sim)["calls"]
    # signature timestamp + document timestamp (+ once per process: a dummy to size the signature)
    assert calls["tsa"] in (2, 3)
    assert calls["ocsp"] >= 1 and calls["crl"] >= 1

    # and poppler (NSS) finds the signature cryptographically valid (trust is not its call: dev root)
    report = pdfsig(signed.pdf, tmp_path)
    assert "Signature Field Name: Hitelesítés" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Signature Validation: Signature is Valid." in report

    # and pyhanko, trusting the dev root, validates it offline
    set_faults(tsa_sim, down=True)  # verification must not need the network
    result = verify_pdf(signed.pdf)
    assert result.valid, result.errors
    assert result.intact and result.trusted and result.timestamp_valid
    assert result.level == "B-LTA"
    assert result.document_timestamps == 1
    assert result.signer_organization == "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat"
    assert result.signer_common_name == "Hegyvidéki Önkormányzat Polgármesteri Hivatal (fejlesztői bélyegző)"
    assert result.timestamp_authority == "Hegyvidék e-Portál fejlesztői időbélyeg-szolgáltató"
    assert result.timestamp_time == signed.signed_at == result.signed_at
    assert result.field_name == "Hitelesítés"
    assert result.errors == ()


def test_signed_document_is_still_pdfa_3b(tsa_sim, granted_pdf):
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    with pikepdf.open(io.BytesIO(signed.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        assert "/DSS" in pdf.Root  # validation data embedded (B-LT)
        assert len(pdf.Root.DSS.OCSPs) >= 1
        assert list(pdf.attachments) == ["hatarozat.json"]


def test_a_flipped_byte_makes_the_signature_not_intact(tsa_sim, granted_pdf):
    # given a signed decision
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    # when one byte of the signed content changes
    tampered = flip_byte_inside_signed_stream(signed.pdf, len(granted_pdf))
    # then verification reports it as not intact and not valid
    result = verify_pdf(tampered)
    assert result.intact is False
    assert result.valid is False
    assert result.errors


def test_unsigned_or_garbage_input_is_reported_not_raised(granted_pdf):
    unsigned = verify_pdf(granted_pdf)
    assert (unsigned.valid, unsigned.errors) == (False, ("A dokumentum nincs aláírva.",))
    garbage = verify_pdf(b"%PDF-1.7 nonsense")
    assert garbage.valid is False and garbage.intact is False


def test_tsa_down_raises_signing_unavailable(tsa_sim, granted_pdf):
    # given the timestamp authority answers 503
    set_faults(tsa_sim, tsa_down=True)
    # when signing, then the caller is told to retry later
    with pytest.raises(SigningUnavailable, match="timestamp"):
        sign_pdf(granted_pdf, reason=REASON, location="Budapest")


def test_tsa_unreachable_raises_signing_unavailable(tsa_sim, granted_pdf, settings):
    # given nothing listens at the TSA's address
    tsa_sim.shutdown()
    tsa_sim.server_close()
    with pytest.raises(SigningUnavailable):
        sign_pdf(granted_pdf, reason=REASON, location="Budapest")


def test_validation_data_unreachable_falls_back_to_b_t(tsa_sim, granted_pdf):
    # given OCSP and CRL services are down but the TSA works
    set_faults(tsa_sim, revocation_down=True)
    # when signing
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    # then the document is B-T and the result says why
    assert signed.level == "B-T"
    assert len(signed.notes) == 1 and "B-T" in signed.notes[0]
    assert sim_stats(tsa_sim)["calls"]["tsa"] in (1, 2)  # no document timestamp
    # and it still verifies, with a note that revocation was not checked
    result = verify_pdf(signed.pdf)
    assert result.valid, result.errors
    assert result.level == "B-T"
    assert result.document_timestamps == 0
    assert any("B-T" in note for note in result.notes)


def test_pkcs12_signer(tsa_sim, granted_pdf, settings, pki_dir, tmp_path, tmp_path_factory):
    # given the authority's key exported to a password-protected PKCS#12 file, configured like production
    pki = ensure_dev_pki(pki_dir, tsa_sim.base_url)
    p12 = pki.export_pkcs12(tmp_path / "bélyegző.p12", b"titkos-jelszo")
    settings.DOCUMENT_SIGNING_BACKEND = "pkcs12"
    settings.DOCUMENT_SIGNING_PKCS12_PATH = str(p12)
    settings.DOCUMENT_SIGNING_PKCS12_PASSWORD = "titkos-jelszo"
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [str(pki.root_cert_path)]
    settings.TSA_URL = pki.tsa_url
    # when signing, then the result is the same B-LTA seal
    assert_authority_seal(sign_pdf(granted_pdf, reason=REASON, location="Budapest"))


def test_pkcs12_wrong_password_is_a_signing_error(tsa_sim, granted_pdf, settings, pki_dir, tmp_path):
    pki = ensure_dev_pki(pki_dir, tsa_sim.base_url)
    settings.DOCUMENT_SIGNING_BACKEND = "pkcs12"
    settings.DOCUMENT_SIGNING_PKCS12_PATH = str(pki.export_pkcs12(tmp_path / "seal.p12", b"right"))
    settings.DOCUMENT_SIGNING_PKCS12_PASSWORD = "wrong"
    settings.TSA_URL = pki.tsa_url
    with pytest.raises(SigningError):
        sign_pdf(granted_pdf, reason=REASON, location="Budapest")


def test_pkcs11_needs_its_settings(settings, tsa_sim, granted_pdf):
    settings.DOCUMENT_SIGNING_BACKEND = "pkcs11"
    settings.DOCUMENT_SIGNING_PKCS11_MODULE = ""
    settings.TSA_URL = "http://127.0.0.1:1/tsa"
    with pytest.raises(SigningError, match="PKCS11_MODULE"):
        sign_pdf(granted_pdf, reason=REASON, location="Budapest")


def test_not_a_pdf_is_a_signing_error(tsa_sim):
    with pytest.raises(SigningError, match="PDF"):
        sign_pdf(b"not a pdf", reason=REASON, location="Budapest")


def test_untrusted_signer_is_reported(tsa_sim, granted_pdf, settings, tmp_path_factory):
    # given a document signed by the dev PKI, verified by a deployment that trusts another root only
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    other = ensure_dev_pki(tmp_path_factory.mktemp("other-pki"), "http://127.0.0.1:9")
    settings.DOCUMENT_SIGNING_BACKEND = "pkcs12"
    settings.DOCUMENT_SIGNING_TRUST_DEV_ROOT = False  # this deployment does not trust the dev root
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [str(other.root_cert_path)]
    settings.TSA_URL = "http://127.0.0.1:9/tsa"
    result = verify_pdf(signed.pdf)
    assert result.intact is True
    assert result.trusted is False
    assert result.valid is False


def test_keys_are_parsed_once_per_process_not_per_signature(tsa_sim, granted_pdf, monkeypatch):
    # parsing an RSA key costs ~40 ms: neither our signer nor the TSA/OCSP simulator may do it per signature
    from cryptography.hazmat.primitives import serialization

    sign_pdf(granted_pdf, reason=REASON, location="Budapest")  # warm: keys loaded here
    calls = []
    original = serialization.load_der_private_key
    monkeypatch.setattr(
        serialization, "load_der_private_key", lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs)
    )
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    assert signed.level == "B-LTA"
    assert calls == []


def test_revocation_data_are_fetched_once_per_cache_period_and_reused_when_the_service_is_down(
    tsa_sim, granted_pdf, settings
):
    settings.DOCUMENT_SIGNING_REVOCATION_CACHE_S = 300
    sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    fetched = sim_stats(tsa_sim)["calls"]
    assert fetched["ocsp"] >= 1
    # the next signatures reuse the OCSP responses and CRL: only the two timestamps are asked for
    for _ in range(2):
        assert sign_pdf(granted_pdf, reason=REASON, location="Budapest").level == "B-LTA"
    calls = sim_stats(tsa_sim)["calls"]
    assert (calls["ocsp"], calls["crl"]) == (fetched["ocsp"], fetched["crl"])
    assert calls["tsa"] == fetched["tsa"] + 4
    # still-valid data outlive a revocation service outage: the archive form is kept
    set_faults(tsa_sim, revocation_down=True)
    signed = sign_pdf(granted_pdf, reason=REASON, location="Budapest")
    assert signed.level == "B-LTA" and verify_pdf(signed.pdf).valid
    # with no caching, every signature fetches them again (and now falls back to B-T)
    settings.DOCUMENT_SIGNING_REVOCATION_CACHE_S = 0
    assert sign_pdf(granted_pdf, reason=REASON, location="Budapest").level == "B-T"
    after = sim_stats(tsa_sim)["calls"]
    assert after["ocsp"] + after["crl"] > fetched["ocsp"] + fetched["crl"]


# --- PKCS#11: the seal's key in a token (SoftHSM2 plays the HSM) ---------------------------------
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, KEY_LABEL, USER_PIN = "eportal-seal", "hatarozat-pecset", "1234"


@pytest.fixture(scope="module")
def softhsm_token(tmp_path_factory, pki_dir):
    """A SoftHSM2 token holding the dev authority's key, imported as an operator would load a
    production seal. The module reads its configuration once per process."""
    import os
    import shutil
    from pathlib import Path

    if not Path(SOFTHSM_MODULE).is_file() or not shutil.which("softhsm2-util"):
        pytest.skip("SoftHSM2 is not installed (Debian package softhsm2; .ci/run installs it)")
    work = tmp_path_factory.mktemp("softhsm")
    (work / "tokens").mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    key = ensure_dev_pki(pki_dir).authority_key_path  # the keys are the same for every simulator URL
    util = ["softhsm2-util", "--pin", USER_PIN]
    subprocess.run(
        [*util, "--init-token", "--free", "--label", TOKEN, "--so-pin", "10203040"], check=True, capture_output=True
    )
    subprocess.run(
        [*util, "--import", str(key), "--token", TOKEN, "--label", KEY_LABEL, "--id", "01"],
        check=True,
        capture_output=True,
    )
    return TOKEN


def use_token(settings, pki_dir, tsa_sim, pin=USER_PIN):
    """Put the certificates for this simulator's URL next to the key, and configure the pkcs11 signer."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    pki = ensure_dev_pki(pki_dir, tsa_sim.base_url)
    token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label=TOKEN)
    with token.open(user_pin=USER_PIN, rw=True) as session:
        for old in list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})):
            old.destroy()
        for label, object_id, cert in (
            (KEY_LABEL, b"\x01", pki.authority_cert),
            ("kozbenso-ca", b"\x02", pki.intermediate_cert),
        ):
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: object_id,
                    Attribute.SUBJECT: cert.subject.dump(),
                    Attribute.VALUE: cert.dump(),
                }
            )
    settings.DOCUMENT_SIGNING_BACKEND = "pkcs11"
    settings.DOCUMENT_SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    settings.DOCUMENT_SIGNING_PKCS11_TOKEN_LABEL = TOKEN
    settings.DOCUMENT_SIGNING_PKCS11_KEY_LABEL = KEY_LABEL
    settings.DOCUMENT_SIGNING_PKCS11_CERT_LABEL = KEY_LABEL
    settings.DOCUMENT_SIGNING_PKCS11_PIN = pin
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [str(pki.root_cert_path)]
    settings.TSA_URL = pki.tsa_url


def test_pkcs11_token_signs_b_lta(softhsm_token, tsa_sim, granted_pdf, settings, pki_dir):
    # given the seal's key lives in a PKCS#11 token, configured like production
    use_token(settings, pki_dir, tsa_sim)
    # when signing, then the token's key makes the same B-LTA seal
    assert_authority_seal(sign_pdf(granted_pdf, reason=REASON, location="Budapest"))


def test_pkcs11_wrong_pin_is_a_signing_error_never_retried(softhsm_token, tsa_sim, granted_pdf, settings, pki_dir):
    # a retried wrong PIN would count against the token's tries until it locks
    use_token(settings, pki_dir, tsa_sim, pin="9999")
    with pytest.raises(SigningError, match="PinIncorrect"):
        sign_pdf(granted_pdf, reason=REASON, location="Budapest")


def test_a_restarted_tsa_does_not_fail_the_next_signature(tsa_sim, granted_pdf, pki_dir, settings):
    # the process keeps its connections to the TSA open between signatures; when the TSA restarts
    # (or a proxy drops idle connections) the next signature reconnects instead of failing
    from integrations.tsa.simulator import start_in_thread

    assert sign_pdf(granted_pdf, reason=REASON, location="Budapest").level == "B-LTA"
    host, port = tsa_sim.server_address[:2]
    tsa_sim.shutdown()
    tsa_sim.server_close()
    restarted = None
    for _ in range(20):  # the closed socket may linger a moment before its port is free again
        try:
            restarted, _url = start_in_thread(host, port, pki_dir=pki_dir)
            break
        except (OSError, SystemExit):  # werkzeug exits on a taken port
            time.sleep(0.1)
    assert restarted is not None, f"port {port} stayed taken"
    try:
        assert sign_pdf(granted_pdf, reason=REASON, location="Budapest").level == "B-LTA"
    finally:
        restarted.shutdown()
        restarted.server_close()


@pytest.mark.parametrize("cache_s", [0, 300])
def test_concurrent_signatures_share_the_loop_safely(tsa_sim, granted_pdf, settings, cache_s):
    # worker threads sign at the same time on the process's one signing loop: they share its
    # session and revocation data, and renewing them (with 0: for every signature) must not
    # close the session under the others' feet
    from concurrent.futures import ThreadPoolExecutor

    settings.DOCUMENT_SIGNING_REVOCATION_CACHE_S = cache_s
    with ThreadPoolExecutor(max_workers=6) as pool:
        signed = list(pool.map(lambda _: sign_pdf(granted_pdf, reason=REASON, location="Budapest"), range(6)))
    assert [document.level for document in signed] == ["B-LTA"] * 6
