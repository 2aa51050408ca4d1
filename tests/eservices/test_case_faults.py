"""Fault test: many cases, worker processes killed at random steps and restarted, outside
systems failing a share of their calls. Every case must end decided, with no duplicate
permit, filing number or signature (counted in the simulators)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from eservices.cases import services
from eservices.cases.models import Case, CaseStatus, Step
from eservices.models import IdentificationStatus
from integrations.registry.population import build_population
from tests.factories import ResidentProfileFactory, UserFactory

CASES = 12
WORKERS = 2
DEADLINE_S = 150


def sim_faults(server, **faults):
    request = urllib.request.Request(
        f"{server.base_url}/_sim/faults",
        data=json.dumps(faults).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=5).close()


def sim_stats(server) -> dict:
    with urllib.request.urlopen(f"{server.base_url}/_sim/stats", timeout=5) as response:
        return json.load(response)


def applicants(count: int):
    """Registry people who own an active car: some will be granted, some refused."""
    people = [p for p in build_population().values() if p.document_status == "valid"]
    chosen = []
    from integrations.registry.client import RegistryClient

    client = RegistryClient.from_settings()
    seen = set()
    for person in people:
        if person.person_id in seen:
            continue
        seen.add(person.person_id)
        cars = [v for v in client.vehicles_by_owner(person_id=person.person_id) if v.status == "active"]
        if cars:
            chosen.append((person, cars[0].plate))
        if len(chosen) == count:
            return chosen
    raise AssertionError("the registry population has too few car owners")


def worker_env(settings) -> dict:
    connection.ensure_connection()
    info = connection.connection.info  # the test database, as this process reached it
    password = connection.settings_dict.get("PASSWORD") or ""
    if info.host.startswith("/"):  # the embedded server's socket directory
        url = f"postgres://{info.user}:{password}@/{info.dbname}?host={info.host}&port={info.port}"
    else:
        url = f"postgres://{info.user}:{password}@{info.host}:{info.port}/{info.dbname}"
    return {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": url,
        "REGISTRY_URL": settings.REGISTRY_URL,
        "PARKING_URL": settings.PARKING_URL,
        "FILING_URL": settings.FILING_URL,
        "DEV_PKI_URL": settings.DEV_PKI_URL,
        "PKI_DIR": str(settings.PKI_DIR),
        "DOCUMENT_SIGNING_BACKEND": "dev",
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "REGISTRY_TIMEOUT_S": "1",
        "PARKING_TIMEOUT_S": "1",
        "FILING_TIMEOUT_S": "1",
    }


@pytest.mark.django_db(transaction=True)
def test_killed_workers_and_failing_systems_leave_every_case_decided_once(
    settings, outside_systems, broker, parking_service
):
    # given a dozen applications from identified residents
    for person, plate in applicants(CASES):
        profile = ResidentProfileFactory(
            user=UserFactory(),
            family_name=person.family_name,
            given_names=person.given_names,
            identification_status=IdentificationStatus.VERIFIED,
            registry_person_id=person.person_id,
        )
        services.case_submit(applicant=profile, service_code="parking_permit", data={"plate": plate})
    broker.flush_all()  # the worker processes below do the work
    # and outside systems that fail a fifth of their calls
    for name in ("registry", "parking", "filing"):
        sim_faults(outside_systems[name], error_rate=0.2)

    # when worker processes run and are killed at random moments, then restarted
    rng = random.Random(20261121)  # noqa: S311 - fault injection
    env = worker_env(settings)
    script = str(Path(__file__).with_name("fault_worker.py"))

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, script, str(DEADLINE_S)], env=env, stdout=subprocess.PIPE, text=True)

    workers = [start() for _ in range(WORKERS)]
    kills = 0
    deadline = time.monotonic() + DEADLINE_S
    try:
        while time.monotonic() < deadline:
            if not Case.objects.exclude(step=Step.DONE).exists():
                break
            victim = rng.randrange(WORKERS)
            # a worker needs a second or more to start (longer on a busy machine): the victim is
            # killed only after it has started and had some time to work, or no case would move
            workers[victim].stdout.readline()  # "ready", or "" if it has already exited
            time.sleep(rng.uniform(0.05, 0.8))
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait()
            kills += 1
            workers[victim] = start()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            worker.stdout.close()

    # then every case is decided, and nothing happened twice
    cases = list(Case.objects.all())
    assert kills >= 3
    assert [c.reference for c in cases if c.step != Step.DONE] == []
    assert {c.status for c in cases} <= {CaseStatus.GRANTED, CaseStatus.REFUSED}
    granted = [c for c in cases if c.status == CaseStatus.GRANTED]
    assert sim_stats(outside_systems["parking"])["created_permits"] == len(granted)
    assert len({c.permit_number for c in granted}) == len(granted)
    filing = sim_stats(outside_systems["filing"])
    assert filing["filing_numbers_issued"] == filing["distinct_filing_numbers"] == 2 * CASES
    assert len({c.filing_number for c in cases}) == CASES
    assert len({c.decision_sha256 for c in cases}) == CASES
    for case in cases:
        steps_done = list(case.events.filter(kind="step_done").values_list("step", flat=True))
        assert len(steps_done) == len(set(steps_done)) == 9, (case.reference, steps_done)
