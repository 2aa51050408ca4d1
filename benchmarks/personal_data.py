"""What encrypting personal data at rest costs, measured against a baseline in the same run.

Creates N resident profiles in a throw-away test database, then times:
  - loading them with only the plain columns (baseline) vs with the four encrypted fields,
  - saving them (encrypting) vs saving a plain column only,
  - the resident API's GET /api/v1/me/profile/ vs GET /healthz (same stack, no personal data).

Prints a table and a last line `RESULT personal_data …`. Run: `make bench` or
`.venv/bin/python benchmarks/personal_data.py --n 2000`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "nZfC0a4W9m2r3nyw6XB1y0S8vJm1u2cKk8pQ0Qd9Q8Y=")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("DRAMATIQ_INPROCESS_WORKER", "0")


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="profiles to create (default 1000)")
    parser.add_argument("--requests", type=int, default=300, help="API requests per endpoint (default 300)")
    args = parser.parse_args()

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served here
    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.n, args.requests)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(n: int, requests: int) -> None:
    from django.test import Client

    from eservices.models import ResidentProfile, User

    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.hu", username=f"bench{i}@example.hu") for i in range(n)]
    )
    profiles = [
        ResidentProfile(
            user=user,
            family_name="Kovács",
            given_names=f"Anna {i}",
            birth_name=f"Kovács Anna {i}",
            mother_birth_name="Szabó Mária",
            birth_date=datetime.date(1985, 3, 14),
            birth_place="Budapest",
        )
        for i, user in enumerate(users)
    ]
    ResidentProfile.objects.bulk_create(profiles)

    def load_plain():
        list(ResidentProfile.objects.only("id", "family_name", "given_names"))

    def load_encrypted():
        list(ResidentProfile.objects.only("id", "family_name", "given_names", *ResidentProfile.PROTECTED_FIELDS))

    rows = list(ResidentProfile.objects.all())

    def save_plain():
        ResidentProfile.objects.bulk_update(rows, ["given_names"], batch_size=500)

    def save_encrypted():
        ResidentProfile.objects.bulk_update(rows, list(ResidentProfile.PROTECTED_FIELDS), batch_size=500)

    client = Client()
    client.force_login(users[0])

    def api_health():
        for _ in range(requests):
            client.get("/healthz")

    def api_profile():
        for _ in range(requests):
            client.get("/api/v1/me/profile/")

    measurements = [
        ("load profiles", n, timed(load_plain), timed(load_encrypted)),
        ("save profiles", n, timed(save_plain), timed(save_encrypted)),
        ("API requests", requests, timed(api_health), timed(api_profile)),
    ]
    print(f"{'operation':<16}{'count':>8}{'baseline/s':>14}{'encrypted/s':>14}{'ratio':>8}")
    ratios = {}
    for name, count, base, enc in measurements:
        ratio = enc / base
        ratios[name] = ratio
        print(f"{name:<16}{count:>8}{count / base:>14,.0f}{count / enc:>14,.0f}{ratio:>8.2f}")
    print(
        "RESULT personal_data "
        f"load_ratio={ratios['load profiles']:.2f} save_ratio={ratios['save profiles']:.2f} "
        f"api_ratio={ratios['API requests']:.2f}"
    )


if __name__ == "__main__":
    main()
