"""Base of every app's `ApplicationError`: a stable code, a translated message, field errors."""

from __future__ import annotations

from enum import StrEnum


class ApplicationError(Exception):
    http_status = 400

    def __init__(
        self, code: StrEnum | str, message: str, *, fields: dict | None = None, http_status: int | None = None
    ):
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.fields = fields or {}
        if http_status is not None:
            self.http_status = http_status
