"""Payer names as banks send them, compared with the names on orders.

Banks send the account holder's name in capitals without accents, sometimes family name last,
sometimes cut short; orders carry the name the resident gave. Both sides become a sorted tuple
of lower-case ASCII words without titles ("Dr. Kovács Anna" and "KOVACS ANNA DR" -> ("anna",
"kovacs")), and `name_agreement` grades how well two such tuples agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Titles and generation marks that one side writes and the other leaves out (Hungarian and
# the English forms foreign banks use). "né" married-name forms are kept: they are the name.
TITLES = frozenset({"dr", "ifj", "id", "idos", "ozv", "prof", "phd", "habil", "jr", "sr", "mr", "mrs", "ms", "miss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

EXACT = "exact"  # the same words (any order, any case, with or without accents/titles)
INITIALS = "initials"  # the same number of words; some given as an initial or cut short
PARTIAL = "partial"  # one name has an extra word (a second given name, a married name)


@lru_cache(maxsize=131072)
def name_tokens(name: str) -> tuple[str, ...]:
    """Sorted words of a name: case, accents, punctuation, word order and titles do not count."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")  # drops the combining accents
    return tuple(sorted(word for word in _NON_ALNUM.sub(" ", ascii_text).split() if word not in TITLES))


def _compatible(short: str, long: str) -> bool:
    """An initial ("a" ~ "anna") or a word the bank cut short ("kata" ~ "katalin")."""
    if short[0] != long[0]:
        return False
    if len(short) == 1 or len(long) == 1:
        return True
    return min(len(short), len(long)) >= 3 and (long.startswith(short) or short.startswith(long))


def name_agreement(first: tuple[str, ...], second: tuple[str, ...]) -> str | None:
    """EXACT, INITIALS, PARTIAL or None for two `name_tokens` results.

    At least one full word must be equal and the shorter name must have two words: a family
    name alone ("Nagy") agrees with too many people to count as evidence."""
    if not first or not second:
        return None
    if first == second:
        return EXACT
    shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
    if len(shorter) < 2:
        return None
    rest = list(longer)
    unmatched: list[str] = []
    equal_words = 0
    for word in shorter:
        if len(word) > 1 and word in rest:
            rest.remove(word)
            equal_words += 1
        else:
            unmatched.append(word)
    if equal_words == 0:
        return None
    for word in unmatched:
        for index, other in enumerate(rest):
            if _compatible(word, other) if len(word) <= len(other) else _compatible(other, word):
                del rest[index]
                break
        else:
            return None
    return INITIALS if not rest else PARTIAL


def pair_keys(tokens: tuple[str, ...]) -> list[tuple[str, str]]:
    """Index keys of a name written in full: every pair of its full words, or (word, "") alone.

    Two names that agree word for word (EXACT, or PARTIAL by whole words) share a pair; names
    agreeing only through an initial or a cut-short word are found with `letter_keys`."""
    words = [word for word in tokens if len(word) > 1]
    if len(tokens) == 1:
        return [(tokens[0], "")] if words else []
    return [(first, second) for i, first in enumerate(words) for second in words[i + 1 :]]


def letter_keys(tokens: tuple[str, ...]) -> set[tuple[str, str]]:
    """Index keys of a name: (a full word, first letter of another word), or (word, "") alone.

    Two names that `name_agreement` accepts always share such a key (they share a full word,
    and the shorter one has a second word whose first letter the other name also has)."""
    keys: set[tuple[str, str]] = set()
    if len(tokens) == 1:
        if len(tokens[0]) > 1:
            keys.add((tokens[0], ""))
        return keys
    for index, word in enumerate(tokens):
        if len(word) < 2:
            continue
        for other_index, other in enumerate(tokens):
            if other_index != index:
                keys.add((word, other[0]))
    return keys


def has_initial(tokens: tuple[str, ...]) -> bool:
    return any(len(word) == 1 for word in tokens)
