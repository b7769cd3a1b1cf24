"""Steps at the door: refusals about *posting* (closed, too fast, said already), which
store nothing, and the honeypot. An author's edit skips them all
(comments.services.EDIT_SKIPPED_STEPS)."""

from __future__ import annotations

from django.core.cache import cache as django_cache

from comments.moderation.lookups import posting_facts
from comments.moderation.pipeline import Submission, Verdict
from comments.selectors import comments_open_for


def comments_closed(sub: Submission) -> Verdict | None:
    """Site-wide closed, closed on the article, or the article is older than N days."""
    if not comments_open_for(article=sub.article, policy=sub.policy, now=sub.now):
        return Verdict(reject="closed", reason="Comments are closed on this article.")
    return None


def flood(sub: Submission) -> Verdict | None:
    """A comment from the same IP or the same email within the flood interval.

    The database answers for comments already stored (one query with the other
    per-address reads, comments.moderation.lookups); an atomic cache `add` closes
    the window between two simultaneous requests from one client (and when the cache
    is down, the database check still holds).
    """
    interval = sub.policy.flood_interval_seconds
    if interval <= 0:
        return None
    last = posting_facts(sub).last_post_at
    if last is not None:
        wait = interval - int((sub.now - last).total_seconds())
        return Verdict(
            reject="flood", reason="You are commenting too fast.", retry_after=max(wait, 1)
        )
    for key in _flood_keys(sub):
        # False means the key exists: another request got there first. With Redis down
        # (django-redis IGNORE_EXCEPTIONS) `add` answers None: the database check above
        # still holds, and posting must not stop because the cache did.
        added = django_cache.add(key, 1, timeout=interval)
        if added is True:
            sub.memo.setdefault(_FLOOD_KEYS_CLOSED, []).append(key)
        if added is False:
            return Verdict(
                reject="flood", reason="You are commenting too fast.", retry_after=interval
            )
        if added is None:
            # The cache is failing: a hung Redis costs a socket timeout per call, so do
            # not wait for it a second time on the next key.
            break
    return None


_FLOOD_KEYS_CLOSED = "flood_keys_closed"


def flood_gates_release(sub: Submission) -> None:
    """Open the gates this submission closed (its comment was not stored after all)."""
    closed = sub.memo.pop(_FLOOD_KEYS_CLOSED, [])
    if closed:
        django_cache.delete_many(closed)


def _flood_keys(sub: Submission) -> list[str]:
    keys = [f"comments:flood:email:{sub.author_email}"]
    if sub.ip_address:
        keys.append(f"comments:flood:ip:{sub.ip_address}")
    return keys


def duplicate(sub: Submission) -> Verdict | None:
    """The same article, parent, name, email and body, at any age, not removed."""
    exists = posting_facts(sub).duplicate
    if exists:
        return Verdict(reject="duplicate", reason="You have already said that.")
    return None


def honeypot(sub: Submission) -> Verdict | None:
    """The hidden form field people never see, and bots fill in."""
    if sub.honeypot.strip():
        return Verdict.spam("honeypot field filled")
    return None
