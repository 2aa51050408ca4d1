"""The dev PKI and the TSA/OCSP/CRL simulator (integrations/tsa)."""

from __future__ import annotations

import json
import multiprocessing
import urllib.error
import urllib.request

import pytest
from asn1crypto import crl, tsp

from integrations.tsa.pki import ensure_dev_pki
from tests.documents.conftest import set_faults, sim_stats


def _root_bytes(directory: str) -> bytes:
    return ensure_dev_pki(directory, "http://127.0.0.1:8105").root_cert.dump()


def test_ensure_dev_pki_is_idempotent_and_safe_across_processes(tmp_path):
    # given three processes creating the same PKI at once
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        roots = pool.map(_root_bytes, [str(tmp_path)] * 3)
    # then they all see one and the same root, and a later call generates nothing new
    assert len(set(roots)) == 1
    keys_before = {path.name: path.read_bytes() for path in (tmp_path / "keys").iterdir()}
    assert ensure_dev_pki(tmp_path, "http://127.0.0.1:8105").root_cert.dump() == roots[0]
    assert {path.name: path.read_bytes() for path in (tmp_path / "keys").iterdir()} == keys_before
    assert all((tmp_path / "keys" / name).stat().st_mode & 0o077 == 0 for name in keys_before)


def test_certificates_point_at_the_simulator_and_the_root_is_shared(pki_dir):
    one = ensure_dev_pki(pki_dir, "http://127.0.0.1:8105")
    other = ensure_dev_pki(pki_dir, "http://127.0.0.1:9999")
    assert one.root_cert.dump() == other.root_cert.dump()
    assert one.root_cert_path.read_bytes() == other.root_cert_path.read_bytes()
    assert one.authority_cert.ocsp_urls == ["http://127.0.0.1:8105/hegyvidek-dev/ocsp/interm"]
    assert other.authority_cert.crl_distribution_points[0].url == (
        "http://127.0.0.1:9999/hegyvidek-dev/crls/interm/latest.crl"
    )
    assert one.authority_cert.subject.native["organization_name"] == (
        "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat"
    )
    assert one.authority_cert.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert one.cert("tsa").extended_key_usage_value.native == ["time_stamping"]
    assert one.root_cert.subject.native["common_name"] == "Hegyvidék e-Portál fejlesztői gyökér-CA"


def _post(url: str, body: bytes, content_type: str) -> bytes:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def _timestamp_request() -> bytes:
    return tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x00" * 32},
            "cert_req": True,
        }
    ).dump()


def test_simulator_serves_rfc3161_and_crls_and_injects_faults(tsa_sim):
    base = tsa_sim.base_url
    # a timestamp request is granted
    response = tsp.TimeStampResp.load(
        _post(f"{base}/hegyvidek-dev/tsa/tsa", _timestamp_request(), "application/timestamp-query")
    )
    assert response["status"]["status"].native == "granted"
    # the CRL of the intermediate CA is served
    with urllib.request.urlopen(f"{base}/hegyvidek-dev/crls/interm/latest.crl", timeout=5) as crl_response:
        assert crl.CertificateList.load(crl_response.read())["tbs_cert_list"]["revoked_certificates"].native in (
            None,
            [],
        )
    # with the TSA switched off the endpoint answers 503, the CRL still works
    set_faults(tsa_sim, tsa_down=True)
    with pytest.raises(urllib.error.HTTPError) as error:
        _post(f"{base}/hegyvidek-dev/tsa/tsa", _timestamp_request(), "application/timestamp-query")
    assert error.value.code == 503
    assert sim_stats(tsa_sim)["calls"] == {"tsa": 2, "ocsp": 0, "crl": 1, "cert": 0}
    # bad fault values are refused, reset clears everything
    with pytest.raises(urllib.error.HTTPError) as error:
        set_faults(tsa_sim, latency_ms=-1)
    assert error.value.code == 400
    _post(f"{base}/_sim/reset", b"", "application/json")
    stats = sim_stats(tsa_sim)
    assert stats["calls"]["tsa"] == 0 and stats["faults"]["tsa_down"] is False
    assert json.loads(_post(f"{base}/_sim/faults", b"{}", "application/json"))["faults"]["down"] is False
