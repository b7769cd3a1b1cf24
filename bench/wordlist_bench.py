"""Benchmark of the suspect/banned word steps (comments/wordlist.py), `make bench-wordlist`.

Builds 5,000 suspect and 5,000 banned words (one in ten a two- or three-word phrase), a
5,000-character comment that matches none of them (the worst case: every word of the
comment is looked up), then times the two pipeline steps, `suspect_words` then
`banned_words`, as the pipeline runs them, and prints microseconds per comment. For
comparison it times two regex approaches over the same lists:

- one `\\bword\\b` pattern per list entry (10,000 searches per comment);
- one alternation of all entries per list (`\\b(?:w1|w2|...)\\b`): Python's `re` tries
  the alternatives one after the other at every position, so it is list size × text.

    .venv/bin/python bench/wordlist_bench.py [--words 5000] [--chars 5000] [--runs 500]

No database is touched: the steps read only the policy's text fields, held in memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from comments import moderation  # noqa: E402
from comments.models import ModerationPolicy  # noqa: E402
from comments.wordlist import compile_word_list  # noqa: E402


def _word(rng: random.Random, low: int = 4, high: int = 10) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(low, high)))


def word_list(rng: random.Random, count: int) -> list[str]:
    entries = []
    for index in range(count):
        if index % 10 == 0:
            entries.append(" ".join(_word(rng) for _ in range(rng.randint(2, 3))))
        else:
            entries.append(_word(rng))
    return entries


def comment_text(rng: random.Random, chars: int, avoid: set[str]) -> str:
    """Words of 2-9 letters, some capitalized, some with punctuation, none in the lists."""
    words, length = [], 0
    while length < chars:
        word = _word(rng, 2, 9)
        if word in avoid:
            continue
        if rng.random() < 0.1:
            word = word.capitalize()
        if rng.random() < 0.08:
            word += rng.choice(",.;!?")
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:chars]


def per_call(function, runs: int) -> float:
    """CPU seconds per call (process time: other processes on a shared machine do not
    count), best of three rounds of `runs` calls."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(runs):
            function()
        best = min(best, (time.process_time() - start) / runs)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=5000, help="entries per list")
    parser.add_argument("--chars", type=int, default=5000, help="comment length")
    parser.add_argument("--runs", type=int, default=500, help="comments per timing round")
    args = parser.parse_args()

    rng = random.Random(9)
    suspect, banned = word_list(rng, args.words), word_list(rng, args.words)
    avoid = {w for entry in suspect + banned for w in entry.split()}
    text = comment_text(rng, args.chars, avoid)
    policy = ModerationPolicy(suspect_words="\n".join(suspect), banned_words="\n".join(banned))
    sub = moderation.Submission(
        article=None,
        policy=policy,
        author_name="Ada Reader",
        author_email="ada@example.com",
        author_url="",
        body=text,
        now=timezone.now(),
    )

    start = time.perf_counter()
    compile_word_list.cache_clear()
    compile_word_list(policy.suspect_words)
    compile_word_list(policy.banned_words)
    compile_seconds = time.perf_counter() - start

    def steps():
        # A fresh submission each time: the steps share the comment's words through
        # `memo`, which must not carry over from one timed comment to the next.
        fresh = dataclasses.replace(sub, memo={})
        assert moderation.suspect_words(fresh) is None
        assert moderation.banned_words(fresh) is None

    ours = per_call(steps, args.runs)

    per_word = [re.compile(rf"\b{re.escape(e)}\b", re.IGNORECASE) for e in suspect + banned]

    def regex_per_word():
        for pattern in per_word:
            assert pattern.search(text) is None

    alternations = [
        re.compile(r"\b(?:" + "|".join(re.escape(e) for e in entries) + r")\b", re.IGNORECASE)
        for entries in (suspect, banned)
    ]

    def regex_alternation():
        for pattern in alternations:
            assert pattern.search(text) is None

    naive_runs = 1  # seconds per call: three calls are plenty
    per_word_seconds = per_call(regex_per_word, naive_runs)
    alternation_seconds = per_call(regex_alternation, naive_runs)

    # Linear in the text, independent of the list: the same comment against 50 words.
    small = ModerationPolicy(
        suspect_words="\n".join(suspect[:50]), banned_words="\n".join(banned[:50])
    )

    def small_steps():
        fresh = dataclasses.replace(sub, policy=small, memo={})
        moderation.suspect_words(fresh)
        moderation.banned_words(fresh)

    small_lists = per_call(small_steps, args.runs)

    def double_steps():
        fresh = dataclasses.replace(sub, body=text + " " + text, memo={})
        moderation.suspect_words(fresh)
        moderation.banned_words(fresh)

    double_text = per_call(double_steps, args.runs)

    words_in_text = len(text.split())
    print(
        f"Word lists: {args.words:,} suspect + {args.words:,} banned entries "
        f"(1 in 10 a phrase); comment: {len(text):,} characters, {words_in_text:,} words, "
        "no match (worst case: every word looked up)."
    )
    print(f"  compiling both lists (once per list text, cached): {compile_seconds * 1e3:8.1f} ms")
    print(f"  suspect_words + banned_words steps, per comment:    {ours * 1e6:8.0f} µs")
    print(f"    same comment, lists of 50 entries:                 {small_lists * 1e6:8.0f} µs")
    print(
        f"    lists of {args.words:,}, comment twice as long:          {double_text * 1e6:8.0f} µs"
    )
    print(
        f"  regex, one \\bword\\b per entry, per comment:         {per_word_seconds * 1e6:8.0f} µs"
    )
    print(
        f"  regex, one alternation per list, per comment:       {alternation_seconds * 1e6:8.0f} µs"
    )
    print(
        f"  speed-up over per-word regex: {per_word_seconds / ours:,.0f}x; "
        f"over alternation: {alternation_seconds / ours:,.0f}x"
    )


if __name__ == "__main__":
    main()
