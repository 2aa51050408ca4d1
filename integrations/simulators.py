"""Start every outside-system simulator of the dev stack in one process.

    python -m integrations.simulators

registry   http://127.0.0.1:8101   (REGISTRY_SIM_PORT; token REGISTRY_TOKEN)
facebook   http://127.0.0.1:8102   (FACEBOOK_SIM_PORT; FACEBOOK_APP_ID / FACEBOOK_APP_SECRET)
parking    http://127.0.0.1:8103   (PARKING_SIM_PORT; token PARKING_TOKEN)
filing     http://127.0.0.1:8104   (FILING_SIM_PORT; token FILING_TOKEN)
tsa        http://127.0.0.1:8105   (TSA_SIM_PORT; timestamps, OCSP, CRLs of the dev PKI under PKI_DIR)
card       http://127.0.0.1:8106   (CARD_SIM_PORT; CARD_GATEWAY_MERCHANT / CARD_GATEWAY_SECRET; IPNs to
                                    PUBLIC_URL + /api/v1/payments/card/notifications/)
nav        http://127.0.0.1:8107   (NAV_SIM_PORT; NAV Online Számla v3 at /invoiceService/v3, user NAV_LOGIN…)
mail sink  smtp://127.0.0.1:8025   (MAIL_SINK_PORT; files under MAIL_SINK_DIR, default .data/mail)

SIMULATORS_HOST changes the bind address of all of them. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from integrations.cardgateway import simulator as card
from integrations.cardgateway.contract import PORTAL_NOTIFICATION_PATH
from integrations.facebook import simulator as facebook
from integrations.filing import simulator as filing
from integrations.mail import sink
from integrations.nav import simulator as nav
from integrations.parking import simulator as parking
from integrations.registry import simulator as registry
from integrations.simkit import serial_start_from_clock
from integrations.tsa import simulator as tsa


def main() -> int:
    host = os.environ.get("SIMULATORS_HOST", "127.0.0.1")
    registry_server, registry_url = registry.start_in_thread(
        host,
        int(os.environ.get("REGISTRY_SIM_PORT", "8101")),
        token=os.environ.get("REGISTRY_TOKEN", registry.DEFAULT_TOKEN),
        faults=registry.faults_from_env(),
    )
    facebook_server, facebook_url = facebook.start_in_thread(
        host,
        int(os.environ.get("FACEBOOK_SIM_PORT", "8102")),
        app_id=os.environ.get("FACEBOOK_APP_ID", facebook.DEFAULT_APP_ID),
        app_secret=os.environ.get("FACEBOOK_APP_SECRET", facebook.DEFAULT_APP_SECRET),
        redirect_hosts=facebook.redirect_hosts_from_env(),
    )
    parking_server, parking_url = parking.start_in_thread(
        host,
        int(os.environ.get("PARKING_SIM_PORT", "8103")),
        token=os.environ.get("PARKING_TOKEN", parking.DEFAULT_TOKEN),
        faults=parking.faults_from_env(),
        first_serial=serial_start_from_clock(),
    )
    filing_server, filing_url = filing.start_in_thread(
        host,
        int(os.environ.get("FILING_SIM_PORT", "8104")),
        token=os.environ.get("FILING_TOKEN", filing.DEFAULT_TOKEN),
        faults=filing.faults_from_env(),
        first_main_number=serial_start_from_clock(),
    )
    try:
        tsa_server, tsa_url = tsa.start_in_thread(
            host,
            int(os.environ.get("TSA_SIM_PORT", "8105")),
            public_url=os.environ.get("TSA_SIM_PUBLIC_URL"),  # = DEV_PKI_URL; the certificates carry it
            faults=tsa.faults_from_env(),
        )
    except (
        OSError,
        SystemExit,
    ) as exc:  # werkzeug exits on a taken port; port taken, e.g. by another stack's TSA serving the same PKI_DIR: not fatal
        tsa_server, tsa_url = None, f"not started ({exc})"
    public_url = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    try:
        card_server, card_url = card.start_in_thread(
            host,
            int(os.environ.get("CARD_SIM_PORT", str(card.DEFAULT_PORT))),
            merchant=os.environ.get("CARD_GATEWAY_MERCHANT", card.DEFAULT_MERCHANT),
            secret=os.environ.get("CARD_GATEWAY_SECRET", card.DEFAULT_SECRET),
            # the merchant account's IPN URL, as it is registered at a real gateway
            ipn_url=public_url + PORTAL_NOTIFICATION_PATH,
            faults=card.faults_from_env(),
            first_transaction_id=card.first_transaction_id_from_clock(),
        )
    except OSError as exc:  # port taken (another stack's simulator): card payments fail, the rest works
        card_server, card_url = None, f"not started ({exc})"
    try:
        nav_server, nav_url = nav.start_in_thread(
            host,
            int(os.environ.get("NAV_SIM_PORT", "8107")),
            faults=nav.faults_from_env(),
            processing_polls=1,  # like NAV: the first status query finds it still processing
            **nav.credentials_from_env(),
        )
    except OSError as exc:  # port taken (another stack's simulator): invoices wait to be reported, the rest works
        nav_server, nav_url = None, f"not started ({exc})"
    mail_dir = sink.default_directory()
    mail_controller, (mail_host, mail_port) = sink.start_in_thread(
        mail_dir, host, int(os.environ.get("MAIL_SINK_PORT", str(sink.DEFAULT_PORT)))
    )
    print(f"registry simulator: {registry_url}", flush=True)
    print(f"facebook simulator: {facebook_url}/v19.0/dialog/oauth (Graph API {facebook_url}/v19.0)", flush=True)
    print(f"parking simulator: {parking_url}", flush=True)
    print(f"filing simulator: {filing_url}", flush=True)
    tsa_endpoint = f"{tsa_url}/{tsa.ARCH}/tsa/tsa (OCSP, CRLs beside it)" if tsa_server else tsa_url
    print(f"TSA simulator: {tsa_endpoint}", flush=True)
    print(f"card gateway simulator: {card_url}", flush=True)
    print(f"NAV Online Számla simulator: {nav_url}", flush=True)
    print(f"mail sink: smtp://{mail_host}:{mail_port} -> {mail_dir}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    for server in (
        registry_server,
        facebook_server,
        parking_server,
        filing_server,
        tsa_server,
        card_server,
        nav_server,
    ):
        if server is None:
            continue
        server.shutdown()
        server.server_close()
    mail_controller.stop()
    print("simulators stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
