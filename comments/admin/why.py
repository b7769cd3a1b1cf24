"""Why a comment is where it is, in words a moderator reads at a glance ("2 links",
"first comment from this reader", "reported by 3 readers", "matched suspect word 'x'").

The words are made from what is stored: the deciding step (`Comment.moderation_step`, a
dotted path), its reason code, the comment's counts (reports, links, new commenter) and
the deciding step's audit note (`ModerationAction.note`, which holds the matched word or
the rejection figures). Raw codes and dotted paths are never shown: a step this module
does not know (a site's own plug-in) is named by its function's name in words, with its
note. Staff only: the admin is the one caller."""

from __future__ import annotations

import re

from comments.models import Comment, ReasonCode
from comments.rendering import count_links
from comments.selectors import EDIT_STEP, FLAG_STEP
from comments.services import WITHDRAW_STEP

PIPELINE = "comments.moderation."

# Each known step's name as a check ("Decided by: the link limit").
STEP_TITLES = {
    PIPELINE + "comments_closed": "comments closed",
    PIPELINE + "flood": "flood limit",
    PIPELINE + "duplicate": "duplicate check",
    PIPELINE + "honeypot": "bot trap",
    PIPELINE + "sanctions": "commenter sanctions",
    PIPELINE + "blocklist": "blocklist",
    PIPELINE + "banned_words": "banned words",
    PIPELINE + "suspect_words": "suspect words",
    PIPELINE + "moderation_keywords": "moderation keywords",
    PIPELINE + "too_many_links": "link limit",
    PIPELINE + "article_premoderate_links": "article holds comments with links",
    PIPELINE + "article_premoderate": "article holds every comment",
    PIPELINE + "commenter_premoderated": "always pre-moderate (sanction)",
    PIPELINE + "rejection_rate": "rejection rate",
    PIPELINE + "new_commenter": "new commenters",
    PIPELINE + "known_author": "known reader",
    PIPELINE + "policy_default": "site default",
    FLAG_STEP: "reader reports",
    EDIT_STEP: "the author's edit",
    WITHDRAW_STEP: "the author's withdrawal",
}

# What a moderator did, by the status they gave.
_STAFF_VERBS = {
    Comment.Status.APPROVED: "approved",
    Comment.Status.PENDING: "held",
    Comment.Status.SPAM: "marked spam",
    Comment.Status.REMOVED: "removed",
}

_BLOCKLIST_NOTES = {
    "blocklisted email": "email address on the blocklist",
    "blocklisted email domain": "email domain on the blocklist",
    "blocklisted IP address": "IP address on the blocklist",
    "blocklisted keyword": "blocklisted keyword",
}

_SANCTION_TARGET = re.compile(r"\((commenter|IP|email domain) sanction #\d+\)")
_REJECTIONS = re.compile(r"(\d+) of (\d+) comments in the last (\d+) days")
_NEW_COMMENTER = re.compile(r"new commenter: (\d+) of (\d+) approved")
_REPORTS = re.compile(r"(\d+) reader report")
STEP_FAILED_NOTE = "moderation step failed"  # comments.moderation.pipeline.run_pipeline

LINK_STEPS = {PIPELINE + "too_many_links", PIPELINE + "article_premoderate_links"}
NEW_COMMENTER_STEP = PIPELINE + "new_commenter"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def step_title(step: str) -> str:
    """A check's name in words; an unknown (plug-in) step by its function's name."""
    if step in STEP_TITLES:
        return STEP_TITLES[step]
    return step.rpartition(".")[2].replace("_", " ").strip() or "a check"


def links_in(comment: Comment) -> int:
    """The stored count (taken when posted), or counted now when none was stored."""
    return comment.link_count or count_links(comment.body)


def _quoted_match(note: str, prefix: str) -> str | None:
    if note.startswith(prefix):
        found = note[len(prefix) :].strip()
        return f"'{found}'" if found else None
    return None


def _sanction_words(note: str) -> str:
    if note.startswith("edited while suspended"):
        return "edited while suspended"
    if note.startswith("suspended"):
        return "suspended commenter (address not confirmed)"
    target = _SANCTION_TARGET.search(note)
    return f"{target.group(1) if target else 'commenter'} is banned"


