"""Duplicate detection and merging of client records.

duplicates_for_data(data=ClientData, exclude_client_id=None)  likely duplicates of an entry
duplicates_of_client(client=)                                 ... of a stored client
duplicates_scan()                    the batch job: every active client, pairs stored
client_merge(...), client_unmerge(...), duplicate_pair_dismiss(...)   in `merge`
"""

from crm.duplicates.find import (
    DuplicateCandidate,
    duplicates_check_client,
    duplicates_for_data,
    duplicates_of_client,
    duplicates_scan,
)
from crm.duplicates.rules import THRESHOLD, Reason

__all__ = [
    "THRESHOLD",
    "DuplicateCandidate",
    "Reason",
    "duplicates_check_client",
    "duplicates_for_data",
    "duplicates_of_client",
    "duplicates_scan",
]
