"""The bank statement import job: an id in, idempotent, retried with backoff on outages.

Registered with dramatiq through `payments/tasks.py` (django_dramatiq discovers `<app>.tasks`).
"""

from __future__ import annotations

import logging

import dramatiq
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from dramatiq.middleware import CurrentMessage

from payments.reconciliation import importing

logger = logging.getLogger(__name__)

IMPORT_MAX_RETRIES = 3


def _is_last_try() -> bool:
    message = CurrentMessage.get_current_message()
    if message is None:  # called directly (tests, a shell): there is no retry to wait for
        return True
    max_retries = message.options.get("max_retries", IMPORT_MAX_RETRIES)
    return message.options.get("retries", 0) >= max_retries


@dramatiq.actor(
    queue_name="statements",
    max_retries=IMPORT_MAX_RETRIES,
    min_backoff=5_000,
    max_backoff=120_000,
    # a year of a busy account (~100k entries, 150 MB of camt.053) takes minutes, not hours
    time_limit=30 * 60_000,
)
def bank_statement_import(statement_id: int, language: str = "") -> None:
    """Read an uploaded statement, store its new lines and match them.

    A file that cannot be read fails at once with the parser's message (retrying would not
    help); anything unexpected (the database away, a bug) is retried, and on the last try the
    statement is marked failed so the clerk is not left watching a progress bar forever."""
    try:
        importing.statement_import(statement_id=statement_id, language=language)
    except Exception:
        logger.exception("Import of bank statement %s failed", statement_id)
        if not _is_last_try():
            raise
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _(
                "The statement could not be processed because of an unexpected error. Please report it to the IT team."
            )
        importing.statement_fail(statement_id=statement_id, code="internal", message=message)
        if CurrentMessage.get_current_message() is None:
            raise  # called directly: let the caller see the error too
