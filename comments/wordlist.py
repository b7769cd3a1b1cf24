"""Whole-word, any-case matching of a comment against a long word list.

The policy's suspect and banned words are lists of words and phrases, one per line, that
may run to thousands of entries. A regular expression per word (or one alternation of
them all) costs list size × text length: Python's `re` tries every alternative at every
position. Here the cost is linear in the text and independent of the list size:

- text and list entries go through the same normalization (NFKC, then `casefold`), so
  "STRASSE" matches "straße" and full-width "ｓｐａｍ" matches "spam";
- both are cut into words by one simple regex (`\\w+`, Unicode-aware), so an entry
  matches only whole words: "ass" never matches "class", "spam" never "spammer";
- the entries become a frozenset of word tuples, built once per list text (cached);
- the text's words are looked up one by one, and at a word that starts some phrase,
  the next words too (up to the longest phrase, at most `MAX_PHRASE_WORDS`).

This module does not import Django: the benchmark (bench/wordlist_bench.py) and the
pipeline steps share it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A word: letters, digits and underscore in any script. Punctuation, spaces, hyphens
# and apostrophes separate words, in the list as in the text, so both agree on what
# "a whole word" is ("don't" in the list matches "DON'T" in a comment).
_WORD = re.compile(r"\w+")

# Longer entries are cut to this many words: keeps the per-position work bounded.
MAX_PHRASE_WORDS = 8


def normalize(text: str) -> str:
    """Compatibility-normalized, case-folded text (what matching compares)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def words(text: str) -> list[str]:
    """The normalized words of `text`, in order."""
    return _WORD.findall(normalize(text))


@dataclass(frozen=True)
class WordList:
    """A compiled list: single words, phrases, and the first words of phrases."""

    singles: frozenset[str]
    phrases: frozenset[tuple[str, ...]]
    phrase_starts: frozenset[str]
    longest: int  # the most words in a phrase (1 when there are none)

    def __bool__(self) -> bool:
        return bool(self.singles or self.phrases)

    def first_match(self, *texts: str) -> str | None:
        """The first entry (normalized, words joined by spaces) found in any of the texts."""
        if not self:
            return None
        return self.first_match_in_words(*(words(text) for text in texts if text))

    def first_match_in_words(self, *word_lists: list[str]) -> str | None:
        """Like first_match, for texts already cut with `words()` (the pipeline cuts a
        comment once for both lists)."""
        if not self:
            return None
        for tokens in word_lists:
            found = self._first_match(tokens)
            if found is not None:
                return found
        return None

    def _first_match(self, tokens: list[str]) -> str | None:
        singles, starts = self.singles, self.phrase_starts
        count = len(tokens)
        for index, token in enumerate(tokens):
            if token in singles:
                return token
            if token in starts:
                # Only here do we look ahead: at most `longest - 1` more words.
                end_max = min(count, index + self.longest)
                for end in range(index + 2, end_max + 1):
                    candidate = tuple(tokens[index:end])
                    if candidate in self.phrases:
                        return " ".join(candidate)
        return None


@lru_cache(maxsize=16)
def compile_word_list(text: str) -> WordList:
    """Compile a list given as text, one word or phrase per line (blank lines ignored).

    Cached on the text itself: the policy row is read on every request, but the set is
    built only when the list changes (and at most once per process for each version).
    """
    singles: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    for line in text.splitlines():
        entry = tuple(words(line))[:MAX_PHRASE_WORDS]
        if len(entry) == 1:
            singles.add(entry[0])
        elif entry:
            phrases.add(entry)
    return WordList(
        singles=frozenset(singles),
        phrases=frozenset(phrases),
        phrase_starts=frozenset(phrase[0] for phrase in phrases),
        longest=max((len(phrase) for phrase in phrases), default=1),
    )
