"""The SMTP sink: messages sent with smtplib (and Django) land as parseable files."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

import pytest
from django.core.mail import EmailMultiAlternatives

from integrations.mail.sink import list_messages, read_message, wait_for_message

SUBJECT = "Kérelme beérkezett – árvíztűrő tükörfúrógép"


def send(host: str, port: int, *, bcc: str | None = None) -> None:
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = "Hegyvidék e-Portál <ugyfelkapu@hegyvidek.hu>"
    message["To"] = "Kovács Anna <kovacs.anna@example.hu>"
    message.set_content("Kedves Kovács Anna!\n\nKérelmét iktattuk: https://example.hu/ugy/1\n")
    message.add_alternative(
        '<p>Kedves Kovács Anna!</p><p><a href="https://example.hu/ugy/1">Ügy megnyitása</a></p>', subtype="html"
    )
    with smtplib.SMTP(host, port, timeout=5) as smtp:
        smtp.send_message(message, to_addrs=["kovacs.anna@example.hu", *([bcc] if bcc else [])])


def test_sent_message_is_stored_and_parses(mail_sink):
    # given a running sink
    directory, host, port = mail_sink

    # when a multipart message with an accented subject is sent to it
    send(host, port)

    # then exactly one .eml file appears, named <timestamp>-<id>, and nothing half-written remains
    files = sorted(p.name for p in directory.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{12}\.eml", files[0])
    # and it reads back exactly
    [summary] = list_messages(directory)
    assert (summary.subject, summary.to) == (SUBJECT, ["kovacs.anna@example.hu"])
    message = read_message(directory, summary.id)
    assert message.subject == SUBJECT
    assert message.from_ == "Hegyvidék e-Portál <ugyfelkapu@hegyvidek.hu>"
    assert message.to == ["kovacs.anna@example.hu"]
    assert message.text == "Kedves Kovács Anna!\n\nKérelmét iktattuk: https://example.hu/ugy/1\n"
    assert message.html == '<p>Kedves Kovács Anna!</p><p><a href="https://example.hu/ugy/1">Ügy megnyitása</a></p>\n'
    assert message.envelope_to == ["kovacs.anna@example.hu"]
    assert message.date is None  # smtplib adds no Date; Django does


def test_bcc_recipients_are_kept_from_the_envelope(mail_sink):
    directory, host, port = mail_sink
    send(host, port, bcc="titkos@example.hu")
    message = read_message(directory, list_messages(directory)[0].id)
    assert message.envelope_to == ["kovacs.anna@example.hu", "titkos@example.hu"]
    assert message.to == ["kovacs.anna@example.hu"]


def test_django_mail_reaches_the_sink_newest_first(settings, mail_sink):
    # given Django pointed at the sink
    directory, host, port = mail_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port

    # when two messages are sent through Django's SMTP backend
    for n in (1, 2):
        mail = EmailMultiAlternatives(f"Hírlevél {n}. szám", "Szöveg", to=["nagy.peter@example.hu"])
        mail.attach_alternative(f"<h1>Hírlevél {n}.</h1>", "text/html")
        mail.send()

    # then both are listed, newest first, with a Date
    messages = list_messages(directory)
    assert [m.subject for m in messages] == ["Hírlevél 2. szám", "Hírlevél 1. szám"]
    assert all(m.date is not None for m in messages)
    assert wait_for_message(directory, lambda m: "Hírlevél 1." in m.html, timeout_s=1).subject == "Hírlevél 1. szám"


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "20250101T000000000000Z-zzzzzzzzzzzz", ""])
def test_reader_refuses_ids_that_are_not_message_ids(tmp_path, bad_id):
    with pytest.raises(FileNotFoundError):
        read_message(tmp_path, bad_id)


def test_empty_or_missing_directory_lists_nothing(tmp_path):
    assert list_messages(tmp_path / "nothing-here") == []
