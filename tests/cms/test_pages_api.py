"""The SPA reads published pages, in the visitor's language, without signing in."""

from __future__ import annotations

import pytest

from backend.demo import demo_data_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    demo_data_load()


@pytest.mark.parametrize(
    ("locale", "title", "heading"),
    [("hu", "Hegyvidék e-Portál", "Hogyan kezdjem?"), ("en", "Hegyvidék e-Portal", "How do I start?")],
)
def test_home_page_in_each_language_is_public(client, pages, locale, title, heading):
    response = client.get(f"/api/cms/pages/?type=cms.HomePage&locale={locale}&fields=intro,body")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 1 and items[0]["title"] == title
    body = items[0]["body"]
    assert body[0] == {"type": "heading", "value": heading, "id": body[0]["id"]}
    paragraph = next(block for block in body if block["type"] == "paragraph")
    assert paragraph["value"].startswith("<ol>")  # rendered HTML, not Wagtail's internal format


def test_standard_page_by_slug(client, pages):
    response = client.get("/api/cms/pages/?type=cms.StandardPage&locale=en&slug=e-ugyintezes&fields=intro,body")
    assert response.status_code == 200
    assert response.json()["items"][0]["title"] == "About e-administration"


def test_drafts_are_not_exposed(client, pages):
    from cms.models import StandardPage

    page = StandardPage.objects.get(slug="e-ugyintezes", locale__language_code="hu")
    page.unpublish()
    response = client.get("/api/cms/pages/?type=cms.StandardPage&locale=hu&fields=intro")
    assert response.json()["items"] == []


def test_service_pages_describe_the_permits_in_both_languages(client, pages):
    for locale, expected in (
        (
            "hu",
            [
                ("Lakossági várakozási hozzájárulás", "parking_permit", "Díjmentes"),
                ("Lakossági várakozási hozzájárulás további gépjárműre", "parking_permit_additional", "24 000 Ft / év"),
            ],
        ),
        (
            "en",
            [
                ("Residential parking permit", "parking_permit", "Free of charge"),
                ("Residential parking permit for a further vehicle", "parking_permit_additional", "HUF 24,000 a year"),
            ],
        ),
    ):
        response = client.get(
            f"/api/cms/pages/?type=cms.ServicePage&locale={locale}"
            "&fields=service_code,intro,who_can_apply,procedure,documents_needed,deadlines,fee,legal_basis"
        )
        assert response.status_code == 200
        items = response.json()["items"]
        assert [(page["title"], page["service_code"], page["fee"]) for page in items] == expected
        for page in items:
            assert page["who_can_apply"].startswith("<ul>") and page["procedure"][0]["type"] == "paragraph"
