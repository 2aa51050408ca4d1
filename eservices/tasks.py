"""dramatiq actors of the e-services: ids in, idempotent, retried with backoff."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import CurrentMessage

from eservices import services
from eservices.cases import tasks as case_tasks  # noqa: F401 - registers the case actors
from eservices.models import IdentityVerification

logger = logging.getLogger(__name__)

REGISTRY_MAX_RETRIES = 8


def _is_last_try(actor) -> bool:
    """True when dramatiq will not retry this message again (or it runs outside a worker)."""
    message = CurrentMessage.get_current_message()
    if message is None:
        return True
    max_retries = message.options.get("max_retries", actor.options.get("max_retries", REGISTRY_MAX_RETRIES))
    return message.options.get("retries", 0) >= max_retries


@dramatiq.actor(
    queue_name="registry",
    max_retries=REGISTRY_MAX_RETRIES,
    min_backoff=2_000,
    max_backoff=120_000,
    time_limit=60_000,
)
def identification_registry_check(verification_id: int) -> None:
    """Ask the person-and-address registry about the shown document and record the answer.

    Safe to deliver twice: an answered verification is left as it is. The registry call
    carries the verification's idempotency key, recorded before the first call."""
    from integrations.http import IntegrationUnavailable, NotFound
    from integrations.registry.client import RegistryClient

    verification = IdentityVerification.objects.filter(pk=verification_id).first()
    if verification is None or verification.state not in IdentityVerification.OPEN_STATES:
        return
    services.identification_record_attempt(verification_id=verification_id)
    try:
        person = RegistryClient.from_settings().person_lookup(
            document_type=verification.document_type,
            document_number=verification.document_number,
            idempotency_key=str(verification.idempotency_key),
        )
    except NotFound:
        services.identification_record_not_found(verification_id=verification_id)
        return
    except IntegrationUnavailable as exc:
        services.identification_record_error(verification_id=verification_id, error=str(exc))
        if _is_last_try(identification_registry_check):
            # the last try: leave it to the clerk, who sees the error and can retry
            services.identification_mark_failed(verification_id=verification_id, error=str(exc))
            return
        raise
    services.identification_record_registry_answer(verification_id=verification_id, person=person)


@dramatiq.actor(queue_name="maintenance", max_retries=0)
def reconcile_stalled_work() -> None:
    """Periodic: re-send work whose message was lost. Run by the scheduler every minute."""
    from eservices.cases.services import cases_reconcile

    count = services.identification_reconcile() + cases_reconcile()
    if count:
        logger.info("Re-sent %d stalled jobs", count)
