"""Bulk import of clients from CSV/XLSX: `parsing` reads the file, `mapping` turns a row into
`ClientData` by the clerk's column mapping, `run` does the dry run and the real run in the
background (`crm.tasks.client_import_run`) and reports every row. See `run`'s docstring."""

from .mapping import TARGETS, mapping_guess, mapping_validate
from .parsing import MAX_FILE_BYTES, MAX_ROWS, table_read
from .run import (
    PERMISSION,
    import_fail,
    import_failed_rows_csv,
    import_mapping_save,
    import_process,
    import_start,
    import_status,
    import_upload,
    imports_stalled,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PERMISSION",
    "TARGETS",
    "import_fail",
    "import_failed_rows_csv",
    "import_mapping_save",
    "import_process",
    "import_start",
    "import_status",
    "import_upload",
    "imports_stalled",
    "mapping_guess",
    "mapping_validate",
    "table_read",
]
