"""Actors of the case engine: ids in, idempotent, retried with backoff."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import CurrentMessage

from eservices.cases import pipeline, services
from eservices.cases.models import Step

logger = logging.getLogger(__name__)

CASE_MAX_RETRIES = 10


def _is_last_try(actor) -> bool:
    message = CurrentMessage.get_current_message()
    if message is None:
        return True
    max_retries = message.options.get("max_retries", actor.options.get("max_retries", CASE_MAX_RETRIES))
    return message.options.get("retries", 0) >= max_retries


@dramatiq.actor(
    queue_name="cases", max_retries=CASE_MAX_RETRIES, min_backoff=1_000, max_backoff=60_000, time_limit=180_000
)
def case_process(case_id: int) -> None:
    """Advance a case step by step until it is done, stops, or waits for a retry."""
    from eservices.documents.signing import SigningUnavailable
    from integrations.http import IntegrationUnavailable

    while True:
        try:
            step = pipeline.case_advance(case_id)
        except (IntegrationUnavailable, SigningUnavailable) as exc:
            error = f"{type(exc).__name__}: {exc}"
            if _is_last_try(case_process):
                pipeline.case_mark_failed(case_id, error=error)
                return
            pipeline.case_record_retry(case_id, error=error)
            raise  # dramatiq retries with backoff
        except Exception as exc:  # a refused request or a bug: stop, show the clerk, do not retry
            logger.exception("Case %s stopped", case_id)
            pipeline.case_mark_failed(case_id, error=f"{type(exc).__name__}: {exc}")
            return
        if step is None or step == Step.DONE:
            return


@dramatiq.actor(queue_name="cases", max_retries=CASE_MAX_RETRIES, min_backoff=2_000, max_backoff=120_000)
def case_delivery_file(case_id: int) -> None:
    services.case_delivery_report(case_id=case_id)
