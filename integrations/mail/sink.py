"""Development SMTP sink: accepts every message on 127.0.0.1:8025 and keeps it as a file.

Each message is written atomically (temporary file + rename) as
`<MAIL_SINK_DIR>/<UTC timestamp>-<random hex>.eml`; the file stem is the message id. The
envelope is kept in two added headers, `X-Sink-Envelope-From` and `X-Sink-Envelope-To`, so
Bcc recipients (newsletters) are visible too. Nothing is relayed anywhere.

Run alone: `python -m integrations.mail.sink [--host 127.0.0.1] [--port 8025] [--dir .data/mail]`
(env MAIL_SINK_HOST, MAIL_SINK_PORT, MAIL_SINK_DIR). From a test:
`controller, (host, port) = start_in_thread(directory=tmp_path)`; stop with `controller.stop()`.

The reader half (`list_messages`, `read_message`, `wait_for_message`) is plain stdlib `email`
with `policy.default`, used by the tests and by the /dev/mail/ page.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025
MESSAGE_ID_RE = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}$")


def default_directory() -> Path:
    env = os.environ.get("MAIL_SINK_DIR")
    if env:
        return Path(env)
    data_dir = os.environ.get("DATA_DIR")
    return (Path(data_dir) if data_dir else Path(__file__).resolve().parents[2] / ".data") / "mail"


# --- the SMTP side ---------------------------------------------------------------------------------
class SinkHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        envelope_headers = (
            f"X-Sink-Envelope-From: {envelope.mail_from}\r\nX-Sink-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        write_message(self.directory, envelope_headers + content)
        return "250 Message accepted for delivery"


def write_message(directory: Path, raw: bytes) -> str:
    """Store one raw message atomically; returns its id."""
    now = datetime.now(UTC)
    message_id = f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(6)}"
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(raw)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, directory / f"{message_id}.eml")
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return message_id


def make_controller(
    directory: Path | str | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> Controller:
    handler = SinkHandler(Path(directory) if directory else default_directory())
    # SMTPUTF8 so accented addresses and headers arrive as sent; no size limit worth hitting in dev.
    return Controller(handler, hostname=host, port=port, enable_SMTPUTF8=True, decode_data=False)


def start_in_thread(
    directory: Path | str | None = None, host: str = DEFAULT_HOST, port: int = 0
) -> tuple[Controller, tuple[str, int]]:
    """Start the sink on its own thread; returns (controller, (host, port)). `port=0` picks a free port."""
    if port == 0:
        port = _free_port(host)
    controller = make_controller(directory, host, port)
    controller.start()
    return controller, (host, port)


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# --- the reader side --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MessageSummary:
    id: str
    date: datetime | None
    from_: str
    to: list[str]
    subject: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class MailMessage:
    id: str
    subject: str
    from_: str
    to: list[str]
    cc: list[str]
    envelope_to: list[str]
    date: datetime | None
    text: str
    html: str
    headers: list[tuple[str, str]]
    attachments: list[Attachment] = field(default_factory=list)
    message: EmailMessage | None = field(default=None, repr=False, compare=False)


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        return BytesParser(policy=policy.default).parse(fh)  # type: ignore[return-value]


def _addresses(msg: EmailMessage, header: str) -> list[str]:
    values = [str(v) for v in msg.get_all(header, [])]
    return [addr for _name, addr in getaddresses(values) if addr]


def _date(msg: EmailMessage) -> datetime | None:
    value = msg.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None


def _paths(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.glob("*.eml") if MESSAGE_ID_RE.match(p.stem)), reverse=True)


def list_messages(directory: Path | str | None = None) -> list[MessageSummary]:
    """Messages in the sink, newest first."""
    result = []
    for path in _paths(Path(directory) if directory else default_directory()):
        msg = _parse(path)
        result.append(
            MessageSummary(
                id=path.stem,
                date=_date(msg),
                from_=str(msg.get("From", "")),
                to=_addresses(msg, "To"),
                subject=str(msg.get("Subject", "")),
            )
        )
    return result


def read_message(directory: Path | str | None, message_id: str) -> MailMessage:
    """One message, parsed; raises `FileNotFoundError` for an unknown or malformed id."""
    if not MESSAGE_ID_RE.match(message_id):
        raise FileNotFoundError(message_id)  # never let an id walk out of the directory
    path = (Path(directory) if directory else default_directory()) / f"{message_id}.eml"
    msg = _parse(path)
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    attachments = []
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        attachments.append(Attachment(part.get_filename() or "", part.get_content_type(), len(payload)))
    envelope_to = [a.strip() for a in str(msg.get("X-Sink-Envelope-To", "")).split(",") if a.strip()]
    return MailMessage(
        id=message_id,
        subject=str(msg.get("Subject", "")),
        from_=str(msg.get("From", "")),
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        envelope_to=envelope_to,
        date=_date(msg),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else "",
        headers=[(k, str(v)) for k, v in msg.items()],
        attachments=attachments,
        message=msg,
    )


def wait_for_message(
    directory: Path | str | None = None,
    predicate: Callable[[MailMessage], bool] = lambda m: True,
    *,
    timeout_s: float = 5.0,
    after: set[str] | None = None,
) -> MailMessage:
    """Poll until a message matching `predicate` (and not in `after`) arrives; raise TimeoutError."""
    deadline = time.monotonic() + timeout_s
    while True:
        for summary in list_messages(directory):
            if after and summary.id in after:
                continue
            message = read_message(directory, summary.id)
            if predicate(message):
                return message
        if time.monotonic() > deadline:
            raise TimeoutError("no matching message in the mail sink")
        time.sleep(0.05)


def clear_messages(directory: Path | str | None = None) -> int:
    """Delete every stored message; returns how many."""
    paths = _paths(Path(directory) if directory else default_directory())
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Development SMTP sink")
    parser.add_argument("--host", default=os.environ.get("MAIL_SINK_HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_SINK_PORT", str(DEFAULT_PORT))))
    parser.add_argument("--dir", default=str(default_directory()))
    args = parser.parse_args(argv)
    controller = make_controller(args.dir, args.host, args.port)
    controller.start()
    print(f"mail sink: smtp://{args.host}:{args.port} → {args.dir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
