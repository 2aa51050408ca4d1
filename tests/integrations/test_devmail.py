"""/dev/mail/: the developer's view of the SMTP sink."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

import pytest

pytestmark = [pytest.mark.urls("tests.integrations.devmail_urls"), pytest.mark.django_db]


@pytest.fixture
def caught(settings, mail_sink):
    """One message with a text and an HTML part (with a script that must never run) in the sink."""
    directory, host, port = mail_sink
    settings.MAIL_SINK_DIR = directory
    message = EmailMessage()
    message["Subject"] = "Erősítse meg e-mail címét"
    message["From"] = "ugyfelkapu@hegyvidek.hu"
    message["To"] = "toth.bence@example.hu"
    message.set_content("Kattintson ide: http://127.0.0.1:8000/account/verify-email/abc\n")
    message.add_alternative(
        '<p>Kattintson <a href="http://127.0.0.1:8000/account/verify-email/abc">ide</a>.</p>'
        '<script>alert("x")</script>',
        subtype="html",
    )
    with smtplib.SMTP(host, port, timeout=5) as smtp:
        smtp.send_message(message)
    return directory


def test_list_shows_messages_newest_first(client, caught):
    response = client.get("/dev/mail/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Beérkezett levelek" in page and "Received mail" in page
    assert "toth.bence@example.hu" in page
    match = re.search(r'href="/dev/mail/([^/"]+)/">Erősítse meg e-mail címét</a>', page)
    assert match is not None


def test_detail_renders_html_in_a_script_free_sandbox_and_links_the_text(client, caught):
    # given the list's link to the message
    message_id = re.search(r'href="/dev/mail/([^/"]+)/"', client.get("/dev/mail/").content.decode()).group(1)

    # when the detail page is opened
    response = client.get(f"/dev/mail/{message_id}/")

    # then the HTML part sits escaped in a sandboxed srcdoc frame that may not run scripts
    assert response.status_code == 200
    page = response.content.decode()
    iframe = re.search(r"<iframe [^>]*>", page).group(0)
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in iframe
    assert "allow-scripts" not in iframe and "allow-same-origin" not in iframe
    assert 'srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p&gt;Kattintson' in iframe
    assert "<script>" not in page
    # and the text part's link is clickable
    assert '<a href="http://127.0.0.1:8000/account/verify-email/abc" rel="nofollow">' in page


def test_json_views_serve_browser_tests(client, caught):
    listing = client.get("/dev/mail/messages.json").json()["messages"]
    assert [m["subject"] for m in listing] == ["Erősítse meg e-mail címét"]
    detail = client.get(f"/dev/mail/{listing[0]['id']}.json").json()
    assert detail["to"] == ["toth.bence@example.hu"]
    assert detail["text"] == "Kattintson ide: http://127.0.0.1:8000/account/verify-email/abc\n"


def test_unknown_message_is_404(client, caught):
    assert client.get("/dev/mail/20250101T000000000000Z-000000000000/").status_code == 404
    assert client.get("/dev/mail/..%2F..%2Fsecret/").status_code == 404
