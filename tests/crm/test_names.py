"""The first-name database: the bundled list, gender inference, the official lists' import, staff
corrections and their screen."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import include, path
from django.utils import timezone
from wagtail.admin.auth import require_admin_access
from wagtail.models import ModelLogEntry
from wagtail.utils.urlpatterns import decorate_urlpatterns

from backend.urls import urlpatterns as project_urlpatterns
from crm import names
from crm.models import GivenName
from crm.names import (
    ImportResult,
    gender_infer,
    given_name_set_gender,
    given_names_cache_clear,
    given_names_import,
    load_builtin_given_names,
)
from crm.names_admin import GivenNameViewSet
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

# The viewset is registered by the CRM's admin hooks; this module's own URLconf mounts it so the
# staff screens can be tested without them, behind the admin's access check like the admin's own.
_given_name_viewset = GivenNameViewSet()
urlpatterns = [
    path(
        "admin/crm-given-names/",
        include(
            (decorate_urlpatterns(_given_name_viewset.get_urlpatterns(), require_admin_access), "crm_given_names"),
            namespace="crm_given_names",
        ),
    ),
    *project_urlpatterns,
]


@pytest.fixture(autouse=True)
def _fresh_name_cache():
    # each test's database rolls back; the per-process copy must not outlive it
    given_names_cache_clear()
    yield
    given_names_cache_clear()


@pytest.fixture
def crm_clerk(db):
    return staff_user(role="crm_clerk", email="crm@test.example")


def _bundled_rows() -> list[tuple[str, str]]:
    rows = []
    for line in names.DATA_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, gender = line.split("\t")
            rows.append((name, gender))
    return rows


def _import_file(tmp_path, content: bytes, *, gender: str) -> str:
    list_file = tmp_path / f"{gender}.txt"
    list_file.write_bytes(content)
    out = io.StringIO()
    call_command("crm_import_given_names", str(list_file), gender=gender, stdout=out)
    return out.getvalue().strip()


# --- the bundled list ------------------------------------------------------------------------------


def test_the_migration_loads_the_bundled_list():
    # given the database as the migrations leave it

    # then the common names are there with their accents, gender and source
    zsofia = GivenName.objects.get(key="zsofia")
    assert (zsofia.name, zsofia.gender, zsofia.source) == ("Zsófia", "female", "builtin")
    gergo = GivenName.objects.get(key="gergo")
    assert (gergo.name, gergo.gender, gergo.source) == ("Gergő", "male", "builtin")
    assert GivenName.objects.get(key="lorinc").name == "Lőrinc"
    assert GivenName.objects.filter(gender="female").count() >= 900
    assert GivenName.objects.filter(gender="male").count() >= 700


def test_the_bundled_list_is_well_formed():
    # given the bundled file
    rows = _bundled_rows()

    # then every line is a single name and a known gender, sorted by the accent-free name, once
    assert {gender for _name, gender in rows} <= {"female", "male", "both"}
    assert all(name.isalpha() and name[0].isupper() for name, _gender in rows)
    assert len({name for name, _gender in rows}) == len(rows)
    folded = [(names.fold(name), name) for name, _gender in rows]
    assert folded == sorted(folded)


def test_loading_the_bundled_list_again_adds_nothing_and_keeps_corrections(crm_clerk):
    # given the list loaded by the migration and one staff correction
    given_name_set_gender(name="Luca", gender="both", user=crm_clerk)
    before = GivenName.objects.count()

    # when it is loaded again
    count = load_builtin_given_names(GivenName)

    # then nothing is added twice and the correction stays
    assert count == before
    assert GivenName.objects.count() == before
    assert GivenName.objects.get(key="luca").gender == "both"


def test_spellings_that_differ_only_in_accents_share_one_entry():
    # given two spellings of the same name of the bundled list (Kira, Kíra)

    # then there is one row, named after the first spelling, with their common gender
    assert list(GivenName.objects.filter(key="kira").values_list("name", "gender")) == [("Kira", "female")]
    # and two names of different gender that fold alike are "both"
    assert GivenName.objects.get(key="dalia").gender == "both"
    assert GivenName.objects.get(key="zeta").gender == "both"


# --- inference -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("Anna", "female"),
        ("Mária", "female"),
        ("Erzsébet", "female"),
        ("Ildikó", "female"),
        ("Tünde", "female"),
        ("Gyöngyi", "female"),
        ("Bíborka", "female"),
        ("Csenge", "female"),
        ("Luca", "female"),
        ("László", "male"),
        ("Ödön", "male"),
        ("Győző", "male"),
        ("Lőrinc", "male"),
        ("Bendegúz", "male"),
        ("Zsombor", "male"),
        ("Csenger", "male"),
        ("Huba", "male"),
    ],
)
def test_common_hungarian_names(given_names, gender):
    assert gender_infer(given_names) == gender


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("Anna Mária", "female"),
        ("Mária Magdolna", "female"),
        ("Ádám Krisztián", "male"),
        ("Anna-Mária", "female"),
        ("Kinga  Szilvia", "female"),
        # the first name decides, as in "Rainer Maria" (a Catholic custom)
        ("József Mária", "male"),
        ("Mária József", "female"),
    ],
)
def test_double_given_names(given_names, gender):
    assert gender_infer(given_names) == gender


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("Zsofia", "female"),
        ("zsófia", "female"),
        ("GERGO", "male"),
        ("ODON", "male"),
        ("lorinc", "male"),
        ("Agnes Eva", "female"),
    ],
)
def test_accents_and_capitals_do_not_matter(given_names, gender):
    assert gender_infer(given_names) == gender


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("dr. Anna", "female"),
        ("Dr. Szabó-Kiss Gergő", "male"),
        ("ifj. Gergő", "male"),
        ("id. Kovács Ödön", "male"),
        ("özv. Jánosné", "female"),
        ("Zs. Katalin", "female"),
        ("dr.Tünde", "female"),
    ],
)
def test_titles_and_abbreviations_are_skipped(given_names, gender):
    assert gender_infer(given_names) == gender


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("Jánosné", "female"),  # Kovács Jánosné: Mrs János Kovács
        ("Bélané", "female"),
        ("Imréné", "female"),
        ("Istvánné", "female"),
        ("Lőrincné", "female"),
        ("Janosne", "female"),  # typed without accents: the husband's name is a known one
        ("René", "male"),  # a name, not a married form
    ],
)
def test_married_names(given_names, gender):
    assert gender_infer(given_names) == gender


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("John", "male"),
        ("Jennifer", "female"),
        ("Mohammed", "male"),
        ("Antoine", "male"),  # ends in -ne, and is no married form
        ("Chloé", "female"),
        ("Emily Rose", "female"),
    ],
)
def test_foreign_names_fall_back_to_the_library(given_names, gender):
    assert gender_infer(given_names) == gender


@pytest.mark.parametrize("given_names", ["", "   ", "dr.", "Xqzvw", "Xqzvw Brrmp", "12", "-"])
def test_unknown_names_give_no_gender(given_names):
    assert gender_infer(given_names) == ""


def test_an_unknown_or_both_first_name_passes_to_the_next(crm_clerk):
    # given "Alex", which staff marked as a name of both genders
    given_name_set_gender(name="Alex", gender="both", user=crm_clerk)

    # then the next given name decides, and alone it decides nothing
    assert gender_infer("Alex Zsófia") == "female"
    assert gender_infer("Alex Dániel") == "male"
    assert gender_infer("Alex") == ""
    assert gender_infer("Xqzvw Bence") == "male"


@pytest.mark.parametrize(
    ("given_names", "gender"),
    [
        ("Dália", "female"),  # the flower
        ("Zéta", "male"),
        ("Dália Zsuzsanna", "female"),
        ("Zéta Ödön", "male"),
        # with accents elsewhere in the text, the accent-free spelling is the other name
        ("Dalia Mária", "male"),
        ("Zeta Ágnes", "female"),
        # without any accent the text may have lost them: ambiguous, the next name decides
        ("Dalia", ""),
        ("Dalia Maria", "female"),
        ("ZETA ODON", "male"),
    ],
)
def test_an_exact_spelling_decides_between_names_that_differ_only_in_accents(given_names, gender):
    assert gender_infer(given_names) == gender


def test_inferring_many_names_reads_the_table_once(django_assert_max_num_queries):
    # given an import's worth of given names
    batch = [f"{first} {second}" for first in ("Anna", "Gergő", "Zsofia", "Jánosné") for second in ("Mária", "Ödön")]
    batch *= 500

    # when their gender is inferred, then the table is read once, not once per name
    with django_assert_max_num_queries(2):
        results = [gender_infer(given_names) for given_names in batch]
    assert results.count("female") == 3000 and results.count("male") == 1000


def test_the_cache_notices_a_change_by_another_process_after_its_interval(monkeypatch):
    # given an inference cached in this process
    assert gender_infer("Hanna") == "female"

    # when the table changes behind its back (another worker) and the check interval has passed
    GivenName.objects.filter(key="hanna").update(gender="both", updated_at=timezone.now())
    monkeypatch.setattr(names, "CHECK_EVERY_S", 0)

    # then the next inference sees the change
    assert gender_infer("Hanna") == ""


# --- staff corrections -----------------------------------------------------------------------------


def test_a_staff_correction_is_marked_audited_and_used_at_once(crm_clerk):
    # given "Alex" of the bundled list, male
    assert gender_infer("Alex Zsófia") == "male"

    # when a clerk marks it as a name of both genders
    entry = given_name_set_gender(name="Alex", gender="both", user=crm_clerk)

    # then it is a staff entry with who and when, audited, and inference uses it at once
    entry.refresh_from_db()
    assert (entry.name, entry.gender, entry.source, entry.updated_by) == ("Alex", "both", "staff", crm_clerk)
    log_entry = ModelLogEntry.objects.get(action="crm.given_name_corrected", object_id=str(entry.pk))
    assert log_entry.user_id == crm_clerk.pk
    assert log_entry.data == {
        "name": "Alex",
        "gender": "both",
        "before": {"name": "Alex", "gender": "male", "source": "builtin"},
    }
    assert gender_infer("Alex Zsófia") == "female"


def test_the_correction_is_a_registered_audit_action():
    from wagtail.log_actions import registry

    assert registry.action_exists("crm.given_name_corrected")
    assert str(registry.get_action_label("crm.given_name_corrected")) == "Correct given name"


def test_a_staff_correction_adds_a_missing_name(crm_clerk):
    # when a clerk adds a name of the official list that the bundled list lacks, typed in capitals
    entry = given_name_set_gender(name="  TŰZVIRÁG ", gender="female", user=crm_clerk)

    # then it is stored as written in a list, under its folded key
    assert (entry.name, entry.key, entry.gender, entry.source) == ("Tűzvirág", "tuzvirag", "female", "staff")
    assert ModelLogEntry.objects.get(action="crm.given_name_corrected").data["before"] is None
    assert gender_infer("Tuzvirag") == "female"


@pytest.mark.parametrize("name", ["", "Anna Mária", "Anna-Mária", "R2D2", "A"])
def test_a_correction_needs_a_single_name(crm_clerk, name):
    with pytest.raises(ValidationError):
        given_name_set_gender(name=name, gender="female", user=crm_clerk)
    assert not ModelLogEntry.objects.filter(action="crm.given_name_corrected").exists()


def test_a_correction_needs_a_known_gender(crm_clerk):
    with pytest.raises(ValidationError):
        given_name_set_gender(name="Anna", gender="unknown", user=crm_clerk)
    assert GivenName.objects.get(key="anna").gender == "female"


# --- the official lists ----------------------------------------------------------------------------


def test_importing_a_utf8_list(tmp_path):
    # given the official female list: one known name, three new ones, a heading, a number, blanks
    content = "Női utónevek\nZsófia\nTűzvirág\n\n  Szellőke  \nŐzike\n2024\n\n".encode()

    # when it is imported
    output = _import_file(tmp_path, content, gender="female")

    # then the new names are added and the known one now comes from the official list
    assert output == (
        "Given names imported as female: 3 created, 1 updated, 0 unchanged, 2 lines skipped (not a name)."
    )
    assert list(
        GivenName.objects.filter(key__in=["zsofia", "tuzvirag", "szelloke", "ozike"])
        .order_by("key")
        .values_list("name", "gender", "source")
    ) == [
        ("Őzike", "female", "official"),
        ("Szellőke", "female", "official"),
        ("Tűzvirág", "female", "official"),
        ("Zsófia", "female", "official"),
    ]
    assert gender_infer("Szellőke Anna") == "female"

    # and importing it again changes nothing
    assert _import_file(tmp_path, content, gender="female") == (
        "Given names imported as female: 0 created, 0 updated, 4 unchanged, 2 lines skipped (not a name)."
    )


def test_importing_a_latin2_list(tmp_path):
    # given the official male list saved in Latin-2, with ő and ű
    content = "Bedő\nRegős\nŐze\nErdő\nLőrinc\nGyőző\n".encode("iso-8859-2")

    # when it is imported
    output = _import_file(tmp_path, content, gender="male")

    # then the names are read with their accents intact
    assert output == "Given names imported as male: 4 created, 2 updated, 0 unchanged, 0 lines skipped (not a name)."
    assert set(GivenName.objects.filter(source="official").values_list("name", flat=True)) == {
        "Bedő",
        "Regős",
        "Őze",
        "Erdő",
        "Lőrinc",
        "Győző",
    }
    assert gender_infer("Bedő") == "male"


def test_importing_a_windows_1250_list_with_typographic_quotes():
    # given a list saved by a Windows editor: a quoted heading, then names with ő and ű
    content = "„Férfi utónevek”\r\nŐze\r\nErdő\r\n".encode("cp1250")

    # when it is imported
    result = given_names_import(content, gender="male")

    # then the heading is skipped and the names keep their accents
    assert result == ImportResult(created=2, updated=0, unchanged=0, skipped=1)
    assert GivenName.objects.get(key="oze").name == "Őze"


def test_importing_a_utf8_list_with_a_byte_order_mark():
    result = given_names_import("\ufeffRegős\nBedő\n".encode(), gender="male")

    assert result == ImportResult(created=2, updated=0, unchanged=0, skipped=0)
    assert GivenName.objects.get(key="regos").name == "Regős"


def test_importing_lines_of_text():
    result = given_names_import(["Tűzvirág", "  ", "ŐZIKE", "Anna Mária"], gender="female")

    assert result == ImportResult(created=2, updated=0, unchanged=0, skipped=1)
    assert GivenName.objects.get(key="ozike").name == "Őzike"


def test_a_name_on_both_lists_is_of_both_genders():
    # given "Alex" on the official male list
    assert given_names_import(["Alex", "Bedő"], gender="male") == ImportResult(created=1, updated=1)

    # when the female list has it too
    result = given_names_import(["Alex", "Tűzvirág"], gender="female")

    # then it is "both", and the next given name decides
    assert result == ImportResult(created=1, updated=1)
    alex = GivenName.objects.get(key="alex")
    assert (alex.gender, alex.source) == ("both", "official")
    assert gender_infer("Alex Zsófia") == "female"
    assert gender_infer("Alex") == ""
    # and importing either list again keeps it "both"
    assert given_names_import(["Alex"], gender="male") == ImportResult(unchanged=1)
    assert GivenName.objects.get(key="alex").gender == "both"


def test_the_official_lists_split_an_accent_pair_again():
    # given the female list with "Dália" (the bundled pair said "both")
    given_names_import(["Dália"], gender="female")
    assert GivenName.objects.get(key="dalia").gender == "female"

    # when the male list with "Dalia" is imported too
    given_names_import(["Dalia"], gender="male")

    # then the key is "both" again and the exact spelling still decides
    assert GivenName.objects.get(key="dalia").gender == "both"
    assert gender_infer("Dália") == "female"
    assert gender_infer("Dalia Ödön") == "male"


def test_a_staff_correction_survives_a_reimport(tmp_path, crm_clerk):
    # given a clerk's decision that "Alex" is a name of both genders
    given_name_set_gender(name="Alex", gender="both", user=crm_clerk)

    # when the official lists are imported
    male = _import_file(tmp_path, "Alex\nBedő\n".encode(), gender="male")
    female = _import_file(tmp_path, "Alex\n".encode("iso-8859-2"), gender="female")

    # then the clerk's entry is untouched
    assert male == "Given names imported as male: 1 created, 0 updated, 1 unchanged, 0 lines skipped (not a name)."
    assert female == "Given names imported as female: 0 created, 0 updated, 1 unchanged, 0 lines skipped (not a name)."
    alex = GivenName.objects.get(key="alex")
    assert (alex.gender, alex.source, alex.updated_by) == ("both", "staff", crm_clerk)


def test_importing_from_standard_input(monkeypatch):
    # given the list piped in, in Latin-2
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Regős\nŐze\n".encode("iso-8859-2"))))
    out = io.StringIO()

    # when the file is "-"
    call_command("crm_import_given_names", "-", gender="male", stdout=out)

    # then standard input is read
    assert out.getvalue().strip() == (
        "Given names imported as male: 2 created, 0 updated, 0 unchanged, 0 lines skipped (not a name)."
    )
    assert GivenName.objects.get(key="oze").gender == "male"


def test_the_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"^No such file: .*/nincs\.txt$"):
        call_command("crm_import_given_names", str(tmp_path / "nincs.txt"), gender="female")


def test_the_import_command_refuses_an_unknown_gender(tmp_path):
    list_file = tmp_path / "list.txt"
    list_file.write_text("Anna\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"^Unknown gender “both”: use female or male\.$"):
        call_command("crm_import_given_names", str(list_file), gender="both")
    assert GivenName.objects.get(key="anna").source == "builtin"


def test_the_service_refuses_an_unknown_gender():
    with pytest.raises(ValueError, match="gender"):
        given_names_import(["Anna"], gender="both")


# --- the staff screen ------------------------------------------------------------------------------


@pytest.fixture
def crm_clerk_client(client, crm_clerk):
    return login_staff_with_mfa(client, crm_clerk)


@pytest.mark.urls(__name__)
def test_staff_search_the_names_without_accents_and_filter_them(crm_clerk_client):
    # when a clerk searches for "zsofia"
    response = crm_clerk_client.get("/admin/crm-given-names/", {"q": "zsofia"})

    # then Zsófia is listed, and Zsombor is not
    assert response.status_code == 200
    listed = [entry.name for entry in response.context["object_list"]]
    assert "Zsófia" in listed and "Zsombor" not in listed

    # and the gender and source filters narrow the search
    def listed(**filters):
        response = crm_clerk_client.get("/admin/crm-given-names/", {"q": "zsof", **filters})
        return {entry.name for entry in response.context["object_list"]}

    assert listed(gender="female", source="builtin") == {"Zsófi", "Zsófia"}
    assert listed(gender="male") == set()
    assert listed(source="staff") == set()


@pytest.mark.urls(__name__)
def test_staff_correct_a_name_on_the_edit_screen(crm_clerk_client, crm_clerk):
    # given the bundled "Alex", open on the edit screen
    alex = GivenName.objects.get(key="alex")
    response = crm_clerk_client.get(f"/admin/crm-given-names/edit/{alex.pk}/")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["name"], initial["gender"]) == ("Alex", "male")

    # when a clerk saves it as a name of both genders
    response = crm_clerk_client.post(f"/admin/crm-given-names/edit/{alex.pk}/", {"name": "Alex", "gender": "both"})

    # then it went through the correction: staff source, who, the audit entry
    assert response.status_code == 302 and response["Location"] == "/admin/crm-given-names/"
    alex.refresh_from_db()
    assert (alex.gender, alex.source, alex.updated_by) == ("both", "staff", crm_clerk)
    assert ModelLogEntry.objects.filter(action="crm.given_name_corrected", object_id=str(alex.pk)).count() == 1
    assert not ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(alex.pk)).exists()
    assert gender_infer("Alex Zsófia") == "female"


@pytest.mark.urls(__name__)
def test_staff_add_a_name(crm_clerk_client, crm_clerk):
    # when a clerk adds a name the list lacks
    assert crm_clerk_client.get("/admin/crm-given-names/new/").status_code == 200
    response = crm_clerk_client.post("/admin/crm-given-names/new/", {"name": "Tűzvirág", "gender": "female"})

    # then it is a staff entry, audited
    assert response.status_code == 302
    entry = GivenName.objects.get(key="tuzvirag")
    assert (entry.name, entry.gender, entry.source, entry.updated_by) == ("Tűzvirág", "female", "staff", crm_clerk)
    assert ModelLogEntry.objects.filter(action="crm.given_name_corrected", object_id=str(entry.pk)).exists()


@pytest.mark.urls(__name__)
def test_adding_a_name_already_listed_asks_to_correct_that_entry(crm_clerk_client):
    # when a clerk adds "Zsofia", an accent-free spelling of the listed "Zsófia"
    response = crm_clerk_client.post(
        "/admin/crm-given-names/new/", {"name": "Zsofia", "gender": "male"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    # then the form says so and nothing changes
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "“Zsofia” is already in the list as “Zsófia”; correct that entry instead."
    ]
    assert GivenName.objects.get(key="zsofia").gender == "female"
    assert not ModelLogEntry.objects.filter(action="crm.given_name_corrected").exists()


@pytest.mark.urls(__name__)
def test_the_edit_screen_changes_the_spelling_but_not_the_name(crm_clerk_client):
    # given "Kira" of the bundled list
    kira = GivenName.objects.get(key="kira")

    # when a clerk writes it with an accent, then the spelling changes
    response = crm_clerk_client.post(f"/admin/crm-given-names/edit/{kira.pk}/", {"name": "Kíra", "gender": "female"})
    assert response.status_code == 302
    kira.refresh_from_db()
    assert (kira.name, kira.source) == ("Kíra", "staff")

    # and when the clerk types another name, the form refuses it
    response = crm_clerk_client.post(
        f"/admin/crm-given-names/edit/{kira.pk}/", {"name": "Kinga", "gender": "female"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Only the spelling (accents, capitals) can change here; add a different name as a new entry."
    ]
    assert GivenName.objects.get(key="kira").name == "Kíra"


@pytest.mark.urls(__name__)
def test_staff_without_the_role_cannot_open_the_names(client):
    # given a clerk of the case office, without the CRM role
    login_staff_with_mfa(client, staff_user(role="clerk", email="ugyintezo@test.example"))

    # then Wagtail sends them back to the dashboard
    response = client.get("/admin/crm-given-names/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    alex = GivenName.objects.get(key="alex")
    response = client.post(f"/admin/crm-given-names/edit/{alex.pk}/", {"name": "Alex", "gender": "both"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert GivenName.objects.get(key="alex").gender == "male"
