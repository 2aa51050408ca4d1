"""Bulk import of clients: a Hungarian Excel export (Windows-1250, `;`) and an XLSX file are read,
their columns guessed, checked by a dry run that saves nothing, then imported: good rows kept,
bad rows reported with the reason and downloadable; a job that dies half-way resumes without
importing a row twice. Only staff with `crm.import_clients` may do any of it."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crm.errors import CrmError
from crm.imports import import_mapping_save, import_process, import_start, import_status, import_upload, mapping_guess
from crm.imports import run as import_run
from crm.imports.mapping import parse_date
from crm.imports.parsing import decode, table_read
from crm.models import (
    CleanupItem,
    Client,
    ClientChange,
    ClientConsent,
    ClientImport,
    ClientImportRow,
    ClientSource,
    ClientTag,
)
from crm.services import ClientData, EmailData, client_save
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
CP1250_CSV = DATA / "ugyfelek_cp1250.csv"
BASE = "/admin/crm-import"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def importer(db):
    return staff_user(role="crm_clerk", email="import@hegyvidek.example")


@pytest.fixture
def importer_client(client, importer):
    return login_staff_with_mfa(client, importer)


def upload(user, path: Path = CP1250_CSV, *, name: str | None = None, data: bytes | None = None) -> ClientImport:
    content = path.read_bytes() if data is None else data
    return import_upload(uploaded_file=SimpleUploadedFile(name or path.name, content), user=user, language="en")


def run(client_import: ClientImport, user, capture, *, dry_run: bool) -> ClientImport:
    """Start a run as the clerk does, then do the job's work as the worker would."""
    with capture(execute=True):
        import_start(client_import=client_import, user=user, dry_run=dry_run, language="en")
    import_process(import_id=client_import.pk)
    client_import.refresh_from_db()
    return client_import


def report(client_import: ClientImport, *, dry_run: bool) -> dict[int, ClientImportRow]:
    return {row.row_number: row for row in client_import.rows.filter(dry_run=dry_run)}


# --- reading and mapping --------------------------------------------------------------------------
def test_a_hungarian_excel_csv_is_read_and_its_columns_guessed(importer):
    # given the Windows-1250, semicolon-separated export Hungarian Excel makes
    # when the clerk uploads it
    client_import = upload(importer)
    # then the accents are read right, the empty row is skipped and the mapping is guessed
    assert (client_import.format, client_import.encoding, client_import.delimiter) == ("csv", "cp1250", ";")
    assert client_import.headers[:4] == ["Név", "E-mail", "Telefon", "Születési dátum"]
    assert client_import.total_rows == 8
    assert client_import.preview[0][0] == "dr. Kovács-Szőke Erzsébet"
    assert client_import.mapping == [
        "full_name",
        "email",
        "phone",
        "birth_date",
        "postcode",
        "settlement",
        "address",
        "loyalty_card",
        "newsletter",
        "tags",
        "note",
    ]
    assert client_import.file.read() == CP1250_CSV.read_bytes()
    assert Client.objects.count() == 0


def test_headers_in_english_and_second_columns_are_guessed():
    headers = [
        "Last name",
        "First Name",
        "E-mail 2",
        "Email",
        "Mobil",
        "Telefon 2",
        "Gender",
        "ZIP",
        "City",
        "Street",
        "Házszám",
        "Card number",
        "SMS",
        "Something else",
        "Email",
    ]
    assert mapping_guess(headers) == [
        "family_name", "given_names", "email2", "email", "phone", "phone2", "gender", "postcode", "settlement",
        "street", "house_number", "loyalty_card", "sms", "ignore", "ignore",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980.05.17.", datetime.date(1980, 5, 17)),
        ("1980. 05. 17.", datetime.date(1980, 5, 17)),
        ("1980-05-17", datetime.date(1980, 5, 17)),
        ("17/05/1980", datetime.date(1980, 5, 17)),
        ("17.05.1980", datetime.date(1980, 5, 17)),
        ("1955. május 3.", datetime.date(1955, 5, 3)),
        ("29358", datetime.date(1980, 5, 17)),  # an Excel day number in a CSV
        ("1980-05-17 00:00:00", datetime.date(1980, 5, 17)),
        ("tavaly", None),
    ],
)
def test_dates_in_the_usual_formats_are_read(text, expected):
    assert parse_date(text) == expected


