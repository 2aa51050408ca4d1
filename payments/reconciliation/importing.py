"""An uploaded statement file becomes `StatementLine` rows, then goes to the matcher.

The upload only stores the file and sends `bank_statement_import` after commit; the job reads
the file in the worker. Nothing is stored until the whole file parsed: a bad or hostile file
fails with the parser's message and leaves no line behind. Lines are then inserted in batches,
each its own short statement (never one transaction over a 100k-entry statement that would hold
locks for minutes), and an entry already stored for the same account (an overlapping statement,
the same file again) is counted as a duplicate and skipped, so it is never booked twice.

Everything here is safe to run again: a retried job finds the lines it stored before (as its
own) and matches only the lines still waiting for the matcher.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from payments.errors import PaymentsError
from payments.models import BankStatement, StatementLine
from payments.statements import MAX_STATEMENT_BYTES, StatementError, normalise_iban, parse_statement
from payments.statements import StatementLine as ParsedLine

from .common import Code, require_reconciler

logger = logging.getLogger(__name__)

INSERT_BATCH = 1000
PROGRESS_MIN_INTERVAL_S = 0.3  # at most ~3 progress writes a second, however fast the parser calls
# Share of the progress bar each phase fills: reading the file is the slow part.
PARSE_UNTIL, STORE_UNTIL, MATCH_UNTIL = 50, 70, 99
#: Longer than one run of the import job may last (its time limit, 30 minutes) and the wait
#: before a retry: a heartbeat older than this means no run is alive.
STATEMENT_STALLED_AFTER = datetime.timedelta(minutes=35)
STATEMENT_MAX_RUNS = 6  # the job's own tries and the reconciler's re-sends together


def statement_upload(*, uploaded_file, user, account_iban: str = "", language: str = "") -> BankStatement:
    """Store an uploaded statement file and send it to the import job (after commit).

    `account_iban` is the clerk's answer for files that do not name their account (some CSV
    exports); `language` is the one the clerk reads error messages in."""
    require_reconciler(user)
    digest, size = hashlib.sha256(), 0
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        message = _("The file is empty.")
        raise PaymentsError(Code.FILE_INVALID, message, fields={"file": [message]})
    if size > MAX_STATEMENT_BYTES:
        message = _("The file is larger than %(limit)d MB, which no bank statement is.") % {
            "limit": MAX_STATEMENT_BYTES // (1024 * 1024)
        }
        raise PaymentsError(Code.FILE_INVALID, message, fields={"file": [message]})
    uploaded_file.seek(0)
    sha256 = digest.hexdigest()
    original_name = PurePath(uploaded_file.name or "statement").name[:255]
    # stored under the content hash: the clerk's file name is only shown, never used as a path
    suffix = "".join(ch for ch in PurePath(original_name).suffix.lower() if ch.isalnum() or ch == ".")[:10]
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        statement = BankStatement(
            file_name=original_name,
            file_sha256=sha256,
            file_size=size,
            account_iban=normalise_iban(account_iban) if account_iban else "",
            uploaded_by=user,
        )
        statement.file.save(f"{sha256[:20]}{suffix}", uploaded_file, save=False)
        statement.save()
        log(
            instance=statement,
            action="payments.statement_uploaded",
            user=user,
            data={"file_name": original_name, "sha256": sha256, "size": size},
        )
        statement_id = statement.pk
        transaction.on_commit(lambda: _send_import(statement_id, language))
    return statement


def _send_import(statement_id: int, language: str) -> None:
    from payments.statement_tasks import bank_statement_import

    bank_statement_import.send(statement_id, language)


class _Progress:
    """Writes the statement's progress percent, throttled and never backwards."""

    def __init__(self, statement_id: int) -> None:
        self.statement_id = statement_id
        self.percent = 0
        self.written_at = 0.0

    def set(self, percent: float) -> None:
        value = int(percent)
        if value <= self.percent:
            return
        self.percent = value
        now = time.monotonic()
        if now - self.written_at < PROGRESS_MIN_INTERVAL_S:
            return
        self.written_at = now
        # its own autocommit statement, so the polling page sees it while the job runs
        BankStatement.objects.filter(pk=self.statement_id, state=BankStatement.State.PROCESSING).update(
            progress=value, heartbeat_at=timezone.now()
        )

    def phase(self, start: int, end: int):
        """A `(done, total)` callback filling the bar from `start` to `end` percent."""
        return lambda done, total: self.set(start + (end - start) * done / max(total, 1))


def line_fingerprints(lines: Sequence[ParsedLine]) -> list[str]:
    """The stored identity of each entry: the parser's fingerprint, and for the second and later
    occurrence of the same fingerprint in one file a counter in its basis, so that two
    genuinely identical entries (same day, payer, amount, text, no bank reference) are both
    kept, while the same file (or an overlapping one) uploaded again gives the same values."""
    seen: Counter[str] = Counter()
    result = []
    for line in lines:
        base = line.fingerprint
        occurrence = seen[base]
        seen[base] += 1
        if occurrence:
            base = hashlib.sha256(f"{base}|occurrence|{occurrence}".encode()).hexdigest()[:32]
        result.append(base)
    return result