def _rejection_words(note: str) -> str:
    found = _REJECTIONS.search(note)
    if not found:
        return "many of this reader's comments were rejected"
    rejected, decided, days = found.groups()
    return f"{rejected} of this reader's last {decided} comments rejected ({days} days)"


def _new_commenter_words(note: str) -> str:
    if note.startswith("address not confirmed"):
        # Its history does not count without proof (comments.commenter_proof).
        return "unconfirmed email: held like a new reader"
    found = _NEW_COMMENTER.search(note)
    if found and int(found.group(1)) > 0:
        approved, required = (int(n) for n in found.groups())
        return f"new reader: {approved} of {required} approved comments needed"
    return "first comment from this reader"


def _reports_words(comment: Comment, note: str) -> str:
    count = comment.flag_count
    if not count:
        found = _REPORTS.search(note)
        count = int(found.group(1)) if found else 0
    return f"reported by {plural(count, 'reader')}" if count else "reported by readers"


def _pipeline_words(comment: Comment, note: str) -> str | None:
    """The words for a known step's decision, or None for a step this module does not know."""
    name = comment.moderation_step
    short = name.removeprefix(PIPELINE)
    if name == FLAG_STEP:
        return _reports_words(comment, note)
    if name == WITHDRAW_STEP:
        return "withdrawn by the author"
    if not name.startswith(PIPELINE):
        return None
    simple = {
        "honeypot": "filled in the hidden bot trap",
        "moderation_keywords": "matched a moderation keyword",
        "article_premoderate": "the article holds every comment",
        "commenter_premoderated": "this reader is always pre-moderated",
        "known_author": "reader with approved comments",
        "policy_default": "the site's default for new comments",
        "comments_closed": "comments closed",
    }
    if short in simple:
        return simple[short]
    if short == "too_many_links":
        return plural(links_in(comment), "link")
    if short == "article_premoderate_links":
        return f"{plural(links_in(comment), 'link')}; the article holds comments with links"
    if short == "suspect_words":
        word = _quoted_match(note, "suspect word:")
        return f"matched suspect word {word}" if word else "matched a suspect word"
    if short == "banned_words":
        word = _quoted_match(note, "banned word:")
        return f"matched banned word {word}" if word else "matched a banned word"
    if short == "blocklist":
        return _BLOCKLIST_NOTES.get(note, "on the blocklist")
    if short == "sanctions":
        return _sanction_words(note)
    if short == "rejection_rate":
        return _rejection_words(note)
    if short == "new_commenter":
        return _new_commenter_words(note)
    return None


def _reason_label(code: str) -> str:
    return ReasonCode(code).label.lower() if code in ReasonCode.values else ""


def why_words(comment: Comment, *, note: str = "") -> str:
    """Why the comment has its status, in a few words. `note` is the deciding step's
    audit note (the queue annotates it; "" when unknown)."""
    step = comment.moderation_step
    reason = _reason_label(comment.moderation_reason)
    if step:
        if note == STEP_FAILED_NOTE:
            return f"the {step_title(step)} check failed; held to be safe"
        words = _pipeline_words(comment, note)
        if words is not None:
            return words
        # A site's own step: its name, and its note (words for staff, by contract).
        detail = note or reason
        return f"{step_title(step)}: {detail}" if detail else step_title(step)
    if comment.moderated_by_id or comment.moderated_at:
        verb = _STAFF_VERBS.get(comment.status, "decided")
        who = comment.moderated_by.get_username() if comment.moderated_by_id else "a moderator"
        said = "" if reason in ("", "spam") and comment.status == Comment.Status.SPAM else reason
        return f"{verb} by {who}" + (f": {said}" if said else "")
    if comment.wordpress_id:
        return "imported from WordPress"
    return reason or "—"


def queue_signals(comment: Comment) -> list[str]:
    """What else a moderator should know at a glance, beyond the deciding reason: reader
    reports, links and a first-time reader, each said once."""
    if comment.status in (Comment.Status.SPAM, Comment.Status.REMOVED):
        return []
    step = comment.moderation_step
    signals = []
    if comment.flag_count and step != FLAG_STEP:
        signals.append(f"reported by {plural(comment.flag_count, 'reader')}")
    if comment.status == Comment.Status.PENDING:
        if comment.link_count and step not in LINK_STEPS:
            signals.append(plural(comment.link_count, "link"))
        if comment.new_commenter and step != NEW_COMMENTER_STEP:
            signals.append("new reader")
    return signals