def test_utf8_with_and_without_bom_and_latin2_are_decoded():
    text = "Név;Cím\r\nŐry Űrsula;Böszörményi út 12/B\r\n"
    assert decode(("\ufeff" + text).encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(text.encode("iso-8859-2"))[0] == text
    comma = table_read(b"Name,Email\r\nKiss Anna,anna@example.hu\r\n", file_name="a.csv")
    assert (comma.delimiter, comma.headers, comma.rows) == (
        ",",
        ["Name", "Email"],
        [(2, ["Kiss Anna", "anna@example.hu"])],
    )


# --- the dry run and the real run -----------------------------------------------------------------
def test_the_dry_run_saves_nothing_and_reports_what_the_import_would_do(importer, django_capture_on_commit_callbacks):
    client_import = upload(importer)
    # when the clerk runs the dry run
    client_import = run(client_import, importer, django_capture_on_commit_callbacks, dry_run=True)
    # then nothing is stored
    assert Client.objects.count() == 0
    assert CleanupItem.objects.count() == ClientChange.objects.count() == ClientConsent.objects.count() == 0
    assert ClientTag.objects.count() == 0
    # and the report says what would happen to every row
    assert client_import.state == "checked"
    assert (client_import.rows_created, client_import.rows_updated, client_import.rows_failed) == (5, 1, 2)
    rows = report(client_import, dry_run=True)
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 8, 10]
    assert rows[5].outcome == "failed" and "The date of birth 1990.13.45. is not a date." in rows[5].messages
    assert rows[8].outcome == "failed" and "talán is neither yes nor no" in rows[8].messages[0]
    assert rows[4].outcome == "created" and rows[4].flagged
    assert any("email address is not valid" in m for m in rows[4].messages)
    # a client the dry run made and undid is never named
    assert rows[6].outcome == "updated" and rows[6].messages == ["The same person as row 2: that client is updated."]
    status = import_status(client_import)
    assert status["finished"] and status["percent"] == 100
    assert status["status_text"].startswith("Dry run done, nothing was saved. 5 would be created, 1 updated, 2 failed")


def test_the_import_keeps_good_rows_and_reports_bad_ones(importer, django_capture_on_commit_callbacks):
    client_import = upload(importer)
    checked = run(client_import, importer, django_capture_on_commit_callbacks, dry_run=True)
    dry_counts = (checked.rows_created, checked.rows_updated, checked.rows_failed, checked.rows_flagged)
    # when the clerk imports after the dry run
    client_import = run(client_import, importer, django_capture_on_commit_callbacks, dry_run=False)
    # then the good rows are stored, cleansed, as imported clients; the dry run told the truth
    assert client_import.state == "done"
    assert (
        client_import.rows_created,
        client_import.rows_updated,
        client_import.rows_failed,
        client_import.rows_flagged,
    ) == dry_counts
    assert Client.objects.count() == 5
    assert set(Client.objects.values_list("source", flat=True)) == {ClientSource.IMPORT}
    kovacs = Client.objects.get(family_name="Kovács-Szőke")
    assert (kovacs.name_prefix, kovacs.given_names, kovacs.gender) == ("dr.", "Erzsébet", "female")
    assert (kovacs.birth_date, kovacs.loyalty_card_number) == (datetime.date(1975, 3, 12), "HK12345678")
    assert [p.number for p in kovacs.phones.all()] == ["+36301234567"]  # row 6 wrote the same number
    assert [e.address for e in kovacs.emails.all()] == ["kovacs.erzsebet@freemail.hu"]
    address = kovacs.addresses.get()
    assert (address.street_name, address.street_type, address.house_number, address.district) == (
        "Alkotás",
        "utca",
        "7/B",
        12,
    )
    assert sorted(t.tag.name for t in kovacs.client_tags.select_related("tag")) == ["Hegyvidék Kártya", "nyugdíjas"]
    assert kovacs.consents.get(channel="newsletter").granted is True
    assert kovacs.notes.get().text == "második sor, ugyanaz a személy"
    nagy = Client.objects.get(family_name="Nagy")
    assert (nagy.given_names, nagy.emails.get().address) == ("Ödön Ferenc", "nagy.odon@gmail.com")
    assert nagy.phones.get().number == "+36209876543"
    papp = Client.objects.get(family_name="Papp")
    assert (papp.name_prefix, papp.given_names, papp.gender) == ("özv.", "Istvánné", "female")
    assert Client.objects.get(family_name="Lőrincz").birth_date == datetime.date(1955, 5, 3)
    # the invalid email is kept, marked, and in the cleanup queue as usual
    szucs = Client.objects.get(family_name="Szűcs")
    assert szucs.emails.get().validation_state == "invalid"
    assert CleanupItem.objects.filter(client=szucs, field="email", state="open").exists()
    assert szucs.phones.get().number == "+3612345678"
    # and the report links each row to its client
    rows = report(client_import, dry_run=False)
    assert rows[2].client == kovacs and rows[6].client == kovacs and rows[6].outcome == "updated"
    assert rows[5].client is None and rows[5].values[0] == "ifj. Tóth Béla"
    assert ClientChange.objects.filter(client=kovacs, action="created", source="import", actor=importer).exists()