def statement_import(*, statement_id: int, language: str = "") -> BankStatement | None:
    """Parse a stored statement, store its new lines and match them (the import job's work)."""
    statement = BankStatement.objects.filter(pk=statement_id).first()
    if statement is None or statement.state != BankStatement.State.PROCESSING:
        return statement  # a repeated message: done already
    BankStatement.objects.filter(pk=statement_id).update(attempts=F("attempts") + 1, heartbeat_at=timezone.now())
    if statement.attempts >= STATEMENT_MAX_RUNS:
        # every run so far died without a word (the worker killed, out of memory): stop trying
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _(
                "The statement could not be processed: the import stopped %(count)d times. "
                "Please report it to the IT team."
            ) % {"count": statement.attempts}
        return statement_fail(statement_id=statement_id, code="stalled", message=message)
    progress = _Progress(statement_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            with statement.file.open("rb") as handle:
                data = handle.read()
            parsed = parse_statement(data, filename=statement.file_name, progress=progress.phase(0, PARSE_UNTIL))
            del data
            account = _account(parsed.account_iban, statement.account_iban)
        except StatementError as exc:
            return statement_fail(statement_id=statement_id, code=exc.code, message=_error_text(exc))
    BankStatement.objects.filter(pk=statement_id).update(
        format=parsed.format,
        account_iban=account,
        currency=parsed.currency[:3],
        statement_id=parsed.statement_id[:100],
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        lines_total=len(parsed.lines),
        progress=PARSE_UNTIL,
    )
    _store_lines(statement, account, parsed.lines, progress)
    del parsed

    from .booking import statement_match

    statement_match(statement_id=statement_id, progress=progress.phase(STORE_UNTIL, MATCH_UNTIL))
    with transaction.atomic():
        statement = BankStatement.objects.select_for_update().get(pk=statement_id)
        statement.lines_new = statement.lines.count()
        statement.lines_duplicate = max(statement.lines_total - statement.lines_new, 0)
        statement.state = BankStatement.State.DONE
        statement.progress = 100
        statement.finished_at = timezone.now()
        statement.save(update_fields=["lines_new", "lines_duplicate", "state", "progress", "finished_at"])
        log(
            instance=statement,
            action="payments.statement_imported",
            data={"lines": statement.lines_total, "new": statement.lines_new, "duplicate": statement.lines_duplicate},
        )
    return statement


def statements_stalled(*, stalled_after: datetime.timedelta = STATEMENT_STALLED_AFTER) -> list[int]:
    """Statements still being read whose import gave no sign of life for longer than the job may
    run: their message was lost (or the worker died with it)."""
    cutoff = timezone.now() - stalled_after
    return list(
        BankStatement.objects.filter(state=BankStatement.State.PROCESSING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, uploaded_at__lt=cutoff))
        .values_list("pk", flat=True)
    )


def statement_fail(*, statement_id: int, code: str, message: str) -> BankStatement:
    """Mark a statement as unreadable, with the message the clerk will see."""
    with transaction.atomic():
        statement = BankStatement.objects.select_for_update().get(pk=statement_id)
        if statement.state != BankStatement.State.PROCESSING:
            return statement
        statement.state = BankStatement.State.FAILED
        statement.error_code = code[:40]
        statement.error_message = message
        statement.finished_at = timezone.now()
        statement.save(update_fields=["state", "error_code", "error_message", "finished_at"])
        log(instance=statement, action="payments.statement_failed", data={"code": code, "message": message})
    return statement


def _error_text(exc: StatementError) -> str:
    message = str(exc.message)
    if exc.line is not None:
        message = _("%(message)s (line %(line)d of the file)") % {"message": message, "line": exc.line}
    return message


def _account(in_file: str, given: str) -> str:
    """The statement's account: the file's own, else the one the clerk gave; never two different."""
    if in_file and given and normalise_iban(in_file) != given:
        raise StatementError(
            "account_mismatch",
            _("The file is a statement of account %(file)s, not of %(given)s.") % {"file": in_file, "given": given},
        )
    account = in_file or given
    if not account:
        raise StatementError(
            "account_missing",
            _("The file does not say which account it belongs to. Upload it again and enter the account's IBAN."),
        )
    return account[:34]


def _store_lines(statement: BankStatement, account: str, lines: Sequence[ParsedLine], progress: _Progress) -> None:
    fingerprints = line_fingerprints(lines)
    report = progress.phase(PARSE_UNTIL, STORE_UNTIL)
    total = len(lines)
    for start in range(0, total, INSERT_BATCH):
        batch = list(zip(lines[start : start + INSERT_BATCH], fingerprints[start : start + INSERT_BATCH], strict=True))
        # stored before by any statement of this account (this one too, when a job is retried)
        known = set(
            StatementLine.objects.filter(
                account_iban=account, fingerprint__in=[fingerprint for _line, fingerprint in batch]
            ).values_list("fingerprint", flat=True)
        )
        rows = [_row(statement, account, line, fingerprint) for line, fingerprint in batch if fingerprint not in known]
        # a concurrent upload of an overlapping statement may store the same entry first:
        # the unique constraint keeps one, and counting the statement's own rows later is exact
        StatementLine.objects.bulk_create(rows, ignore_conflicts=True)
        report(start + len(batch), total)


def _row(statement: BankStatement, account: str, line: ParsedLine, fingerprint: str) -> StatementLine:
    return StatementLine(
        statement=statement,
        account_iban=account,
        fingerprint=fingerprint,
        booking_date=line.booking_date,
        value_date=line.value_date,
        amount=line.amount,
        currency=line.currency[:3],
        counterparty_name=line.counterparty_name[:200],
        counterparty_iban=line.counterparty_iban[:34],
        remittance=line.remittance,
        end_to_end_id=line.end_to_end_id[:100],
        bank_reference=line.bank_reference[:100],
        structured_reference=line.structured_reference[:40],
    )
