"""PAdES signing of decisions with pyhanko: RFC 3161 timestamp, validation data, document timestamp.

`sign_pdf(pdf, reason=..., location=...)` returns a `SignedDocument` at the highest level the
trust services allow:

* **B-LTA** — signature + signature timestamp + validation data (certificates, OCSP responses,
  CRLs in the DSS) + a document timestamp over all of it (the archive form; default);
* **B-LT** — the same without the document timestamp (only when DOCUMENT_SIGNING_PADES_LTA is off);
* **B-T** — signature + signature timestamp, when the OCSP/CRL services cannot be reached.
  The caller may add the validation data later; the document stays verifiable.

The signer comes from configuration (DOCUMENT_SIGNING_BACKEND):

* ``dev`` — the dev PKI's seal of the authority (integrations/tsa, generated under PKI_DIR);
* ``pkcs12`` — DOCUMENT_SIGNING_PKCS12_PATH + DOCUMENT_SIGNING_PKCS12_PASSWORD;
* ``pkcs11`` — DOCUMENT_SIGNING_PKCS11_MODULE, DOCUMENT_SIGNING_PKCS11_TOKEN_LABEL, DOCUMENT_SIGNING_PKCS11_KEY_LABEL
  (+ DOCUMENT_SIGNING_PKCS11_CERT_LABEL), DOCUMENT_SIGNING_PKCS11_PIN (HSM or smart card).

Errors: `SigningUnavailable` — the TSA (or the token) could not be reached: retry later;
`SigningError` — anything retrying will not fix (bad configuration, unreadable PDF, key refused).
Both derive from `SigningFailure`. The function is pure (bytes in, bytes out): the caller
stores the result once, which is what makes the step idempotent.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextvars
import hashlib
import logging
import os
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import aiohttp
import certifi
from asn1crypto import pem, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.timestamps.common_utils import dummy_digest
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    CRLFetchError,
    OCSPFetchError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)

logger = logging.getLogger(__name__)

Level = Literal["B-T", "B-LT", "B-LTA"]
DEFAULT_FIELD_NAME = "Hitelesítés"


class SigningFailure(Exception):
    """Base of the two signing errors."""


class SigningError(SigningFailure):
    """Permanent: configuration, key or input problem. Retrying will not help."""


class SigningUnavailable(SigningFailure):
    """Transient: the timestamp authority (or the signing token) is unreachable. Retry later."""


@dataclass(frozen=True)
class SignedDocument:
    pdf: bytes
    level: Level
    sha256: str  # hex digest of `pdf`
    signed_at: datetime  # the TSA's time in the signature timestamp (UTC, aware)
    notes: tuple[str, ...] = field(default=())  # why the level is lower than asked, for the case log


@dataclass(frozen=True)
class SigningConfig:
    backend: str
    tsa_url: str
    tsa_timeout: float
    tsa_auth: tuple[str, str] | None
    pades_lta: bool
    trust_roots: tuple[x509.Certificate, ...]
    pki_dir: Path | None
    dev_pki_url: str | None


def signing_config() -> SigningConfig:
    """Read the DOCUMENT_SIGNING_* / TSA_* settings (defaults: the dev PKI and its TSA simulator)."""
    backend = getattr(settings, "DOCUMENT_SIGNING_BACKEND", "dev")
    if backend not in ("dev", "pkcs12", "pkcs11"):
        raise SigningError(f"DOCUMENT_SIGNING_BACKEND must be dev, pkcs12 or pkcs11, not {backend!r}")
    pki_dir = getattr(settings, "PKI_DIR", None) or Path(settings.DATA_DIR) / "pki"
    dev_pki_url = getattr(settings, "DEV_PKI_URL", None)
    tsa_url = getattr(settings, "TSA_URL", None)
    roots = [load_certificates(path) for path in getattr(settings, "DOCUMENT_SIGNING_TRUST_ROOTS", ())]
    trust_roots = [cert for certs in roots for cert in certs]
    if backend == "dev" or getattr(settings, "DOCUMENT_SIGNING_TRUST_DEV_ROOT", backend == "dev"):
        pki = _dev_pki(Path(pki_dir), dev_pki_url)
        trust_roots.insert(0, pki.root_cert)
        tsa_url = tsa_url or pki.tsa_url
    if not tsa_url:
        raise SigningError("TSA_URL is not set")
    username, password = getattr(settings, "TSA_USERNAME", ""), getattr(settings, "TSA_PASSWORD", "")
    return SigningConfig(
        backend=backend,
        tsa_url=tsa_url,
        tsa_timeout=float(getattr(settings, "TSA_TIMEOUT_S", 10.0)),
        tsa_auth=(username, password) if username else None,
        pades_lta=bool(getattr(settings, "DOCUMENT_SIGNING_PADES_LTA", True)),
        trust_roots=tuple(trust_roots),
        pki_dir=Path(pki_dir),
        dev_pki_url=dev_pki_url,
    )


def _dev_pki(pki_dir: Path, base_url: str | None) -> Any:
    from integrations.tsa.pki import ensure_dev_pki

    return ensure_dev_pki(pki_dir, base_url)


def load_certificates(path: str | Path) -> list[x509.Certificate]:
    """All certificates of a PEM (one or more) or DER file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"Trust root file {path} cannot be read: {exc}") from exc
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


