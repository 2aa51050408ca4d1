"""A worker process for the fault test: advances every unfinished case, over and over, the
way dramatiq workers plus the reconciler do. The test kills it with SIGKILL at random."""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django  # noqa: E402

django.setup()

from eservices.cases import pipeline  # noqa: E402
from eservices.cases.models import Case, CaseStatus, Step  # noqa: E402


def main(seconds: float) -> None:
    print("ready", flush=True)  # the test kills a worker only once it has started
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ids = list(Case.objects.exclude(step=Step.DONE).exclude(status=CaseStatus.FAILED).values_list("pk", flat=True))
        if not ids:
            time.sleep(0.05)
            continue
        for pk in ids:
            try:
                pipeline.case_advance(pk)
            except Exception as exc:  # an outside system failed this try: record it, try again later
                pipeline.case_record_retry(pk, error=f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main(float(sys.argv[1]))
