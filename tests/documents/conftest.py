"""Fixtures of the documents tests: a dev PKI per test session, the TSA simulator, rendered decisions.

These tests need no database. The simulator runs on a free port and the PKI is derived for
that URL (the keys and the root are shared), see integrations/tsa/pki.py.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from eservices.documents.render import decision_pdf
from tests.documents.samples import granted_decision, refused_decision


def set_faults(server, **faults):
    request = urllib.request.Request(f"{server.base_url}/_sim/faults", data=json.dumps(faults).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def sim_stats(server):
    with urllib.request.urlopen(f"{server.base_url}/_sim/stats", timeout=5) as response:
        return json.load(response)


@pytest.fixture(scope="session")
def granted_pdf():
    return decision_pdf(granted_decision())


@pytest.fixture(scope="session")
def refused_pdf():
    return decision_pdf(refused_decision())