@contextmanager
def open_signer(config: SigningConfig | None = None) -> Iterator[signers.Signer]:
    """The configured signer; a PKCS#11 session stays open only for the duration of the block."""
    config = config or signing_config()
    if config.backend == "dev":
        pki = _dev_pki(config.pki_dir, config.dev_pki_url)  # type: ignore[arg-type]
        paths = (pki.authority_key_path, pki.authority_cert_path, pki.chain_path)
        signer = _cached_signer(
            ("dev", *(_file_stamp(path) for path in paths)),
            lambda: _CachedKeySigner.wrap(
                signers.SimpleSigner.load(
                    str(pki.authority_key_path), str(pki.authority_cert_path), ca_chain_files=(str(pki.chain_path),)
                )
            ),
        )
        if signer is None:
            raise SigningError("could not load the dev PKI's authority key")
        yield signer
    elif config.backend == "pkcs12":
        path = getattr(settings, "DOCUMENT_SIGNING_PKCS12_PATH", "")
        password = getattr(settings, "DOCUMENT_SIGNING_PKCS12_PASSWORD", "")
        if not path or not Path(path).is_file():
            raise SigningError(f"DOCUMENT_SIGNING_PKCS12_PATH does not name a file: {path!r}")
        signer = _cached_signer(
            ("pkcs12", _file_stamp(path), password),
            lambda: _CachedKeySigner.wrap(
                signers.SimpleSigner.load_pkcs12(path, passphrase=password.encode("utf-8") if password else None)
            ),
        )
        if signer is None:
            raise SigningError("could not open the PKCS#12 file (wrong password?)")
        yield signer
    else:
        yield from _pkcs11_signer()


class _CachedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that parses its private key once: pyhanko's SimpleSigner re-reads the DER
    key for every raw signature (tens of ms for RSA, twice per PAdES signature).
    The cryptography key object is immutable and safe to use from several threads."""

    _pyca_key: Any = None

    @classmethod
    def wrap(cls, loaded: signers.SimpleSigner | None) -> _CachedKeySigner | None:
        """pyhanko's loaders return a plain SimpleSigner whatever class they are called on."""
        if loaded is None:
            return None
        signer = cls(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
            prefer_pss=loaded.prefer_pss,
            embed_roots=loaded.embed_roots,
        )
        signer._pyca_key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)
        return signer

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism_info = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            mechanism = mechanism_info.signature_algo
        except ValueError:
            mechanism = mechanism_info["algorithm"].native
        key = self._pyca_key
        if key is None:
            key = self._pyca_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, signature_algorithm=ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)  # anything else: pyhanko's own implementation


_SIGNER_CACHE_SIZE = 8
_signers: dict[tuple[Any, ...], signers.SimpleSigner] = {}
_signers_lock = threading.Lock()