def test_the_failed_rows_download_has_the_reason_and_can_be_fixed_and_uploaded_again(
    importer, importer_client, django_capture_on_commit_callbacks
):
    client_import = run(upload(importer), importer, django_capture_on_commit_callbacks, dry_run=False)
    # when the clerk downloads the failed rows
    response = importer_client.get(f"{BASE}/{client_import.pk}/failed.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    # then it has the file's header with the row and the reason, and only the failed rows
    assert rows[0] == [*client_import.headers, "Row", "Reason"]
    assert [(r[0], r[-2]) for r in rows[1:]] == [("ifj. Tóth Béla", "5"), ("Fehér Anna", "8")]
    assert "is not a date" in rows[1][-1]
    # when the clerk fixes them and uploads the file again
    rows[1][3] = "1990.12.24."
    rows[2][8] = "nem"
    fixed = io.StringIO()
    csv.writer(fixed, delimiter=";").writerows(rows)
    again = upload(importer, name="javitott.csv", data=fixed.getvalue().encode("utf-8-sig"))
    assert again.mapping[-2:] == ["ignore", "ignore"]
    again = run(again, importer, django_capture_on_commit_callbacks, dry_run=False)
    # then both are imported
    assert (again.rows_created, again.rows_failed) == (2, 0)
    assert Client.objects.get(family_name="Tóth").name_prefix == "ifj."


def test_a_job_that_dies_half_way_resumes_without_importing_a_row_twice(
    importer, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(import_run, "BATCH_ROWS", 2)
    client_import = upload(importer)
    with django_capture_on_commit_callbacks(execute=True):
        import_start(client_import=client_import, user=importer, dry_run=False, language="en")
    # given a worker that dies while saving row 7 (the 6th data row, in the third batch)
    real_save = import_run.client_save

    def dying_save(**kwargs):
        if kwargs["data"].family_name == "Lőrincz":
            raise RuntimeError("worker killed")
        return real_save(**kwargs)

    monkeypatch.setattr(import_run, "client_save", dying_save)
    with pytest.raises(RuntimeError):
        import_process(import_id=client_import.pk)
    client_import.refresh_from_db()
    # then the two batches before it are kept, the third is rolled back whole
    assert (client_import.state, client_import.processed) == ("importing", 4)
    assert sorted(report(client_import, dry_run=False)) == [2, 3, 4, 5]
    assert Client.objects.count() == 3
    # when the job is delivered again
    monkeypatch.setattr(import_run, "client_save", real_save)
    import_process(import_id=client_import.pk)
    client_import.refresh_from_db()
    # then it resumes after the last committed batch: every row once, no client twice
    assert client_import.state == "done"
    assert sorted(report(client_import, dry_run=False)) == [2, 3, 4, 5, 6, 7, 8, 10]
    assert (client_import.rows_created, client_import.rows_updated, client_import.rows_failed) == (5, 1, 2)
    assert Client.objects.count() == 5
    assert Client.objects.filter(family_name="Kovács-Szőke").count() == 1
    assert client_import.attempts == 2
    # and a message delivered once more changes nothing
    import_process(import_id=client_import.pk)
    assert Client.objects.count() == 5 and ClientImportRow.objects.filter(dry_run=False).count() == 8


def test_matching_by_email_updates_an_existing_client_and_always_create_flags_it(
    importer, django_capture_on_commit_callbacks
):
    existing = client_save(
        data=ClientData(family_name="Nagy", given_names="Ödön", emails=[EmailData(address="nagy.odon@gmail.com")]),
        user=importer,
    ).client
    # when the file is imported matching existing clients
    client_import = upload(importer)
    client_import = run(client_import, importer, django_capture_on_commit_callbacks, dry_run=False)
    # then the client with the same email is updated, not created again
    row = report(client_import, dry_run=False)[3]
    assert (row.outcome, row.client_id) == ("updated", existing.pk)
    existing.refresh_from_db()
    assert (existing.given_names, existing.birth_date) == ("Ödön Ferenc", datetime.date(1980, 5, 17))
    assert existing.source == ClientSource.STAFF and existing.phones.get().number == "+36209876543"
    assert existing.consents.get(channel="newsletter").granted is False
    # when another file is imported creating every row as a new client
    other = upload(importer, name="masodik.csv")
    import_mapping_save(client_import=other, mapping=other.mapping, match_by="create", user=importer)
    other = run(other, importer, django_capture_on_commit_callbacks, dry_run=True)
    rows = report(other, dry_run=True)
    # then the rows are created, flagged as likely duplicates; a card number is never given twice
    assert rows[2].outcome == "failed"
    assert rows[2].messages == ["This Hegyvidék Kártya number belongs to another client."]
    assert rows[3].outcome == "created" and rows[3].flagged
    assert rows[3].messages[0].startswith(f"Possibly the same person as Nagy Ödön Ferenc (#{existing.pk}): ")
    assert rows[6].outcome == "created" and rows[6].flagged


def test_always_create_flags_rows_of_the_same_file_with_the_same_email(importer, django_capture_on_commit_callbacks):
    data = "Név;E-mail;Kártyaszám\r\nKiss Anna;anna@example.hu;HK111111\r\nKiss Anna;ANNA@example.hu;\r\n"
    data += "Kiss Anna Mária;;HK111111\r\n"
    client_import = upload(importer, name="kiss.csv", data=data.encode())
    import_mapping_save(client_import=client_import, mapping=client_import.mapping, match_by="create", user=importer)
    client_import = run(client_import, importer, django_capture_on_commit_callbacks, dry_run=False)
    rows = report(client_import, dry_run=False)
    assert (rows[2].outcome, rows[3].outcome, rows[4].outcome) == ("created", "created", "failed")
    assert rows[3].flagged and rows[3].messages == ["The same email address as row 2: possibly the same person."]
    assert rows[4].messages == ["Row 2 has the same Hegyvidék Kártya number: a card belongs to one client."]
    assert Client.objects.count() == 2


def test_an_xlsx_file_with_dates_and_numbers_is_imported(importer, django_capture_on_commit_callbacks):
    # given an XLSX where Excel stored dates as dates and numbers as numbers
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Vezetéknév", "Keresztnév", "Neme", "Születési dátum", "E-mail", "Mobil", "Irányítószám", "Utca",
                  "Házszám", "Hírlevél", "SMS"])  # fmt: skip
    sheet.append(["Horváth", "Ágnes", "nő", datetime.datetime(1988, 2, 29), "agnes.horvath@gmail.com", 6301234567,
                  1126, "Böszörményi út", "12/B", "igen", 0])  # fmt: skip
    sheet.append(["Kiss", "Ferenc", "férfi", 29358, "kiss.ferenc@freemail.hu", 36205556677, 1124, "Németvölgyi út",
                  3, "nem", "x"])  # fmt: skip
    sheet.append([None] * 11)
    sheet.append(["Fehér", "Ödön", None, "1980.02.30.", None, "06 1 234 5678", None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client_import = upload(importer, name="ugyfelek.xlsx", data=buffer.getvalue())
    assert client_import.format == "xlsx" and client_import.total_rows == 3
    assert client_import.mapping == [
        "family_name", "given_names", "gender", "birth_date", "email", "phone", "postcode", "street",
        "house_number", "newsletter", "sms",
    ]  # fmt: skip
    # when it is imported
    client_import = run(client_import, importer, django_capture_on_commit_callbacks, dry_run=False)
    # then the dates, phone numbers and postcodes are read as the clerk meant them
    assert (client_import.rows_created, client_import.rows_failed) == (2, 1)
    horvath = Client.objects.get(family_name="Horváth")
    assert (horvath.birth_date, horvath.gender, horvath.gender_source) == (
        datetime.date(1988, 2, 29),
        "female",
        "stated",
    )
    assert horvath.phones.get().number == "+36301234567"
    assert (horvath.addresses.get().postcode, horvath.addresses.get().house_number) == ("1126", "12/B")
    assert {c.channel: c.granted for c in horvath.consents.all()} == {"newsletter": True, "sms": False}
    kiss = Client.objects.get(family_name="Kiss")
    assert kiss.birth_date == datetime.date(1980, 5, 17) and kiss.phones.get().number == "+36205556677"
    failed = report(client_import, dry_run=False)[5]
    assert failed.outcome == "failed" and failed.messages == ["The date of birth 1980.02.30. is not a date."]


# --- bad files ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("ures.csv", b"", "The file is empty."),
        ("regi.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "This is an old Excel (.xls) file."),
        ("kep.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "Only CSV and Excel (.xlsx) files can be imported."),
        ("hamis.xlsx", b"PK\x03\x04not really a zip", "The file is not a valid Excel (.xlsx) file."),
        ("csak_fejlec.csv", "Név;E-mail\r\n".encode(), "The file has a header row but no data rows."),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_the_reason(importer, name, data, message):
    with pytest.raises(CrmError) as caught:
        upload(importer, name=name, data=data)
    assert caught.value.code == "import_file_invalid" and caught.value.message.startswith(message)
    assert ClientImport.objects.count() == 0


def test_too_big_a_file_and_too_many_rows_are_refused(importer, importer_client, monkeypatch):
    from crm.imports import parsing

    # when the clerk uploads a file over the size limit
    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(import_run, "MAX_FILE_BYTES", 1000)
    big = ("Név;E-mail\r\n" + "Kiss Anna;anna@example.hu\r\n" * 100).encode()
    response = importer_client.post(f"{BASE}/", {"file": SimpleUploadedFile("nagy.csv", big)})
    # then the page says so at the top and by the field
    assert response.status_code == 400
    assert "The file is larger than 0 MB. Split it into smaller files." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    monkeypatch.undo()
    monkeypatch.setattr(parsing, "MAX_ROWS", 50)
    with pytest.raises(CrmError, match="more than 50 rows"):
        upload(importer, name="sok.csv", data=big)
    assert ClientImport.objects.count() == 0


def test_a_mapping_without_a_name_email_or_phone_or_with_a_field_twice_is_refused(importer):
    client_import = upload(importer)
    mapping = ["ignore"] * len(client_import.headers)
    with pytest.raises(CrmError, match="Map at least a name"):
        import_mapping_save(client_import=client_import, mapping=mapping, match_by="create", user=importer)
    twice = ["email", "email", *client_import.mapping[2:]]
    with pytest.raises(CrmError, match="Email is chosen for column 1 and column 2"):
        import_mapping_save(client_import=client_import, mapping=twice, match_by="create", user=importer)


# --- the screens ----------------------------------------------------------------------------------
def test_the_clerk_uploads_maps_and_watches_the_progress(importer_client, django_capture_on_commit_callbacks):
    # when the clerk uploads the file on the import page
    page = importer_client.get(f"{BASE}/")
    assert page.status_code == 200 and "File of clients" in page.content.decode()
    response = importer_client.post(f"{BASE}/", {"file": SimpleUploadedFile(CP1250_CSV.name, CP1250_CSV.read_bytes())})
    client_import = ClientImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{client_import.pk}/mapping/"
    # then the mapping page shows the headers, the first rows and the guessed fields
    html = importer_client.get(response["Location"]).content.decode()
    assert "Születési dátum" in html and "dr. Kovács-Szőke Erzsébet" in html
    assert '<option value="full_name" selected>' in html
    # when the clerk starts the dry run with the mapping as guessed
    form = {f"column_{i}": target for i, target in enumerate(client_import.mapping)}
    with django_capture_on_commit_callbacks() as callbacks:
        response = importer_client.post(response["Location"], {**form, "match_by": "email_card", "action": "check"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{client_import.pk}/"
    assert len(callbacks) == 1  # the job is sent after commit
    # then the import page shows a progress bar fed by the status endpoint
    html = importer_client.get(response["Location"]).content.decode()
    assert '<progress id="import-progress" max="8" value="0"' in html
    assert (
        'role="status" aria-live="polite"' in html
        and "backend/job_progress.js" in html
        and "data-reload-when-finished" in html
    )
    status = importer_client.get(f"{BASE}/{client_import.pk}/status/").json()
    assert (status["state"], status["processed"], status["total"], status["finished"]) == ("checking", 0, 8, False)
    # when the job has run
    import_process(import_id=client_import.pk)
    status = importer_client.get(f"{BASE}/{client_import.pk}/status/").json()
    assert (status["state"], status["percent"], status["finished"]) == ("checked", 100, True)
    assert status["counts"] == {"created": 5, "updated": 1, "flagged": status["counts"]["flagged"], "failed": 2}
    # then the page shows the summary and the report, and the clerk imports
    html = importer_client.get(f"{BASE}/{client_import.pk}/?show=failed").content.decode()
    assert "<progress" not in html and "Report of the dry run" in html and "1990.13.45." in html
    with django_capture_on_commit_callbacks(execute=False):
        response = importer_client.post(f"{BASE}/{client_import.pk}/")
    assert response.status_code == 302
    client_import.refresh_from_db()
    assert (client_import.state, client_import.dry_run, client_import.started_by.email) == (
        "importing",
        False,
        "import@hegyvidek.example",
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_import_in_the_background(importer_client, broker, worker):
    from crm.tasks import client_import_run  # noqa: F401 - the actor is declared on this broker

    importer_client.post(f"{BASE}/", {"file": SimpleUploadedFile(CP1250_CSV.name, CP1250_CSV.read_bytes())})
    client_import = ClientImport.objects.get()
    form = {f"column_{i}": target for i, target in enumerate(client_import.mapping)}
    importer_client.post(f"{BASE}/{client_import.pk}/mapping/", {**form, "match_by": "email_card", "action": "import"})
    broker.join("crm", timeout=60_000)
    worker.join()
    status = importer_client.get(f"{BASE}/{client_import.pk}/status/").json()
    assert (status["state"], status["counts"]["created"], status["counts"]["failed"]) == ("done", 5, 2)
    assert Client.objects.count() == 5


@pytest.mark.parametrize("who", ["anonymous", "staff_without_permission"])
def test_only_staff_allowed_to_import_clients_reach_the_import(
    client, who, importer, django_capture_on_commit_callbacks
):
    client_import = upload(importer)
    if who == "staff_without_permission":
        login_staff_with_mfa(client, staff_user(role="editor", email="editor@hegyvidek.example"))
    urls = [f"{BASE}/", f"{BASE}/{client_import.pk}/", f"{BASE}/{client_import.pk}/mapping/",
            f"{BASE}/{client_import.pk}/status/", f"{BASE}/{client_import.pk}/failed.csv"]  # fmt: skip
    for url in urls:
        response = client.get(url)
        # Wagtail sends a signed-in member of staff without the permission back to the dashboard
        assert response.status_code == 302, url
        if who == "anonymous":
            assert "login" in response["Location"], url
        else:
            assert response["Location"] == "/admin/", url
    # and posting changes nothing
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"{BASE}/", {"file": SimpleUploadedFile("a.csv", CP1250_CSV.read_bytes())})
        client.post(f"{BASE}/{client_import.pk}/")
    assert ClientImport.objects.count() == 1 and not callbacks
    client_import.refresh_from_db()
    assert client_import.state == "uploaded"


def test_the_services_refuse_someone_without_the_import_permission(importer):
    editor = staff_user(role="editor", email="editor@hegyvidek.example")
    with pytest.raises(CrmError) as caught:
        upload(editor)
    assert caught.value.code == "permission_denied"
    client_import = upload(importer)
    with pytest.raises(CrmError):
        import_start(client_import=client_import, user=editor, dry_run=True)
    client_import.refresh_from_db()
    assert client_import.state == "uploaded"


def test_a_running_or_finished_import_cannot_be_started_again(importer, django_capture_on_commit_callbacks):
    client_import = upload(importer)
    with django_capture_on_commit_callbacks():
        import_start(client_import=client_import, user=importer, dry_run=False)
    with pytest.raises(CrmError, match="running already"):
        import_start(client_import=client_import, user=importer, dry_run=True)
    import_process(import_id=client_import.pk)
    with pytest.raises(CrmError, match="imported already"):
        import_start(client_import=client_import, user=importer, dry_run=False)
    with pytest.raises(CrmError, match="can no longer be changed"):
        import_mapping_save(
            client_import=client_import, mapping=client_import.mapping, match_by="create", user=importer
        )
