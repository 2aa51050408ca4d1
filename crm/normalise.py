"""Text normalisation for search and matching, computed in Python (the database has no contrib
extensions such as unaccent or pg_trgm).

    fold("Kovács-Szőke Jánosné")      -> "kovacs-szoke janosne"
    words("dr. Kovács-Szőke János")   -> ["kovacs", "szoke", "janos"]   (titles dropped)
    prefixes(["kov"]), search_keys(...) -> the keys stored in `Client.search_keys`

A key is a lowercase, accent-free word or word prefix. Quick search stores every prefix of
every name and address word of a client in one array column with a GIN index; a typed query
"kov jan" becomes `search_keys @> {kov,jan}`: both prefixes present, in any order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Name prefixes and suffixes that are not part of the name for matching: academic and
#: professional titles, "ifj." (junior), "id." (senior), "özv." (widow).
TITLES = frozenset(
    {
        "dr",
        "drs",
        "prof",
        "ifj",
        "id",
        "idos",
        "ozv",
        "phd",
        "habil",
        "med",
        "univ",
        "jr",
        "sr",
        "mr",
        "mrs",
        "ms",
    }
)

_WORD = re.compile(r"[0-9a-z]+")
#: Longest prefix stored per word: longer typed words are cut to it before the lookup, so the
#: column stays small while any useful prefix still finds the word.
MAX_PREFIX = 12


def fold(text: str) -> str:
    """Lowercase, without accents (ő→o, ű→u, ß→ss), whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def words(text: str, *, drop_titles: bool = True) -> list[str]:
    """The folded words of a text, split at anything not a letter or digit; titles dropped."""
    found = _WORD.findall(fold(text))
    if drop_titles:
        found = [w for w in found if w not in TITLES]
    return found


def prefixes(word: str, *, shortest: int = 1) -> list[str]:
    """Every prefix of a word from `shortest` characters up to `MAX_PREFIX`."""
    return [word[:n] for n in range(shortest, min(len(word), MAX_PREFIX) + 1)]


def search_keys(texts: Iterable[str], *, numbers: Iterable[str] = ()) -> list[str]:
    """The sorted set of keys for a client: every prefix of every word of `texts` (names,
    street and settlement), and `numbers` (house numbers, postcodes) as whole words."""
    keys: set[str] = set()
    for text in texts:
        for word in words(text):
            keys.update(prefixes(word))
    for number in numbers:
        keys.update(words(number, drop_titles=False))
    return sorted(keys)


def query_keys(query: str) -> list[str]:
    """The keys a typed query must all hit: its words, each cut to `MAX_PREFIX`."""
    return sorted({word[:MAX_PREFIX] for word in words(query)})


def name_key(family_name: str, given_names: str) -> str:
    """A client's name folded for sorting and matching: 'kovacs janos'."""
    return " ".join(words(f"{family_name} {given_names}"))