def _file_stamp(path: str | Path) -> tuple[str, int, int]:
    """Path, size and mtime: a cached signer is reloaded when its key or certificate files change."""
    try:
        stat = Path(path).stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_size, stat.st_mtime_ns)


def _cached_signer(key: tuple[Any, ...], load: Any) -> signers.SimpleSigner | None:
    """One loaded signer per key material and process (loading a key and its chain costs ~50 ms).
    Signers are not mutated by signing, so threads share them. Failures are not cached."""
    with _signers_lock:
        signer = _signers.get(key)
    if signer is not None:
        return signer
    signer = load()
    if signer is not None:
        with _signers_lock:
            if len(_signers) >= _SIGNER_CACHE_SIZE:
                _signers.pop(next(iter(_signers)))
            _signers[key] = signer
    return signer


def _pkcs11_signer() -> Iterator[signers.Signer]:
    try:
        from pkcs11 import PKCS11Error
        from pkcs11 import exceptions as pkcs11_errors
        from pyhanko.config.pkcs11 import PKCS11SignatureConfig, TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11SigningContext
    except ImportError as exc:  # python-pkcs11 is a dependency (pyhanko[pkcs11]); this is for slim images
        raise SigningError("PKCS#11 support needs python-pkcs11") from exc
    _PKCS11_PERMANENT = (
        pkcs11_errors.PinIncorrect,
        pkcs11_errors.PinInvalid,
        pkcs11_errors.PinLenRange,
        pkcs11_errors.PinLocked,
        pkcs11_errors.PinExpired,
        pkcs11_errors.UserPinNotInitialized,
        pkcs11_errors.NoSuchKey,
        pkcs11_errors.MultipleObjectsReturned,
    )
    module = getattr(settings, "DOCUMENT_SIGNING_PKCS11_MODULE", "")
    key_label = getattr(settings, "DOCUMENT_SIGNING_PKCS11_KEY_LABEL", "")
    if not module or not key_label:
        raise SigningError("DOCUMENT_SIGNING_PKCS11_MODULE and DOCUMENT_SIGNING_PKCS11_KEY_LABEL must be set")
    token_label = getattr(settings, "DOCUMENT_SIGNING_PKCS11_TOKEN_LABEL", "") or None
    config = PKCS11SignatureConfig(
        module_path=module,
        token_criteria=TokenCriteria(label=token_label) if token_label else None,
        key_label=key_label,
        cert_label=getattr(settings, "DOCUMENT_SIGNING_PKCS11_CERT_LABEL", "") or key_label,
        user_pin=getattr(settings, "DOCUMENT_SIGNING_PKCS11_PIN", "") or None,
        other_certs_to_pull=None,  # the chain, if the token holds it
    )
    try:
        with PKCS11SigningContext(config) as signer:
            yield signer
    except _PKCS11_PERMANENT as exc:
        # a wrong or locked PIN is never retried: every retry would count against the token's PIN tries
        raise SigningError(f"PKCS#11 token refused the login or key: {type(exc).__name__}: {exc}") from exc
    except PKCS11Error as exc:
        # token missing / device error: an HSM restarting is worth a retry
        raise SigningUnavailable(f"PKCS#11 token unavailable: {type(exc).__name__}: {exc}") from exc
    except PyhankoSigningError as exc:
        if isinstance(exc.__cause__, _PKCS11_PERMANENT):
            raise SigningError(str(exc)) from exc
        if isinstance(exc.__cause__, PKCS11Error):
            raise SigningUnavailable(str(exc)) from exc
        raise SigningError(str(exc)) from exc  # key or certificate not found: configuration


