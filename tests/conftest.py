from __future__ import annotations

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from rest_framework.test import APIClient

from tests.factories import PASSWORD, ResidentProfileFactory, UserFactory, staff_user

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # the manifest needs `collectstatic`; tests render admin pages without it
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def api_client():
    return APIClient(enforce_csrf_checks=True)


@pytest.fixture
def resident(db):
    return ResidentProfileFactory()


@pytest.fixture
def other_resident(db):
    return ResidentProfileFactory(user=UserFactory(), family_name="Nagy", given_names="Péter")


def login_staff_with_mfa(client, user):
    """Sign a staff member in the way they do it: password, then a TOTP code."""
    TOTP.activate(user, TOTP_SECRET)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/authenticate/"), response
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def clerk(db):
    return staff_user(role="clerk", email="clerk@hegyvidek.example")


@pytest.fixture
def editor(db):
    return staff_user(role="editor", email="editor@hegyvidek.example")


@pytest.fixture
def clerk_client(client, clerk):
    return login_staff_with_mfa(client, clerk)


@pytest.fixture
def registry_sim(settings):
    """The person-and-address registry simulator on a free loopback port."""
    from integrations.registry.simulator import start_in_thread

    server, base_url = start_in_thread()
    settings.REGISTRY_URL = base_url
    settings.REGISTRY_TIMEOUT_S = 1.0
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def broker():
    import dramatiq

    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


@pytest.fixture
def worker(broker):
    import dramatiq

    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def mail_sink(settings, tmp_path):
    """The SMTP sink on a free port; Django sends real SMTP to it."""
    from integrations.mail.sink import start_in_thread

    directory = tmp_path / "mail"
    directory.mkdir()
    controller, (host, port) = start_in_thread(directory)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    yield directory
    controller.stop()


@pytest.fixture
def facebook_sim():
    """The Facebook simulator on the port the settings were pointed at (tests/pytest_env.py)."""
    import os

    from integrations.facebook.simulator import start_in_thread

    server, base_url = start_in_thread(port=int(os.environ["FACEBOOK_SIM_PORT"]))
    yield base_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture
def tsa_sim(settings, pki_dir):
    """The TSA/OCSP/CRL simulator on a free loopback port; the dev signer is pointed at it."""
    from eservices.documents.signing import reset_signing_state
    from integrations.tsa.simulator import start_in_thread

    reset_signing_state()  # no session or revocation data of another test's simulator
    from backend.stackkit import free_port

    # a port below the ephemeral range: a test restarting the TSA gets the same port back
    server, base_url = start_in_thread("127.0.0.1", free_port(), pki_dir=pki_dir)
    settings.PKI_DIR = pki_dir
    settings.DEV_PKI_URL = base_url
    settings.DOCUMENT_SIGNING_BACKEND = "dev"
    settings.TSA_URL = None
    settings.TSA_TIMEOUT_S = 3.0
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def parking_sim(settings):
    from integrations.parking.simulator import start_in_thread

    server, base_url = start_in_thread()
    settings.PARKING_URL = base_url
    settings.PARKING_TIMEOUT_S = 1.0
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def filing_sim(settings):
    from integrations.filing.simulator import start_in_thread

    server, base_url = start_in_thread()
    settings.FILING_URL = base_url
    settings.FILING_TIMEOUT_S = 1.0
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def card_gateway_sim(settings):
    """The card gateway simulator on a free loopback port, with the settings' merchant account.
    It sends no IPN until a test gives it a URL (`POST /_sim/config {"ipn_url"}`)."""
    from integrations.cardgateway.simulator import start_in_thread

    server, base_url = start_in_thread(merchant=settings.CARD_GATEWAY_MERCHANT, secret=settings.CARD_GATEWAY_SECRET)
    settings.CARD_GATEWAY_URL = base_url
    settings.CARD_GATEWAY_TIMEOUT_S = 1.0
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def outside_systems(registry_sim, parking_sim, filing_sim, tsa_sim, mail_sink):
    """Every outside system a case talks to, as real HTTP services on loopback."""
    return {"registry": registry_sim, "parking": parking_sim, "filing": filing_sim, "tsa": tsa_sim, "mail": mail_sink}


@pytest.fixture
def parking_service(db):
    """The parking-permit service type. Its migration creates it, but a transactional test's
    flush empties every table for the tests after it."""
    from eservices.cases.models import ServiceType

    service, _ = ServiceType.objects.update_or_create(
        code="parking_permit",
        defaults={
            "name_hu": "Lakossági várakozási hozzájárulás",
            "name_en": "Residential parking permit",
            "rules_module": "eservices.servicetypes.parking_permit",
            "fee_huf": 0,
            "filing_classification": "B/12",
            "validity_days": 365,
        },
    )
    return service


@pytest.fixture
def additional_vehicle_service(parking_service):
    """The permit for a further vehicle, for a fee (its migration creates it; flushed tables lose it)."""
    from eservices.cases.models import ServiceType

    service, _ = ServiceType.objects.update_or_create(
        code="parking_permit_additional",
        defaults={
            "name_hu": "Lakossági várakozási hozzájárulás további gépjárműre",
            "name_en": "Residential parking permit for a further vehicle",
            "rules_module": "eservices.servicetypes.additional_vehicle_permit",
            "fee_huf": 24000,
            "filing_classification": "B/12",
            "validity_days": 365,
        },
    )
    return service


@pytest.fixture
def nav_sim(settings):
    """The NAV Online Számla simulator on a free loopback port, with the settings' technical user."""
    from integrations.nav.simulator import start_in_thread

    server, base_url = start_in_thread(
        login=settings.NAV_LOGIN,
        password=settings.NAV_PASSWORD,
        sign_key=settings.NAV_SIGN_KEY,
        exchange_key=settings.NAV_EXCHANGE_KEY,
        tax_number=settings.NAV_TAX_NUMBER,
    )
    settings.NAV_URL = base_url
    settings.NAV_TIMEOUT_S = 2.0
    settings.NAV_REPORTING_ENABLED = True
    yield server
    server.shutdown()
    server.server_close()
