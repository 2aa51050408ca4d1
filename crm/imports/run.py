"""An import's life: upload, mapping, dry run, real run, report.

    import_upload(uploaded_file=, user=)                  stores and reads the file, guesses the mapping
    import_mapping_save(client_import=, mapping=, match_by=, user=)
    import_start(client_import=, user=, dry_run=)         sends the job after commit
    import_process(import_id=)                            the job's work (crm.tasks.client_import_run)
    import_status(client_import)                          what the progress bar shows
    import_failed_rows_csv(client_import)                 the failed rows with a reason column

Every row goes through `crm.services.client_save`, the same cleansing, history and cleanup queue
as a record a clerk types. Rows are processed in batches, each batch one transaction that also
writes the import's position (`processed`) and counts: a job that dies loses at most its batch,
and the job delivered again resumes exactly after the last committed batch. In the real run each
row has its own savepoint, so a bad row is rolled back alone and reported while the good rows of
the batch are kept; in a dry run the whole batch's writes are rolled back after being made, so
the report says what the real run would do, not what a validator guesses.

Rows of the same file that name the same person (the same email or card number) are handled as
the real run would: with matching on, a later row updates the client an earlier row created.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from crm import cleansing
from crm.errors import CrmError, ErrorCode
from crm.models import (
    Client,
    ClientChange,
    ClientEmail,
    ClientImport,
    ClientImportMatch,
    ClientImportRow,
    ClientImportState,
    ClientNote,
    ClientSource,
    ClientState,
    ClientTag,
    Tag,
)
from crm.services import ClientData, client_data_of, client_save

from .mapping import RowInput, mapping_guess, mapping_validate, row_input, same_address
from .parsing import MAX_FILE_BYTES, Table, file_error, table_read

logger = logging.getLogger(__name__)

PERMISSION = "crm.import_clients"
#: Rows per transaction: small enough that a lost job redoes little and locks are short, large
#: enough that the position and counts are not written for every row.
BATCH_ROWS = 50
#: Longer than one run of the job may last: a heartbeat older than this means no run is alive.
STALLED_AFTER = datetime.timedelta(minutes=35)
MAX_RUNS = 6  # the job's own tries and the reconciler's re-sends together
RUNNING = (ClientImportState.CHECKING, ClientImportState.IMPORTING)
Outcome = ClientImportRow.Outcome


def require_importer(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_active and user.has_perm(PERMISSION)):
        raise CrmError(ErrorCode.PERMISSION_DENIED, _("You may not import clients."))


# --- upload and mapping ---------------------------------------------------------------------------
def import_upload(*, uploaded_file, user, language: str = "") -> ClientImport:
    """Store an uploaded CSV/XLSX file, read its header and first rows, guess the mapping."""
    require_importer(user)
    if uploaded_file.size is not None and uploaded_file.size > MAX_FILE_BYTES:
        raise file_error(
            _("The file is larger than %(limit)d MB. Split it into smaller files.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    data = b"".join(uploaded_file.chunks())
    name = PurePath(uploaded_file.name or "import.csv").name[:255]
    table = table_read(data, file_name=name)
    sha256 = hashlib.sha256(data).hexdigest()
    suffix = ".xlsx" if table.format == "xlsx" else ".csv"
    with transaction.atomic():
        client_import = ClientImport(
            file_name=name,
            file_sha256=sha256,
            file_size=len(data),
            format=table.format,
            encoding=table.encoding,
            delimiter=table.delimiter,
            headers=table.headers,
            preview=table.preview,
            total_rows=len(table.rows),
            mapping=mapping_guess(table.headers),
            uploaded_by=user,
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
        )
        # stored under the content hash: the clerk's file name is only shown, never a path
        uploaded_file.seek(0)
        client_import.file.save(f"{sha256[:20]}{suffix}", uploaded_file, save=False)
        client_import.save()
        log(
            instance=client_import,
            action="crm.import_uploaded",
            user=user,
            data={"file_name": name, "sha256": sha256, "rows": len(table.rows)},
        )
    return client_import


def _mapping_editable(client_import: ClientImport) -> bool:
    if client_import.state in (ClientImportState.UPLOADED, ClientImportState.CHECKED):
        return True
    return client_import.state == ClientImportState.FAILED and not _real_run_started(client_import)


def _real_run_started(client_import: ClientImport) -> bool:
    return client_import.rows.filter(dry_run=False).exists() or (
        not client_import.dry_run and client_import.processed > 0
    )


def import_mapping_save(*, client_import: ClientImport, mapping: list[str], match_by: str, user) -> ClientImport:
    """The clerk's mapping; a changed one makes an earlier dry run's report stale."""
    require_importer(user)
    mapping = mapping_validate(mapping, columns=len(client_import.headers))
    if match_by not in ClientImportMatch.values:
        message = _("Choose how existing clients are treated.")
        raise CrmError(ErrorCode.IMPORT_MAPPING_INVALID, message, fields={"match_by": [message]})
    with transaction.atomic():
        locked = ClientImport.objects.select_for_update().get(pk=client_import.pk)
        if not _mapping_editable(locked):
            raise CrmError(ErrorCode.IMPORT_STATE, _("The mapping of this import can no longer be changed."))
        if (locked.mapping, locked.match_by) != (mapping, match_by):
            locked.rows.filter(dry_run=True).delete()
            locked.state = ClientImportState.UPLOADED
            locked.processed = 0
            _reset_counts(locked)
        locked.mapping, locked.match_by = mapping, match_by
        locked.save()
    client_import.refresh_from_db()
    return client_import


def _reset_counts(client_import: ClientImport) -> None:
    client_import.rows_created = client_import.rows_updated = 0
    client_import.rows_flagged = client_import.rows_failed = 0


# --- start ----------------------------------------------------------------------------------------
def import_start(*, client_import: ClientImport, user, dry_run: bool, language: str = "") -> ClientImport:
    """Start the dry run or the real run in the background. A real run that failed half-way
    resumes where it stopped (its rows are kept, never imported twice)."""
    require_importer(user)
    with transaction.atomic():
        locked = ClientImport.objects.select_for_update().get(pk=client_import.pk)
        if locked.state in RUNNING:
            raise CrmError(ErrorCode.IMPORT_STATE, _("This import is running already."))
        if locked.state == ClientImportState.DONE:
            raise CrmError(ErrorCode.IMPORT_STATE, _("This file was imported already. Upload it again to repeat it."))
        if dry_run and _real_run_started(locked):
            raise CrmError(ErrorCode.IMPORT_STATE, _("The import has started: a dry run is no longer possible."))
        mapping_validate(locked.mapping, columns=len(locked.headers))
        resume = not dry_run and locked.state == ClientImportState.FAILED and not locked.dry_run
        if not resume:
            locked.rows.filter(dry_run=dry_run).delete()
            locked.processed = 0
            _reset_counts(locked)
        locked.state = ClientImportState.CHECKING if dry_run else ClientImportState.IMPORTING
        locked.dry_run = dry_run
        locked.attempts = 0
        locked.error_message = ""
        locked.started_by = user
        locked.started_at = timezone.now()
        locked.heartbeat_at = timezone.now()
        locked.finished_at = None
        locked.language = language or translation.get_language() or locked.language or settings.LANGUAGE_CODE
        locked.save()
        log(
            instance=locked,
            action="crm.import_checked" if dry_run else "crm.import_started",
            user=user,
            data={"file_name": locked.file_name, "rows": locked.total_rows, "match_by": locked.match_by},
        )
        import_id = locked.pk
        transaction.on_commit(lambda: _send(import_id))
    client_import.refresh_from_db()
    return client_import


def _send(import_id: int) -> None:
    from crm.tasks import client_import_run

    client_import_run.send(import_id)


# --- the job --------------------------------------------------------------------------------------
@dataclass
class RowResult:
    row_number: int
    outcome: str
    flagged: bool = False
    messages: list[str] = field(default_factory=list)
    client_id: int | None = None
    values: list[str] = field(default_factory=list)


class _RowFailed(Exception):
    def __init__(self, *messages: str):
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)


def import_process(*, import_id: int) -> ClientImport | None:
    """Run (or resume) the current dry run or real run of an import to its end."""
    client_import = ClientImport.objects.filter(pk=import_id).first()
    if client_import is None or client_import.state not in RUNNING:
        return client_import  # a repeated message: done already
    ClientImport.objects.filter(pk=import_id).update(attempts=F("attempts") + 1, heartbeat_at=timezone.now())
    with translation.override(client_import.language or settings.LANGUAGE_CODE):
        if client_import.attempts >= MAX_RUNS:
            return import_fail(
                import_id=import_id,
                message=_("The import stopped %(count)d times. Please report it to the IT team.")
                % {"count": client_import.attempts},
            )
        try:
            with client_import.file.open("rb") as handle:
                table = table_read(handle.read(), file_name=client_import.file_name)
        except CrmError as exc:
            return import_fail(import_id=import_id, message=exc.message)
        except OSError:
            return import_fail(import_id=import_id, message=_("The uploaded file is no longer there."))
        dry_run = client_import.dry_run
        seen = _seen_before(client_import, table)
        while _batch(import_id, table, seen, dry_run=dry_run):
            pass
        return _finish(import_id, total=len(table.rows), dry_run=dry_run)


def import_fail(*, import_id: int, message: str) -> ClientImport:
    ClientImport.objects.filter(pk=import_id, state__in=RUNNING).update(
        state=ClientImportState.FAILED, error_message=message, finished_at=timezone.now()
    )
    return ClientImport.objects.get(pk=import_id)


def _finish(import_id: int, *, total: int, dry_run: bool) -> ClientImport:
    with transaction.atomic():
        client_import = ClientImport.objects.select_for_update().get(pk=import_id)
        if client_import.state in RUNNING and client_import.dry_run == dry_run and client_import.processed >= total:
            client_import.state = ClientImportState.CHECKED if dry_run else ClientImportState.DONE
            client_import.finished_at = timezone.now()
            client_import.total_rows = total
            client_import.save(update_fields=["state", "finished_at", "total_rows"])
            log(
                instance=client_import,
                action="crm.import_check_finished" if dry_run else "crm.import_finished",
                user=client_import.started_by,
                data=_counts(client_import),
            )
    return client_import


def _counts(client_import: ClientImport) -> dict[str, int]:
    return {
        "created": client_import.rows_created,
        "updated": client_import.rows_updated,
        "flagged": client_import.rows_flagged,
        "failed": client_import.rows_failed,
    }


def _batch(import_id: int, table: Table, seen: _Seen, *, dry_run: bool) -> bool:
    """Process the next batch in one transaction; False when there is nothing left (or the run
    was stopped or replaced meanwhile)."""
    with transaction.atomic():
        client_import = (
            ClientImport.objects.select_for_update(of=("self",)).select_related("started_by").get(pk=import_id)
        )
        expected = ClientImportState.CHECKING if dry_run else ClientImportState.IMPORTING
        if client_import.state != expected or client_import.dry_run != dry_run:
            return False
        start = client_import.processed
        rows = table.rows[start : start + BATCH_ROWS]
        if not rows:
            return False
        if dry_run:
            # the writes are made, so the report is true, then undone
            with transaction.atomic():
                results = [_row_process(client_import, number, cells, seen) for number, cells in rows]
                transaction.set_rollback(True)
            seen.made.clear()  # those clients are gone again
        else:
            results = [_row_process(client_import, number, cells, seen) for number, cells in rows]
        ClientImportRow.objects.bulk_create(
            ClientImportRow(
                client_import_id=import_id,
                dry_run=dry_run,
                row_number=r.row_number,
                outcome=r.outcome,
                flagged=r.flagged,
                messages=r.messages,
                values=r.values,
                client_id=None if dry_run else r.client_id,
            )
            for r in results
        )
        ClientImport.objects.filter(pk=import_id).update(
            processed=start + len(rows),
            rows_created=F("rows_created") + sum(r.outcome == Outcome.CREATED for r in results),
            rows_updated=F("rows_updated") + sum(r.outcome == Outcome.UPDATED for r in results),
            rows_failed=F("rows_failed") + sum(r.outcome == Outcome.FAILED for r in results),
            rows_flagged=F("rows_flagged") + sum(r.flagged for r in results),
            heartbeat_at=timezone.now(),
        )
    return start + len(rows) < len(table.rows)


@dataclass
class _Seen:
    """What the run met so far: the email and card keys of its good rows (with the first row
    that had each), and the clients it created (not offered as likely duplicates of later rows:
    the same person twice in a file is caught by the keys, and a dry run's clients are undone)."""

    keys: dict[str, int] = field(default_factory=dict)
    made: set[int] = field(default_factory=set)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __getitem__(self, key: str) -> int:
        return self.keys[key]

    def setdefault(self, key: str, number: int) -> None:
        self.keys.setdefault(key, number)


def _seen_before(client_import: ClientImport, table: Table) -> _Seen:
    """What a resumed run had met before it stopped."""
    seen = _Seen()
    if not client_import.processed:
        return seen
    if not client_import.dry_run:
        seen.made = set(
            client_import.rows.filter(dry_run=False, outcome=Outcome.CREATED).values_list("client_id", flat=True)
        )
    failed = set(
        client_import.rows.filter(dry_run=client_import.dry_run, outcome=Outcome.FAILED).values_list(
            "row_number", flat=True
        )
    )
    for number, cells in table.rows[: client_import.processed]:
        if number not in failed:
            row = row_input(cells, client_import.mapping, consent_source="")
            for key in _keys(row):
                seen.setdefault(key, number)
    return seen


def _keys(row: RowInput) -> list[str]:
    keys = [f"card:{row.card}"] if row.card else []
    return keys + [f"email:{key}" for key in row.email_keys if key]


def _row_process(client_import: ClientImport, number: int, cells: list[str], seen: _Seen) -> RowResult:
    source_text = _("import of %(file)s") % {"file": client_import.file_name}
    row = row_input(cells, client_import.mapping, consent_source=source_text[:100])
    if row.errors:
        return RowResult(number, Outcome.FAILED, messages=row.errors, values=cells)
    try:
        with transaction.atomic():
            result = _row_save(client_import, number, row, seen)
    except _RowFailed as exc:
        return RowResult(number, Outcome.FAILED, messages=exc.messages, values=cells)
    except CrmError as exc:
        messages = [m for values in exc.fields.values() for m in values] or [exc.message]
        return RowResult(number, Outcome.FAILED, messages=list(dict.fromkeys(messages)), values=cells)
    except (IntegrityError, DataError):
        logger.warning("client import %s: row %s refused by the database", client_import.pk, number, exc_info=True)
        return RowResult(
            number,
            Outcome.FAILED,
            messages=[_("The row could not be stored: a value is too long or conflicts with another client.")],
            values=cells,
        )
    for key in _keys(row):
        seen.setdefault(key, number)
    return result


def _row_save(client_import: ClientImport, number: int, row: RowInput, seen: _Seen) -> RowResult:
    user = client_import.started_by
    matching = client_import.match_by == ClientImportMatch.EMAIL_CARD
    earlier = next((seen[key] for key in _keys(row) if key in seen), None)
    same_card = f"card:{row.card}" in seen if row.card else False
    messages = list(row.warnings)
    if not matching and same_card:
        raise _RowFailed(
            _("Row %(row)d has the same Hegyvidék Kártya number: a card belongs to one client.")
            % {"row": seen[f"card:{row.card}"]}
        )
    existing = _existing_client(row) if matching else None
    data = _merged(existing, row) if existing is not None else row.data
    candidates = _duplicates(data, exclude=existing.pk if existing is not None else None)
    saved = client_save(client=existing, data=data, user=user, source=ClientSource.IMPORT)
    client = saved.client
    if saved.created:
        seen.made.add(client.pk)
    _tags_add(client, row.tags, user)
    if row.note:
        ClientNote.objects.create(client=client, text=row.note, author=user)
    outcome = Outcome.CREATED if saved.created else Outcome.UPDATED
    flagged = bool(row.warnings or saved.problems)
    if earlier is not None:
        if matching:
            # the real run finds the client the earlier row created; a dry run's earlier batch was undone
            outcome = Outcome.UPDATED
            messages.append(_("The same person as row %(row)d: that client is updated.") % {"row": earlier})
        else:
            flagged = True
            messages.append(_("The same email address as row %(row)d: possibly the same person.") % {"row": earlier})
    if existing is not None and existing.pk not in seen.made:
        messages.insert(0, _("Matched %(client)s (#%(id)d).") % {"client": existing, "id": existing.pk})
    messages += [p.message for p in saved.problems]
    for candidate in candidates:
        if (earlier is not None and not matching) or candidate.client.pk in seen.made:
            continue
        flagged = True
        messages.append(
            _("Possibly the same person as %(client)s (#%(id)d): %(reasons)s.")
            % {
                "client": candidate.client,
                "id": candidate.client.pk,
                "reasons": ", ".join(str(reason.label) for reason in candidate.reasons),
            }
        )
    return RowResult(number, outcome, flagged=flagged, messages=list(dict.fromkeys(messages)), client_id=client.pk)


def _existing_client(row: RowInput) -> Client | None:
    """The one active client with the row's card number or email address, if there is one."""
    by_card = None
    if row.card:
        by_card = Client.objects.filter(loyalty_card_number=row.card, state=ClientState.ACTIVE).first()
    keys = [key for key in row.email_keys if key]
    by_email: list[int] = []
    if keys:
        by_email = list(
            ClientEmail.objects.filter(normalised__in=keys, client__state=ClientState.ACTIVE)
            .values_list("client_id", flat=True)
            .distinct()[:3]
        )
    if by_card is not None:
        if by_email and by_card.pk not in by_email:
            raise _RowFailed(
                _("The Hegyvidék Kártya number belongs to %(card)s, the email address to another client.")
                % {"card": by_card}
            )
        return by_card
    if len(by_email) > 1:
        raise _RowFailed(_("Several clients have this email address: update them by hand."))
    return Client.objects.get(pk=by_email[0]) if by_email else None


def _merged(client: Client, row: RowInput) -> ClientData:
    """The stored record with the row's values over it: names, gender, birth date and card when
    the row has them; emails, phones and an address added when new; consents as the row says."""
    data = client_data_of(client)
    new = row.data
    if new.family_name or new.given_names:
        data.name_prefix = new.name_prefix or data.name_prefix
        data.family_name = new.family_name or data.family_name
        data.given_names = new.given_names or data.given_names
    if new.gender:
        data.gender = new.gender
    if new.birth_date:
        data.birth_date = new.birth_date
    if new.loyalty_card_number:
        data.loyalty_card_number = new.loyalty_card_number
    known = {cleansing.email_key(e.address) for e in data.emails}
    for email in new.emails:
        if cleansing.email_key(cleansing.email_cleanse(email.address).value) not in known:
            data.emails.append(type(email)(address=email.address, is_default=not data.emails))
    numbers = {cleansing.phone_cleanse(p.number).value for p in data.phones}
    for phone in new.phones:
        if cleansing.phone_cleanse(phone.number).value not in numbers:
            data.phones.append(type(phone)(number=phone.number, is_default=not data.phones))
    stored = list(client.addresses.all())
    for address in new.addresses:
        if not any(same_address(address, s) for s in stored):
            address.is_default = not data.addresses
            data.addresses.append(address)
    data.consents = dict(new.consents)
    return data


def _duplicates(data: ClientData, *, exclude: int | None) -> list[Any]:
    try:
        from crm.duplicates import duplicates_for_data
    except ImportError:  # the duplicate rules are not installed yet
        return []
    return list(duplicates_for_data(data=data, exclude_client_id=exclude, limit=3))


def _tags_add(client: Client, names: list[str], user) -> None:
    added = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        _link, created = ClientTag.objects.get_or_create(
            client=client, tag=tag, defaults={"added_by": user if getattr(user, "pk", None) else None}
        )
        if created:
            added.append(tag.name)
    if added:
        ClientChange.objects.create(
            client=client, action="updated", changes={"tags": {"added": added}}, source=ClientSource.IMPORT, actor=user
        )


# --- stalled runs ---------------------------------------------------------------------------------
def imports_stalled(*, stalled_after: datetime.timedelta = STALLED_AFTER) -> list[int]:
    """Runs whose job gave no sign of life for longer than a run may last: its message was lost."""
    cutoff = timezone.now() - stalled_after
    return list(ClientImport.objects.filter(state__in=RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True))


# --- reading the outcome --------------------------------------------------------------------------
def import_status(client_import: ClientImport) -> dict[str, Any]:
    """What the progress bar shows (the page renders the same text for readers without JS)."""
    total = client_import.total_rows
    percent = 100 if not total else min(100, client_import.processed * 100 // total)
    running = client_import.state in RUNNING
    counts = _counts(client_import)
    if client_import.state == ClientImportState.FAILED:
        text = _("The import stopped: %(message)s") % {"message": client_import.error_message}
    elif running:
        text = (
            _("Dry run: %(processed)d of %(total)d rows checked.")
            if client_import.dry_run
            else _("Importing: %(processed)d of %(total)d rows done.")
        ) % {"processed": client_import.processed, "total": total}
    elif client_import.state in (ClientImportState.CHECKED, ClientImportState.DONE):
        text = (
            _(
                "Dry run done, nothing was saved. %(created)d would be created, %(updated)d updated, "
                "%(failed)d failed; %(flagged)d need a look."
            )
            if client_import.state == ClientImportState.CHECKED
            else _("Done. %(created)d created, %(updated)d updated, %(failed)d failed; %(flagged)d need a look.")
        ) % counts
    else:
        text = _("Waiting for the column mapping.")
    return {
        "id": client_import.pk,
        "state": client_import.state,
        "state_label": client_import.get_state_display(),
        "dry_run": client_import.dry_run,
        "total": total,
        "processed": client_import.processed,
        "percent": percent,
        "finished": not running,
        "counts": counts,
        "error": client_import.error_message or None,
        "status_text": text,
    }


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (read back without the apostrophe)."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def import_failed_rows_csv(client_import: ClientImport) -> bytes:
    """The failed rows of the last real run (else of the dry run) as the clerk uploaded them,
    with the row number and the reason: fixed and uploaded again, they import as new rows.
    UTF-8 with BOM, `;`-separated, as Hungarian Excel opens it."""
    real = client_import.rows.filter(dry_run=False).exists()
    rows = client_import.rows.filter(dry_run=not real, outcome=Outcome.FAILED).order_by("row_number")
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*client_import.headers, _("Row"), _("Reason")])
    for row in rows.iterator(chunk_size=2000):
        values = list(row.values) + [""] * (len(client_import.headers) - len(row.values))
        writer.writerow([*(_safe(v) for v in values), row.row_number, _safe(" ".join(row.messages))])
    return buffer.getvalue().encode("utf-8")