def sign_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    field_name: str = DEFAULT_FIELD_NAME,
) -> SignedDocument:
    """Sign `pdf` as PAdES (B-LTA, or B-T when validation data are unreachable). Pure function.

    Synchronous (workers call it); it runs its own event loop, so do not call it from async code.
    """
    config = signing_config()
    notes: list[str] = []
    times: list[datetime] = []
    with open_signer(config) as signer:
        signed, lt = _LOOP.run(
            _sign_async(pdf, signer, config, reason, location, field_name, notes, times),
            timeout=6 * config.tsa_timeout + 60,
        )
    level: Level = ("B-LTA" if config.pades_lta else "B-LT") if lt else "B-T"
    for note in notes:
        logger.warning("signing %s: %s", field_name, note)
    return SignedDocument(
        pdf=signed,
        level=level,
        sha256=hashlib.sha256(signed).hexdigest(),
        signed_at=times[0] if times else _signature_timestamp_time(signed, field_name),
        notes=tuple(notes),
    )


class _SigningLoop:
    """The process's event loop for signing, on a thread of its own.

    Every signature of the process runs on it, so they share one HTTP session (keep-alive
    connections to the TSA, OCSP and CRL services) and the revocation data fetched through it:
    the signer's and the TSA's OCSP responses, CRLs and CA certificates are fetched once per
    DOCUMENT_SIGNING_REVOCATION_CACHE_S seconds (default 300, 0: for every signature) instead
    of for every document. Restarted after a fork (dramatiq's worker processes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self.shared: _SharedFetchers | None = None  # touched only on the loop's thread
        self.closing: set[asyncio.Task] = set()  # replaced sessions being closed

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid() or not self._loop.is_running():
                loop = asyncio.new_event_loop()
                started = threading.Event()
                loop.call_soon(started.set)
                threading.Thread(target=loop.run_forever, name="document-signing-loop", daemon=True).start()
                started.wait(10)
                self._loop, self._pid, self.shared = loop, os.getpid(), None
            return self._loop

    def run(self, coroutine: Any, *, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._ensure())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise SigningUnavailable(f"signing did not finish within {timeout:.0f} s") from exc

    def reset(self) -> None:
        """Forget the shared session and revocation data (tests, or after changing trust services)."""
        loop = self._loop
        if loop is not None and self._pid == os.getpid() and loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._drop(), loop).result(10)
            except (concurrent.futures.TimeoutError, RuntimeError):
                self.shared = None

    async def _drop(self) -> None:
        shared, self.shared = self.shared, None
        if shared is not None:
            await shared.close()


@dataclass
class _SharedFetchers:
    key: tuple[Any, ...]
    session: aiohttp.ClientSession
    backend: Any
    fetchers: Any  # one Fetchers object: its OCSP/CRL/certificate caches are what is shared
    created: float

    async def close(self) -> None:
        await self.backend.close()
        await self.session.close()


_LOOP = _SigningLoop()
atexit.register(_LOOP.reset)  # close the shared session while the loop still runs


def reset_signing_state() -> None:
    _LOOP.reset()


async def _shared_fetchers(config: SigningConfig, *, fresh: bool = False) -> tuple[_SharedFetchers, bool]:
    """The loop's session and fetchers, renewed when older than the cache time or configured
    anew; the flag says whether they were just renewed (nothing cached)."""
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    ttl = float(getattr(settings, "DOCUMENT_SIGNING_REVOCATION_CACHE_S", 300))
    key = (config.tsa_url, config.tsa_timeout, config.dev_pki_url, tuple(c.sha256 for c in config.trust_roots))
    shared = _LOOP.shared
    if shared is not None and not fresh and shared.key == key and time.monotonic() - shared.created < ttl:
        return shared, False
    if shared is not None:
        # other signatures on this loop may still be using the old session: close it once the
        # longest a signature may take has passed, not under their feet
        _close_later(shared, delay=6 * config.tsa_timeout + 60)
    # on a shared TLS context: building a default context loads the CA bundle (~40 ms)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_ssl_context()))
    backend = AIOHttpFetcherBackend(session, per_request_timeout=config.tsa_timeout)
    shared = _LOOP.shared = _SharedFetchers(key, session, backend, backend.get_fetchers(), time.monotonic())
    return shared, True


def _close_later(shared: _SharedFetchers, *, delay: float) -> None:
    loop = asyncio.get_running_loop()
    tasks = _LOOP.closing  # strong references: a task only weakly held by the loop may vanish
    loop.call_later(delay, lambda: tasks.add(loop.create_task(shared.close())))
    for task in [task for task in tasks if task.done()]:
        tasks.discard(task)


async def _sign_async(
    pdf: bytes,
    signer: signers.Signer,
    config: SigningConfig,
    reason: str,
    location: str,
    field_name: str,
    notes: list[str],
    times: list[datetime],
) -> tuple[bytes, bool]:
    # runs as its own task on the signing loop: the context variables set here are this signature's
    timestamper = _timestamper(config)
    _token_times.set(times)
    fresh = False
    while True:
        shared, renewed = await _shared_fetchers(config, fresh=fresh)
        _session.set(shared.session)
        notes.clear()
        times.clear()  # the tokens of an abandoned attempt are not in the document
        context = await _reachable_validation_context(config, signer, shared.fetchers, notes)
        if context is None and not renewed:
            fresh = True  # cached revocation data no longer do: once more with nothing cached
            continue
        try:
            return await _sign(pdf, signer, timestamper, reason, location, field_name, context, config), bool(context)
        except _RevocationUnavailable as exc:
            if not renewed:
                fresh = True
                continue
            notes.append(f"validation data unreachable during signing ({exc}); signed as B-T")
            times.clear()
            return await _sign(pdf, signer, timestamper, reason, location, field_name, None, config), False


_ssl_context_lock = threading.Lock()
_ssl_contexts: list[ssl.SSLContext] = []


def _ssl_context() -> ssl.SSLContext:
    """The process's client TLS context (certifi roots, as pyhanko's default); SSLContext is thread-safe."""
    with _ssl_context_lock:
        if not _ssl_contexts:
            _ssl_contexts.append(ssl.create_default_context(cafile=certifi.where()))
        return _ssl_contexts[0]


# the aiohttp session of the signature being made (sessions belong to one event loop, and every
# sign_pdf call runs its own loop; a context variable keeps concurrent threads apart)
_session: contextvars.ContextVar[aiohttp.ClientSession | None] = contextvars.ContextVar(
    "document_signing_session", default=None
)


# genTime of every real (not size-estimating) timestamp token received for the signature being
# made, in order: the first is the signature timestamp, the next the document timestamp
_token_times: contextvars.ContextVar[list[datetime] | None] = contextvars.ContextVar(
    "document_signing_token_times", default=None
)


class _SessionTimeStamper(HTTPTimeStamper):
    """HTTPTimeStamper that uses the current signature's session instead of opening its own,
    and notes the time of each token (reading it back from the signed PDF costs a full parse)."""

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> Any:
        token = await super().async_timestamp(message_digest, md_algorithm)
        times = _token_times.get()
        if times is not None and message_digest != dummy_digest(md_algorithm):
            times.append(token["content"]["encap_content_info"]["content"].parsed["gen_time"].native)
        return token

    @asynccontextmanager
    async def _acquire_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        session = _session.get()
        if session is None or session.closed:
            async with super()._acquire_session() as own:
                yield own
        else:
            yield session


_timestampers: dict[tuple[str, float, tuple[str, str] | None], HTTPTimeStamper] = {}
_timestampers_lock = threading.Lock()


def _timestamper(config: SigningConfig) -> HTTPTimeStamper:
    # one per TSA and process: pyhanko caches the dummy response it uses to size the
    # signature container, which saves a TSA round trip on every signature after the first
    key = (config.tsa_url, config.tsa_timeout, config.tsa_auth)
    with _timestampers_lock:
        if key not in _timestampers:
            _timestampers[key] = _SessionTimeStamper(config.tsa_url, timeout=config.tsa_timeout, auth=config.tsa_auth)
        return _timestampers[key]


class _RevocationUnavailable(Exception):
    pass


_FETCH_ERRORS = (CRLFetchError, OCSPFetchError, aiohttp.ClientError, TimeoutError, OSError)


async def _reachable_validation_context(
    config: SigningConfig, signer: signers.Signer, fetchers: Any, notes: list[str]
) -> ValidationContext | None:
    """A hard-fail context with the signer's revocation data already fetched, or None (→ B-T)."""
    from pyhanko_certvalidator import CertificateValidator

    if signer.signing_cert is None:
        raise SigningError("the signer has no certificate")
    context = ValidationContext(
        trust_roots=list(config.trust_roots),
        other_certs=list(signer.cert_registry),
        allow_fetching=True,
        revocation_mode="hard-fail",
        fetchers=fetchers,
    )
    validator = CertificateValidator(signer.signing_cert, validation_context=context)
    try:
        await validator.async_validate_usage(key_usage={"non_repudiation"})
    except RevokedError as exc:
        raise SigningError(f"the signing certificate is revoked: {exc}") from exc
    except PathBuildingError as exc:
        raise SigningError(f"the signing certificate does not chain to a trusted root: {exc}") from exc
    except (PathValidationError, ValidationError, *_FETCH_ERRORS) as exc:
        notes.append(f"validation data unreachable ({type(exc).__name__}: {exc}); signed as B-T")
        return None
    return context


