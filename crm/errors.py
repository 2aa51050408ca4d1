"""The CRM's one error type. The API's exception handler turns it into
`{"code", "message", "fields"}` with its HTTP status (400 unless the code says otherwise)."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import ApplicationError


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    # a complex search (`crm.search.expression`) that is not well-formed; `fields["expression"]`
    # lists every problem with its path
    INVALID_EXPRESSION = "invalid_expression"
    DUPLICATE_LOYALTY_CARD = "duplicate_loyalty_card"
    # a merged or erased client is read-only
    CLIENT_NOT_ACTIVE = "client_not_active"
    MERGE_NOT_ALLOWED = "merge_not_allowed"
    # tag, group and saved-search names are unique
    DUPLICATE_NAME = "duplicate_name"
    # client imports (`crm.imports`): a file that cannot be read, a mapping that cannot be
    # used, an action the import's state does not allow (a run already going)
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_MAPPING_INVALID = "import_mapping_invalid"
    IMPORT_STATE = "import_state"
    # a new client looks like one already stored: the answer lists the `candidates`; the clerk
    # confirms it is a new person (`confirm_not_duplicate`) or opens the existing one
    POSSIBLE_DUPLICATES = "possible_duplicates"


#: Codes whose natural HTTP status is not 400; an explicit `http_status` still wins.
_HTTP_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.POSSIBLE_DUPLICATES: 409,
}


class CrmError(ApplicationError):
    def __init__(
        self, code: StrEnum | str, message: str, *, fields: dict | None = None, http_status: int | None = None
    ):
        if http_status is None:
            http_status = _HTTP_STATUS.get(str(code))
        super().__init__(code, message, fields=fields, http_status=http_status)
