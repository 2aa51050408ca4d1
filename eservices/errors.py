from __future__ import annotations

from enum import StrEnum

from backend.errors import ApplicationError


class ErrorCode(StrEnum):
    INVALID = "invalid"
    IDENTITY_LOCKED = "identity_locked"
    IDENTIFICATION_IN_PROGRESS = "identification_in_progress"
    IDENTIFICATION_NOT_DECIDABLE = "identification_not_decidable"
    PROFILE_INCOMPLETE = "profile_incomplete"
    NOT_IDENTIFIED = "not_identified"
    CASE_IN_PROGRESS = "case_in_progress"


class EservicesError(ApplicationError):
    pass