def _is_revoked(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, RevokedError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


async def _sign(
    pdf: bytes,
    signer: signers.Signer,
    timestamper: HTTPTimeStamper,
    reason: str,
    location: str,
    field_name: str,
    validation_context: ValidationContext | None,
    config: SigningConfig,
) -> bytes:
    lt = validation_context is not None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=lt,
        use_pades_lta=lt and config.pades_lta,
        validation_context=validation_context,
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError) as exc:
        raise SigningError(f"not a readable PDF: {exc}") from exc
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper)
    try:
        output = await pdf_signer.async_sign_pdf(writer)
    except TimestampRequestError as exc:
        raise SigningUnavailable(f"timestamp authority unavailable: {exc}") from exc
    except (PathValidationError, ValidationError, CRLFetchError, OCSPFetchError) as exc:
        if lt and not _is_revoked(exc):
            raise _RevocationUnavailable(f"{type(exc).__name__}: {exc}") from exc
        raise SigningError(f"certificate validation failed: {exc}") from exc
    except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
        raise SigningUnavailable(f"timestamp authority unreachable: {type(exc).__name__}: {exc}") from exc
    except PyhankoSigningError as exc:
        if lt and isinstance(exc.__cause__, (PathValidationError, ValidationError, CRLFetchError, OCSPFetchError)):
            raise _RevocationUnavailable(str(exc)) from exc
        raise SigningError(str(exc)) from exc
    return output.getvalue()


