"""Parking-permit pipeline under load: submissions through the resident API, real dramatiq
worker threads, every outside system a real HTTP simulator, decisions signed and timestamped.

Creates --n identified residents (registry people who own a car) in a throw-away test
database, submits one application each at --rate per second through POST /api/v1/cases/,
waits until every case is decided, writes the signed decisions to --out, and prints:
throughput (decisions/s), submit→signed-decision latency (p50/p95), time per pipeline step,
and a last line `RESULT permit_pipeline decisions_per_s=… p95_s=…`.

    .venv/bin/python benchmarks/permit_pipeline.py --n 500 --rate 1 --out /tmp/decisions
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "nZfC0a4W9m2r3nyw6XB1y0S8vJm1u2cKk8pQ0Qd9Q8Y=")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("DRAMATIQ_INPROCESS_WORKER", "0")
os.environ.setdefault("DOCUMENT_SIGNING_BACKEND", "dev")
os.environ.pop("REDIS_URL", None)
os.environ.pop("AMQP_URL", None)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="applications (default 500)")
    parser.add_argument("--rate", type=float, default=1.0, help="submissions per second (default 1)")
    parser.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument("--out", type=Path, default=Path(".data/bench-decisions"), help="where decisions go")
    args = parser.parse_args()

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        run(args)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(args) -> None:  # noqa: PLR0915 - a benchmark reads best top to bottom
    import tempfile

    import dramatiq
    from django.conf import settings
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from eservices.cases.models import Case, CaseEvent, Step
    from eservices.models import IdentificationStatus, ResidentProfile, User
    from integrations.filing.simulator import start_in_thread as filing_sim
    from integrations.mail.sink import start_in_thread as mail_sink
    from integrations.parking.simulator import start_in_thread as parking_sim
    from integrations.registry.client import RegistryClient
    from integrations.registry.population import build_population
    from integrations.registry.simulator import start_in_thread as registry_sim
    from integrations.tsa.simulator import start_in_thread as tsa_sim

    call_command("createcachetable", verbosity=0)
    work = Path(tempfile.mkdtemp(prefix="permit-bench-"))
    servers = []
    server, settings.REGISTRY_URL = registry_sim()
    servers.append(server)
    server, settings.PARKING_URL = parking_sim()
    servers.append(server)
    server, settings.FILING_URL = filing_sim()
    servers.append(server)
    settings.PKI_DIR = work / "pki"
    server, settings.DEV_PKI_URL = tsa_sim(pki_dir=settings.PKI_DIR)
    servers.append(server)
    controller, (settings.EMAIL_HOST, settings.EMAIL_PORT) = mail_sink(work / "mail")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    registry = RegistryClient.from_settings()
    people = []
    for person in build_population().values():
        if person.document_status != "valid":
            continue
        cars = [v for v in registry.vehicles_by_owner(person_id=person.person_id) if v.status == "active"]
        if cars:
            people.append((person, cars[0].plate))
    people = (people * (args.n // max(1, len(people)) + 1))[: args.n]
    clients = []
    for index, (person, plate) in enumerate(people):
        user = User.objects.create_user(email=f"bench{index}@example.hu", password=None)
        ResidentProfile.objects.create(
            user=user,
            family_name=person.family_name,
            given_names=person.given_names,
            identification_status=IdentificationStatus.VERIFIED,
            registry_person_id=person.person_id,
        )
        client = APIClient()
        client.force_authenticate(user=user)
        clients.append((client, plate))

    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=args.threads, worker_timeout=100)
    worker.start()
    started = time.monotonic()
    try:
        interval = 1.0 / args.rate if args.rate > 0 else 0.0
        for index, (client, plate) in enumerate(clients):
            due = started + index * interval
            time.sleep(max(0.0, due - time.monotonic()))
            response = client.post("/api/v1/cases/", {"service": "parking_permit", "plate": plate}, format="json")
            if response.status_code != 201:
                raise SystemExit(f"submission {index} failed: {response.status_code} {response.content[:200]!r}")
        while Case.objects.exclude(step=Step.DONE).exclude(status="failed").exists():
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        worker.stop()
        for server in servers:
            server.shutdown()
        controller.stop()

    cases = list(Case.objects.order_by("submitted_at"))
    args.out.mkdir(parents=True, exist_ok=True)
    latencies, stage_times = [], {}
    for case in cases:
        if case.decision_pdf:
            (args.out / f"{case.reference}.pdf").write_bytes(bytes(case.decision_pdf))
        events = list(case.events.filter(kind=CaseEvent.Kind.STEP_DONE).order_by("at", "id"))
        previous = case.submitted_at
        for event in events:
            stage_times.setdefault(event.step, []).append((event.at - previous).total_seconds())
            previous = event.at
            if event.step == Step.SIGN:
                latencies.append((event.at - case.submitted_at).total_seconds())
    failed = sum(1 for case in cases if case.status == "failed")
    decided = len(cases) - failed
    throughput = decided / elapsed

    print(
        f"applications {len(cases)}  decided {decided}  failed {failed}  in {elapsed:.1f} s "
        f"(rate {args.rate}/s, {args.threads} worker threads)"
    )
    print(f"{'stage':<20}{'p50 s':>10}{'p95 s':>10}")
    for step in [s for s in Step.values if s in stage_times]:
        values = stage_times[step]
        print(f"{step:<20}{statistics.median(values):>10.3f}{percentile(values, 0.95):>10.3f}")
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    print(f"{'submit→signed':<20}{p50:>10.3f}{p95:>10.3f}")
    print(f"decisions written to {args.out}")
    print(f"RESULT permit_pipeline decisions_per_s={throughput:.2f} p95_s={p95:.2f}")


if __name__ == "__main__":
    main()
