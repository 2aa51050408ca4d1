"""Actors of the CRM: ids in, idempotent, retried with backoff (django_dramatiq discovers
`<app>.tasks`)."""

from __future__ import annotations

import logging

import dramatiq
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from dramatiq.middleware import CurrentMessage

logger = logging.getLogger(__name__)

IMPORT_MAX_RETRIES = 3


def _is_last_try(default_retries: int) -> bool:
    message = CurrentMessage.get_current_message()
    if message is None:  # called directly (tests, a shell): there is no retry to wait for
        return True
    return message.options.get("retries", 0) >= message.options.get("max_retries", default_retries)


@dramatiq.actor(
    queue_name="crm",
    max_retries=IMPORT_MAX_RETRIES,
    min_backoff=5_000,
    max_backoff=120_000,
    # 100,000 rows through the full client save take a while; a run cut by the limit resumes
    time_limit=30 * 60_000,
)
def client_import_run(import_id: int) -> None:
    """The dry run or real run of a client import (`crm.imports.run.import_process`). Delivered
    again, it resumes after the last committed batch; on the last failed try the import is
    marked failed, so the clerk is not left watching a progress bar forever."""
    from crm.imports import import_fail, import_process
    from crm.models import ClientImport

    try:
        import_process(import_id=import_id)
    except Exception:
        logger.exception("Client import %s failed", import_id)
        if not _is_last_try(IMPORT_MAX_RETRIES):
            raise
        language = ClientImport.objects.filter(pk=import_id).values_list("language", flat=True).first()
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _(
                "The import stopped because of an unexpected error. Rows imported so far are kept; "
                "start it again to continue, or report it to the IT team."
            )
        import_fail(import_id=import_id, message=message)
        if CurrentMessage.get_current_message() is None:
            raise  # called directly: let the caller see the error too


@dramatiq.actor(queue_name="crm", max_retries=0)
def crm_imports_reconcile_stalled() -> None:
    """Periodic: imports whose job was lost are sent again (they resume)."""
    client_imports_send_stalled()


def client_imports_send_stalled() -> int:
    """For a periodic job: send again the imports whose job was lost (no heartbeat for longer
    than a run may last). They resume where they stopped."""
    from crm.imports import imports_stalled

    stalled = imports_stalled()
    for import_id in stalled:
        client_import_run.send(import_id)
    if stalled:
        logger.info("client imports: %d stalled runs sent again", len(stalled))
    return len(stalled)


@dramatiq.actor(queue_name="crm", max_retries=3, min_backoff=60_000, time_limit=30 * 60_000)
def crm_duplicates_scan() -> None:
    """The duplicate check over all active clients (periodic, and on a clerk's request)."""
    from crm.duplicates import duplicates_scan

    summary = duplicates_scan()
    if summary is None:
        logger.info("duplicate scan: another scan is running")
        return
    logger.info(
        "duplicate scan: %d candidate pairs, %d likely duplicates (%d new, %d closed) in %.1f s",
        summary.candidates,
        summary.pairs,
        summary.new,
        summary.closed,
        summary.seconds,
    )


@dramatiq.actor(queue_name="crm", max_retries=5, min_backoff=5_000)
def crm_duplicates_check_client(client_id: int) -> None:
    """The stored duplicate pairs of one client, refreshed after it was saved."""
    from crm.duplicates import duplicates_check_client

    duplicates_check_client(client_id=client_id)
