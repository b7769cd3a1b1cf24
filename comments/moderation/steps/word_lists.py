"""Steps that read the policy's lists: the blocklist and banned words (spam), suspect
words and moderation keywords (held)."""

from __future__ import annotations

import re
from functools import cache

from comments import wordlist
from comments.matching import ip_in_any_network
from comments.models import ReasonCode
from comments.moderation.lookups import words
from comments.moderation.pipeline import Submission, Verdict


def blocklist(sub: Submission) -> Verdict | None:
    """Keywords in any field (WordPress's Disallowed Comment Keys), addresses, domains, IPs."""
    policy = sub.policy
    if sub.author_email in policy.blocklist_email_list:
        return Verdict.spam("blocklisted email")
    domain = sub.author_email.rpartition("@")[2]
    for blocked in policy.blocklist_domain_list:
        if domain == blocked or domain.endswith("." + blocked):
            return Verdict.spam("blocklisted email domain")
    if sub.ip_address and ip_in_any_network(sub.ip_address, policy.blocklist_ip_list):
        return Verdict.spam("blocklisted IP address")
    keyword = _first_keyword(policy.blocklist_keyword_list, _all_fields(sub))
    if keyword is not None:
        return Verdict.spam("blocklisted keyword")
    return None


def _all_fields(sub: Submission) -> list[str]:
    return [
        sub.author_name,
        sub.author_email,
        sub.author_url,
        sub.body,
        sub.ip_address or "",
        sub.user_agent,
    ]


@cache
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern:
    # One alternation of escaped literals: linear in the text, no backtracking blow-up.
    return re.compile("|".join(re.escape(k) for k in keywords), re.IGNORECASE)


def _first_keyword(keywords: list[str], texts: list[str]) -> str | None:
    if not keywords:
        return None
    pattern = _keyword_pattern(tuple(sorted(set(keywords))))
    for text in texts:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def _word_list_match(text: str, sub: Submission) -> str | None:
    compiled = wordlist.compile_word_list(text)
    return compiled.first_match_in_words(*words(sub)) if compiled else None


def banned_words(sub: Submission) -> Verdict | None:
    """A banned word or phrase (whole words, any case) in the text or the name: spam."""
    found = _word_list_match(sub.policy.banned_words, sub)
    if found is not None:
        return Verdict.spam(f"banned word: {found}", code=ReasonCode.BANNED_WORD)
    return None


def suspect_words(sub: Submission) -> Verdict | None:
    """A suspect word or phrase (whole words, any case) in the text or the name: held."""
    found = _word_list_match(sub.policy.suspect_words, sub)
    if found is not None:
        return Verdict.hold(f"suspect word: {found}", code=ReasonCode.BANNED_WORD)
    return None


def moderation_keywords(sub: Submission) -> Verdict | None:
    if _first_keyword(sub.policy.moderation_keyword_list, _all_fields(sub)) is not None:
        return Verdict.hold("moderation keyword", code=ReasonCode.BANNED_WORD)
    return None
