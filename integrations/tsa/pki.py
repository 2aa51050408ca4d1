"""The development PKI: root CA, intermediate CA, OCSP responder, TSA and the authority's seal.

Described in `dev-pki.yml` (certomancer). `ensure_dev_pki()` generates the private keys once
under PKI_DIR (default `.data/pki/`, never committed) and derives the certificates from the
configuration; it is idempotent and safe when several processes (web, worker, simulator,
tests) call it at the same time: key generation runs under an exclusive file lock and every
file is written atomically.

Certificates carry the OCSP/CRL/CA-issuer URLs of the TSA simulator (`base_url`), so the
certificates depend on that URL while the keys do not. The root carries no URL: the trust
anchor `root-ca.pem` is the same for every base URL, which lets tests run a simulator on a
free port (their own certificate set) while the dev stack keeps http://127.0.0.1:8105.

No Django here: the simulator runs stand-alone.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from asn1crypto import pem, x509
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CONFIG_PATH = Path(__file__).with_name("dev-pki.yml")
ARCH = "hegyvidek-dev"
DEFAULT_PORT = 8105
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
KEY_LABELS = ("root", "interm", "ocsp", "tsa", "authority")
KEY_FILES = {
    "root": "root-ca.key.pem",
    "interm": "intermediate-ca.key.pem",
    "ocsp": "ocsp.key.pem",
    "tsa": "tsa.key.pem",
    "authority": "authority.key.pem",
}
RSA_BITS = 2048  # dev only; production keys come from PKCS#12 or PKCS#11


def default_pki_dir() -> Path:
    """PKI_DIR, else DATA_DIR/pki, else <repo>/.data/pki (the same default as the settings)."""
    if os.environ.get("PKI_DIR"):
        return Path(os.environ["PKI_DIR"])
    data_dir = os.environ.get("DATA_DIR") or Path(__file__).resolve().parents[2] / ".data"
    return Path(data_dir) / "pki"


@dataclass(frozen=True)
class DevPki:
    """One derivation of the dev PKI: its files on disk and the live certomancer architecture."""

    directory: Path
    base_url: str
    root_cert_path: Path  # the trust anchor; identical for every base_url
    authority_key_path: Path  # PKCS#8 PEM, unencrypted (dev only)
    authority_cert_path: Path
    chain_path: Path  # intermediate CA certificate (PEM), the signer's chain without the root
    architecture: PKIArchitecture = field(repr=False, compare=False)

    def cert(self, label: str) -> x509.Certificate:
        return self.architecture.get_cert(CertLabel(label))

    @property
    def root_cert(self) -> x509.Certificate:
        return self.cert("root")

    @property
    def authority_cert(self) -> x509.Certificate:
        return self.cert("authority")

    @property
    def intermediate_cert(self) -> x509.Certificate:
        return self.cert("interm")

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/{ARCH}/ocsp/interm"

    def crl_url(self, issuer: str = "interm") -> str:
        return f"{self.base_url}/{ARCH}/crls/{issuer}/latest.crl"

    def export_pkcs12(self, path: Path, password: bytes) -> Path:
        """Write the authority's key, certificate and chain as a PKCS#12 file (for the pkcs12 signer)."""
        data = self.architecture.package_pkcs12(CertLabel("authority"), password=password)
        _write_atomic(path, data, mode=0o600)
        return path


_cache: dict[tuple[str, str], DevPki] = {}
_cache_lock = threading.Lock()


def ensure_dev_pki(pki_dir: Path | str | None = None, base_url: str | None = None) -> DevPki:
    """Return the dev PKI for `base_url` (default http://127.0.0.1:8105), creating keys on first use."""
    directory = Path(pki_dir) if pki_dir else default_pki_dir()
    base_url = (base_url or os.environ.get("DEV_PKI_URL") or DEFAULT_BASE_URL).rstrip("/")
    cache_key = (str(directory.resolve()), base_url)
    with _cache_lock:
        if cache_key in _cache:
            return _cache[cache_key]
        _ensure_keys(directory)
        pki = _derive(directory, base_url)
        _cache[cache_key] = pki
        return pki


def load_architecture(pki_dir: Path | str | None = None, base_url: str | None = None) -> PKIArchitecture:
    return ensure_dev_pki(pki_dir, base_url).architecture


@contextmanager
def _exclusive_lock(directory: Path):
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a+b") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _ensure_keys(directory: Path) -> None:
    key_dir = directory / "keys"
    if all((key_dir / name).exists() for name in KEY_FILES.values()):
        return
    with _exclusive_lock(directory):
        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in KEY_FILES.values():
            path = key_dir / name
            if path.exists():  # another process won the race
                continue
            key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
            data = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_atomic(path, data, mode=0o600)


def _derive(directory: Path, base_url: str) -> DevPki:
    with open(CONFIG_PATH, encoding="utf-8") as config_file:
        config = yaml.safe_load(config_file)
    config["external-url-prefix"] = base_url
    config["keysets"][ARCH]["path-prefix"] = str(directory / "keys")
    certomancer = CertomancerConfig(config, key_search_dir=str(directory), external_url_prefix=base_url)
    arch = certomancer.get_pki_arch(ArchLabel(ARCH))

    root_path = directory / "root-ca.pem"
    _write_if_changed(root_path, pem.armor("CERTIFICATE", arch.get_cert(CertLabel("root")).dump()))
    cert_dir = directory / "certs" / _slug(base_url)
    authority_cert_path = cert_dir / "authority.pem"
    chain_path = cert_dir / "chain.pem"
    _write_if_changed(authority_cert_path, pem.armor("CERTIFICATE", arch.get_cert(CertLabel("authority")).dump()))
    _write_if_changed(chain_path, pem.armor("CERTIFICATE", arch.get_cert(CertLabel("interm")).dump()))
    for label in ("interm", "tsa", "ocsp"):
        _write_if_changed(cert_dir / f"{label}.pem", pem.armor("CERTIFICATE", arch.get_cert(CertLabel(label)).dump()))
    return DevPki(
        directory=directory,
        base_url=base_url,
        root_cert_path=root_path,
        authority_key_path=directory / "keys" / KEY_FILES["authority"],
        authority_cert_path=authority_cert_path,
        chain_path=chain_path,
        architecture=arch,
    )


def _slug(base_url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", base_url.split("://", 1)[-1]).strip("-") or "default"


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    _write_atomic(path, data, mode=0o644)


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
