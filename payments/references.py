"""Payment references: ISO 11649 "RF" creditor references for orders.

A reference is `RF` + two check digits + a body of at most 21 letters/digits. The body is the
prefix (default "HV", Hegyvidék) and the order number, zero-padded to nine digits, so two
orders never share a reference: uniqueness comes from the order number, not from a lookup.

    reference_create(123456)            -> "RF93HV000123456"     (stored compact)
    reference_format("RF93HV000123456") -> "RF93 HV00 0123 456"  (printed in groups of four)

The check digits are ISO 7064 MOD 97-10 (as in IBAN): letters become 10..35, the first four
characters move to the end, and the resulting number is 1 modulo 97. That catches every wrong
digit typed for a digit (or letter for a letter) and every swap of two neighbours; a letter
typed for a digit ("O" for "0"), or a character added or left out, slips through once in 97.
That is what lets the matcher tell a mistyped reference from another order's reference.
The arithmetic is a few lines of stdlib, so no library is used for it (schwifty's documented
features are IBANs and BICs, not creditor references).

`references_find` digs candidates out of free remittance text ("közlemény"), as residents write
them: with or without spaces, in lower case, broken over lines, followed by other words. It
returns them normalised and does not judge them: an invalid candidate may be a typo of a real
reference, which is the matcher's business.
"""

from __future__ import annotations

import re
import string

__all__ = [
    "reference_body",
    "reference_create",
    "reference_format",
    "reference_is_valid",
    "reference_normalise",
    "references_find",
]

DEFAULT_PREFIX = "HV"
ORDER_NUMBER_WIDTH = 9
MAX_BODY_LENGTH = 21
MAX_LENGTH = 4 + MAX_BODY_LENGTH

# "A" -> "10" … "Z" -> "35": str.translate does the whole conversion in C.
_TO_DIGITS = {ord(letter): str(value) for value, letter in enumerate(string.ascii_uppercase, start=10)}
_COMPACT = re.compile(r"^RF\d\d[A-Z0-9]{1,21}$")
_SEPARATORS = re.compile(r"[\s\-.]+")
# "RF" not glued to a preceding letter/digit, then (maybe after separators) a check digit.
_RF_START = re.compile(r"(?<![A-Za-z0-9])[Rr][Ff](?=[\s\-.]{0,3}\d)")
# A part of a reference after what residents put between parts (spaces, dashes, dots, line
# breaks); anything else (a comma, a slash, a word) ends the reference.
_PART = re.compile(r"[ \t\r\n\-.]{0,3}([A-Za-z0-9]+)")
# A typo may add a character, so a candidate may be one longer than the longest reference.
_MAX_CANDIDATE = MAX_LENGTH + 1


def _mod97(alnum: str) -> int:
    return int(alnum.translate(_TO_DIGITS)) % 97


def reference_normalise(text: str) -> str:
    """Compact form: no spaces, dashes or dots, upper case ("rf93 hv00-0123.456" -> "RF93HV000123456")."""
    return _SEPARATORS.sub("", text).upper()


def reference_is_valid(text: str) -> bool:
    """True for a well-formed RF reference whose check digits agree (after normalising)."""
    compact = reference_normalise(text)
    if not _COMPACT.match(compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def reference_create(order_number: int | str, prefix: str = DEFAULT_PREFIX) -> str:
    """The compact RF reference of an order number, e.g. 123456 -> "RF93HV000123456".

    Numeric order numbers (ints or digit strings) are zero-padded to nine digits, so "123" and
    123 give the same reference; other order numbers are used as written (letters/digits only).
    """
    if isinstance(order_number, int):
        if order_number < 0:
            raise ValueError("order number must not be negative")
        number = str(order_number)
    else:
        number = reference_normalise(order_number)
    prefix = prefix.upper()
    if not (prefix + number).isalnum() or not (prefix + number).isascii() or not number:
        raise ValueError(f"order number and prefix must be letters and digits: {prefix!r} {order_number!r}")
    body = prefix + (number.zfill(ORDER_NUMBER_WIDTH) if number.isdigit() else number)
    if len(body) > MAX_BODY_LENGTH:
        raise ValueError(f"reference body longer than {MAX_BODY_LENGTH} characters: {body}")
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def reference_format(reference: str) -> str:
    """Printed form, groups of four: "RF93HV000123456" -> "RF93 HV00 0123 456"."""
    compact = reference_normalise(reference)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def reference_body(reference: str) -> str:
    """The part after "RF" and the check digits ("RF93HV000123456" -> "HV000123456")."""
    return reference_normalise(reference)[4:]


def reference_occurrences(text: str) -> list[tuple[tuple[str, ...], int, int]]:
    """Every RF-looking occurrence in `text`: (candidates, start, end).

    `candidates` are the compact strings obtained by joining the occurrence's parts up to each
    separator, shortest first ("RF93 HV00 0123 456 2024" -> RF93, RF93HV00, …, RF93HV000123456,
    RF93HV0001234562024): which one is the reference cannot be known from the text alone when
    it is mistyped, so the caller tries them. `start`/`end` span the longest one in `text`.

    Joining rules, which keep words after a reference out of it: parts of letters only are
    joined while the body has no digit yet ("RF93 HV 000123456", "RF93H V000123456"); later
    parts must contain a digit; a part starting with "RF" + digit starts the next reference.
    """
    found: list[tuple[tuple[str, ...], int, int]] = []
    for start_match in _RF_START.finditer(text):
        start = position = end = start_match.end()
        start -= 2
        compact = "RF"
        candidates: list[str] = []
        body_has_digit = False
        while True:
            part_match = _PART.match(text, position)
            if part_match is None:
                break
            part = part_match[1].upper()
            part_end = part_match.end()
            # a non-ASCII letter right after: the run's trailing letters begin a word ("díj")
            glued = part_end < len(text) and text[part_end].isalpha()
            if glued:
                stripped = part.rstrip(string.ascii_uppercase)
                part_end -= len(part) - len(stripped)
                part = stripped
                if not part:
                    break
            has_digit = any(char.isdigit() for char in part)
            if candidates:
                if part.startswith("RF") and part[2:3].isdigit():
                    break
                # letters only: the body's letter prefix, maybe split ("RF93 H V000…"), nothing else
                if not has_digit and (body_has_digit or len(compact) < 4):
                    break
            elif not part[0].isdigit():
                break
            if len(compact) + len(part) > _MAX_CANDIDATE:
                if not candidates:
                    candidates.append(compact + part)  # one long run: keep it, it will match nothing
                    end = part_end
                break
            compact += part
            body_has_digit = body_has_digit or any(char.isdigit() for char in compact[4:])
            candidates.append(compact)
            position = end = part_end
            if glued:
                break
        if candidates and len(candidates[-1]) >= 5:  # "RF" + check digits + at least one character
            found.append((tuple(candidates), start, end))
    return found


def references_find(text: str) -> list[str]:
    """Candidate RF references in free text, normalised, in order of appearance, valid or not.

    Per occurrence: the longest valid reading if there is one ("RF 93HV000 123456 2024" ->
    "RF93HV000123456"), otherwise the whole run of reference-like parts (a mistyped reference
    stays whole so the matcher can find what it was meant to be).
    """
    result: list[str] = []
    for candidates, _start, _end in reference_occurrences(text):
        valid = [candidate for candidate in candidates if reference_is_valid(candidate)]
        chosen = valid[-1] if valid else candidates[-1]
        if chosen not in result:
            result.append(chosen)
    return result