def signature_timestamp(signer_info: Any) -> tuple[datetime, x509.Certificate | None] | None:
    """(genTime, TSA certificate) of the RFC 3161 signature timestamp in a CMS SignerInfo, or None."""
    unsigned = signer_info["unsigned_attrs"]
    if not unsigned or unsigned.native is None:
        return None
    for attribute in unsigned:
        if attribute["type"].native != "signature_time_stamp_token":
            continue
        signed_data = attribute["values"][0]["content"]
        tst_info = signed_data["encap_content_info"]["content"].parsed
        tsa_sid = signed_data["signer_infos"][0]["sid"].chosen
        tsa_cert = None
        for choice in signed_data["certificates"] or ():
            cert = choice.chosen
            if isinstance(cert, x509.Certificate) and cert.issuer_serial == _issuer_serial(tsa_sid):
                tsa_cert = cert
        return tst_info["gen_time"].native, tsa_cert
    return None


def _issuer_serial(sid: Any) -> bytes | None:
    try:
        return sid["issuer"].sha256 + b":" + str(sid["serial_number"].native).encode()
    except (KeyError, TypeError):
        return None


def _signature_timestamp_time(pdf: bytes, field_name: str) -> datetime:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    for embedded in reader.embedded_regular_signatures:
        if embedded.field_name == field_name:
            found = signature_timestamp(embedded.signer_info)
            if found is None:
                break
            return found[0]
    raise SigningError("the signature carries no timestamp")
