"""Parking-permit pipeline under load, in the production shape on this machine.

The stack runs as separate processes (`backend.stackkit`): gunicorn, `manage.py rundramatiq`
worker processes on Redis, every outside system a real HTTP simulator in its own process,
PostgreSQL (DATABASE_URL or the embedded one; database `eportal_bench`, recreated). Residents
are identified registry people who own a car; each submits one application through
POST /api/v1/cases/ with a session cookie and CSRF token, like the SPA.

Two phases:

1. steady — `--steady-n` applications (default 60) at `--rate` per second (default 1):
   the latency a resident sees, submit → signed decision and submit → decision ready;
2. burst — `--n` applications (default 500) sent as fast as the API takes them:
   the throughput in signed decisions per second, once the queue is full.

Before measuring, a few warm-up applications let every worker load its fonts and keys, and
the benchmark process renders and signs one of their decisions repeatedly: the baseline, the
CPU one decision's documents cost on this machine in this minute, shown as a share of the CPU
all processes spent per decision; the throughput is put against what the cores could do at
that CPU per decision.
Prints a table per phase (p50/p95 per pipeline step and end to end, CPU seconds per decision
spent by each kind of process), writes the signed
decisions to `--out`, and ends with
`RESULT permit_pipeline decisions_per_s=<burst> p95_s=<steady submit→signed>`.

    .venv/bin/python benchmarks/permit_pipeline.py --n 500 --steady-n 60 --rate 1 --out /tmp/decisions

Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/15): the workers are separate processes.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "nZfC0a4W9m2r3nyw6XB1y0S8vJm1u2cKk8pQ0Qd9Q8Y=")
os.environ.setdefault("DOCUMENT_SIGNING_BACKEND", "dev")

BENCH_DATABASE = "eportal_bench"
WARM_UP = 8


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="applications of the burst phase (default 500)")
    parser.add_argument("--steady-n", type=int, default=60, help="applications of the steady phase (default 60)")
    parser.add_argument("--rate", type=float, default=1.0, help="steady submissions per second (default 1)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2, help="worker processes (default: cores)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker process (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent submitters in the burst (default 8)")
    parser.add_argument("--out", type=Path, default=Path(".data/bench-decisions"), help="where decisions go")
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"), help="broker (default REDIS_URL)"
    )
    args = parser.parse_args()

    import redis

    try:
        redis.Redis.from_url(args.redis, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise SystemExit(
            f"Redis at {args.redis} is not reachable ({exc}). The benchmark runs separate worker processes, "
            "which share jobs through Redis: start it or set REDIS_URL."
        ) from exc

    from backend.stackkit import start_stack

    # a SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so the stack's processes are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = Path(tempfile.mkdtemp(prefix="permit-bench-"))
    print(f"starting the stack ({args.processes} worker processes × {args.threads} threads); logs in {work}/logs")
    stack = start_stack(
        work,
        database=BENCH_DATABASE,
        demo_data=False,
        broker_url=args.redis,
        worker_processes=args.processes,
        worker_threads=args.threads,
        extra_env={"LOG_LEVEL": "ERROR", "DEBUG": "0", "REGISTRY_SIM_POPULATION": "3000"},
    )
    try:
        # this process talks to the same database and simulators as the stack
        os.environ.update({key: value for key, value in stack.env.items() if key != "DEBUG"})
        os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
        import django

        django.setup()
        run(args, stack)
    finally:
        stack.stop()


def car_owners(wanted: int) -> list[tuple[object, str]]:
    """`wanted` registry people (fewer if the registry has fewer) with a valid document and an
    active car, with the plate of their first car."""
    from integrations.registry.client import RegistryClient
    from integrations.registry.population import build_population

    registry = RegistryClient.from_settings()
    owners = []
    for person in build_population().values():
        if person.document_status != "valid":
            continue
        cars = [v for v in registry.vehicles_by_owner(person_id=person.person_id) if v.status == "active"]
        if cars:
            owners.append((person, cars[0].plate))
            if len(owners) >= wanted:
                break
    return owners


def residents(owners, count: int, offset: int, stack) -> list[tuple[object, str]]:
    """`count` verified residents (registry people with a car), each with a logged-in HTTP session."""
    import requests
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from eservices.models import IdentificationStatus, ResidentProfile, User

    chosen = [owners[(offset + index) % len(owners)] for index in range(count)]
    result = []
    for index, (person, plate) in enumerate(chosen):
        user = User.objects.create_user(email=f"bench{offset + index}@example.hu", password=None)
        ResidentProfile.objects.create(
            user=user,
            family_name=person.family_name,
            given_names=person.given_names,
            identification_status=IdentificationStatus.VERIFIED,
            registry_person_id=person.person_id,
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, session.session_key, domain="127.0.0.1")
        http.get(f"{stack.base_url}/api/v1/csrf/", timeout=30).raise_for_status()
        http.headers["X-CSRFToken"] = http.cookies[settings.CSRF_COOKIE_NAME]
        result.append((http, plate))
    return result


def submit(stack, http, plate: str) -> str:
    response = http.post(
        f"{stack.base_url}/api/v1/cases/", json={"service": "parking_permit", "plate": plate}, timeout=60
    )
    if response.status_code != 201:
        raise SystemExit(f"submission failed: {response.status_code} {response.text[:300]}")
    return response.json()["reference"]


def wait_final(references: list[str], timeout_s: float) -> float:
    """Wait until every case is done or failed; returns the monotonic time it happened."""
    from eservices.cases.models import Case, CaseStatus, Step

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        open_cases = (
            Case.objects.filter(reference__in=references).exclude(step=Step.DONE).exclude(status=CaseStatus.FAILED)
        )
        if not open_cases.exists():
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"cases still open after {timeout_s:.0f} s: {list(open_cases.values_list('reference', 'step'))}")


def report(name: str, references: list[str], out: Path) -> dict[str, float]:
    from eservices.cases.models import Case, CaseEvent, CaseStatus, Step

    cases = list(Case.objects.filter(reference__in=references).order_by("submitted_at"))
    out.mkdir(parents=True, exist_ok=True)
    signed, ready, stage_times = [], [], {}
    for case in cases:
        if case.decision_pdf:
            (out / f"{case.reference}.pdf").write_bytes(bytes(case.decision_pdf))
        previous = case.submitted_at
        for event in case.events.filter(kind=CaseEvent.Kind.STEP_DONE).order_by("at", "id"):
            stage_times.setdefault(event.step, []).append((event.at - previous).total_seconds())
            previous = event.at
            if event.step == Step.SIGN:
                signed.append((event.at - case.submitted_at).total_seconds())
        if case.step == Step.DONE:
            ready.append((previous - case.submitted_at).total_seconds())
    counts = {status: sum(1 for case in cases if case.status == status) for status in CaseStatus.values}
    first = min(case.submitted_at for case in cases)
    last_signed = max(
        CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.STEP_DONE, step=Step.SIGN).values_list(
            "at", flat=True
        )
    )
    span = (last_signed - first).total_seconds()
    throughput = len(signed) / span if span > 0 else 0.0

    print(f"\n{name}: {len(cases)} applications — granted {counts['granted']}, refused {counts['refused']}, "
          f"failed {counts['failed']}; {len(signed)} signed decisions in {span:.1f} s = {throughput:.2f}/s")  # fmt: skip
    print(f"{'stage':<22}{'p50 s':>9}{'p95 s':>9}")
    for step in [s for s in Step.values if s in stage_times]:
        values = stage_times[step]
        print(f"{step:<22}{statistics.median(values):>9.3f}{percentile(values, 0.95):>9.3f}")
    for label, values in (("submit→signed", signed), ("submit→ready", ready)):
        if values:
            print(f"{label:<22}{statistics.median(values):>9.3f}{percentile(values, 0.95):>9.3f}")
    return {
        "throughput": throughput,
        "p95_signed": percentile(signed, 0.95) if signed else float("nan"),
        "failed": counts["failed"],
    }


class CpuMeter:
    """CPU seconds (user + system) used by each kind of process of the stack, between two reads:
    a process tree's root, its exited children (as the root's children times) and its live ones."""

    def __init__(self, stack) -> None:
        import psutil

        self.roots = {process.stack_name: psutil.Process(process.pid) for process in stack.processes}
        postmasters = [
            p
            for p in psutil.process_iter(["name", "ppid"])
            if (p.info["name"] or "").startswith(("postgres", "postmaster")) and not _is_postgres(p.info["ppid"])
        ]
        self.roots.update({f"postgres{i or ''}": p for i, p in enumerate(postmasters)})
        self.roots["benchmark"] = psutil.Process()
        self.start = self.read()

    def read(self) -> dict[str, float]:
        import psutil

        totals = {}
        for name, root in self.roots.items():
            try:
                times = root.cpu_times()
                if name == "benchmark":  # the stack's processes are its children: count them once
                    totals[name] = times.user + times.system
                    continue
                total = times.user + times.system + times.children_user + times.children_system
                for child in root.children(recursive=True):
                    try:
                        child_times = child.cpu_times()
                    except psutil.Error:
                        continue
                    total += child_times.user + child_times.system
            except psutil.Error:
                continue
            totals[name] = total
        return totals

    def print_per_decision(self, decisions: int) -> tuple[float, float]:
        """Print the table; return the CPU seconds per decision of the portal's own processes
        (web, workers, PostgreSQL, without the simulated outside systems and the benchmark) and
        of every process."""
        end = self.read()
        used = {name: end[name] - self.start.get(name, 0.0) for name in end}
        print(f"{'CPU s per decision':<22}" + "".join(f"{name:>11}" for name in used) + f"{'total':>9}")
        per = {name: used[name] / max(1, decisions) for name in used}
        print(f"{'':<22}" + "".join(f"{value:>11.3f}" for value in per.values()) + f"{sum(per.values()):>9.3f}")
        portal = sum(value for name, value in per.items() if name not in ("simulators", "benchmark"))
        return portal, sum(per.values())


def _is_postgres(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).name().startswith(("postgres", "postmaster"))
    except psutil.Error:
        return False


def baseline(reference: str, rounds: int = 10) -> dict[str, float]:
    """CPU seconds to render and to sign one decision, in this process (fonts and keys warm)."""
    from eservices.cases.decision import decision_data
    from eservices.cases.models import Case
    from eservices.documents.render import decision_pdf
    from eservices.documents.signing import sign_pdf

    data = decision_data(Case.objects.get(reference=reference))
    pdf = decision_pdf(data)
    sign_pdf(pdf, reason="baseline", location="Budapest")
    started = time.process_time()
    for _ in range(rounds):
        decision_pdf(data)
    rendered = time.process_time()
    for _ in range(rounds):
        sign_pdf(pdf, reason="baseline", location="Budapest")
    signed = time.process_time()
    return {"render": (rendered - started) / rounds, "sign": (signed - rendered) / rounds}


def run(args, stack) -> None:
    print(f"creating {args.steady_n + args.n + WARM_UP} residents …")
    owners = car_owners(WARM_UP + args.steady_n + args.n)
    warm_people = residents(owners, WARM_UP, 0, stack)
    steady_people = residents(owners, args.steady_n, WARM_UP, stack)
    burst_people = residents(owners, args.n, WARM_UP + args.steady_n, stack)

    # warm-up: every worker thread renders and signs once (fonts, keys, TLS contexts), not measured
    with ThreadPoolExecutor(max_workers=WARM_UP) as pool:
        warm_refs = list(pool.map(lambda item: submit(stack, *item), warm_people))
    wait_final(warm_refs, 300)
    base = baseline(warm_refs[0])

    # phase 1: steady
    meter = CpuMeter(stack)
    references: list[str] = []
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    started = time.monotonic()
    for index, (http, plate) in enumerate(steady_people):
        time.sleep(max(0.0, started + index * interval - time.monotonic()))
        references.append(submit(stack, http, plate))
    wait_final(references, 600)
    steady = report(f"steady ({args.rate:g}/s)", references, args.out)
    meter.print_per_decision(len(references))

    # phase 2: burst
    lock = threading.Lock()
    burst_refs: list[str] = []

    def one(item):
        reference = submit(stack, *item)
        with lock:
            burst_refs.append(reference)

    meter = CpuMeter(stack)
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(one, burst_people))
    wait_final(burst_refs, 1800)
    burst = report(f"burst ({args.clients} concurrent submitters)", burst_refs, args.out)
    portal_cpu, total_cpu = meter.print_per_decision(len(burst_refs))

    print(f"\nworkers: {args.processes} processes × {args.threads} threads on {os.cpu_count()} cores; "
          f"decisions written to {args.out}")  # fmt: skip
    documents = base["render"] + base["sign"]
    print(
        f"baseline (this process): render {base['render'] * 1000:.0f} ms + sign {base['sign'] * 1000:.0f} ms CPU "
        f"per decision = {documents / total_cpu:.0%} of the {total_cpu:.3f} CPU s all processes used per decision"
    )
    ceiling = (os.cpu_count() or 1) / total_cpu
    print(
        f"at {total_cpu:.3f} CPU s per decision {os.cpu_count()} cores could make at most {ceiling:.1f} "
        f"decisions/s; the burst reached {burst['throughput']:.2f}/s = {burst['throughput'] / ceiling:.0%} of that"
    )
    print(
        f"portal processes (web, workers, PostgreSQL) used {portal_cpu:.3f} CPU s per decision: "
        f"{os.cpu_count()} cores of their own, with the outside systems elsewhere, would make "
        f"{(os.cpu_count() or 1) / portal_cpu:.1f} decisions/s"
    )
    print(f"RESULT permit_pipeline decisions_per_s={burst['throughput']:.2f} p95_s={steady['p95_signed']:.2f}")


if __name__ == "__main__":
    main()
