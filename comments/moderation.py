"""The moderation pipeline: small ordered steps, each a function testable alone.

A step receives the `Submission` and returns `None` (no opinion: next step) or a
`Verdict`. The first verdict wins. A verdict either refuses the comment (`reject`:
closed 403, flood 429, duplicate 409, suspended 429; nothing is stored) or decides the
status it is stored with (`spam`, `pending`, `approved`), with a reason code for the
audit trail (`comments.models.ReasonCode`).

The order extends DESIGN.md's:

    closed → flood → duplicate                                  (refusals)
    → honeypot → sanctions (ban: spam; suspension: refused 429)
    → blocklist → banned words                                 (spam)
    → suspect words → moderation keywords → too many links
    → the article's links / everything pre-moderation
    → commenter always pre-moderated → rejection rate → new commenter   (pending)
    → [COMMENTS_EXTRA_MODERATION_STEPS] → known author (approved)
    → the policy's default

Spam checks come before holds, and holds before the approval, so a banned word from a
known author is still spam and a link on a pre-moderated article is held whoever wrote
it. Steps that need the same rows share them through `Submission.memo`: the commenter's
active sanctions (one query) and history (one aggregate query) are read once per
submission, whichever step asks first; comment_create reads them again for free.

`settings.COMMENTS_MODERATION_PIPELINE` lists the steps by dotted path, like Django's
MIDDLEWARE; site owners put their own steps in it (an Akismet check, say) without
editing the project. `COMMENTS_EXTRA_MODERATION_STEPS` (environment, comma-separated)
inserts steps just before the known-author approval. See docs/comments.md and
docs/moderation.md.

A step that raises is logged and the comment is held as pending: a broken plug-in
never loses a comment nor turns into a server error.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils.module_loading import import_string

from comments import wordlist
from comments.models import Comment, Commenter, CommenterSanction, ModerationPolicy, ReasonCode
from comments.rendering import count_links

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """Everything the pipeline may look at. Built by comments.services.comment_create."""

    article: object  # articles.models.Article
    policy: ModerationPolicy
    author_name: str
    author_email: str
    author_url: str
    body: str
    now: datetime
    parent_id: int | None = None
    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""
    user: object | None = None
    # When an author edits a comment: that comment, which the checks must not count.
    editing_comment_id: int | None = None
    # What the steps looked up (sanctions, history, link count), shared between steps
    # and with comment_create so each lookup runs once per submission.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Verdict:
    status: str | None = None  # a Comment.Status for stored comments
    # "closed", "flood", "duplicate" or "suspended": refused, not stored
    reject: str | None = None
    reason: str = ""  # words for people: the refusal message, or the audit note
    step: str = ""
    retry_after: int | None = None
    code: str = ""  # a comments.models.ReasonCode for the audit trail ("" for approvals)

    @classmethod
    def spam(cls, reason: str, code: str = ReasonCode.SPAM) -> Verdict:
        return cls(status=Comment.Status.SPAM, reason=reason, code=code)

    @classmethod
    def hold(cls, reason: str, code: str = ReasonCode.OTHER) -> Verdict:
        return cls(status=Comment.Status.PENDING, reason=reason, code=code)

    @classmethod
    def approve(cls, reason: str) -> Verdict:
        return cls(status=Comment.Status.APPROVED, reason=reason)


Step = Callable[[Submission], Verdict | None]


# --- refusals ---------------------------------------------------------------------


def comments_closed(sub: Submission) -> Verdict | None:
    """Site-wide closed, closed on the article, or the article is older than N days."""
    if not comments_open_for(sub.article, sub.policy, now=sub.now):
        return Verdict(reject="closed", reason="Comments are closed on this article.")
    return None


def flood(sub: Submission) -> Verdict | None:
    """A comment from the same IP or the same email within the flood interval.

    The database answers for comments already stored; an atomic cache `add` closes
    the window between two simultaneous requests from one client (and when the cache
    is down, the database check still holds).
    """
    interval = sub.policy.flood_interval_seconds
    if interval <= 0:
        return None
    since = sub.now - timedelta(seconds=interval)
    same_client = Q(author_email=sub.author_email)
    if sub.ip_address:
        same_client |= Q(ip_address=sub.ip_address)
    last = (
        Comment.objects.filter(same_client, submitted_at__gt=since)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
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
        if added is False:
            return Verdict(
                reject="flood", reason="You are commenting too fast.", retry_after=interval
            )
        if added is None:
            # The cache is failing: a hung Redis costs a socket timeout per call, so do
            # not wait for it a second time on the next key.
            break
    return None


def _flood_keys(sub: Submission) -> list[str]:
    keys = [f"comments:flood:email:{sub.author_email}"]
    if sub.ip_address:
        keys.append(f"comments:flood:ip:{sub.ip_address}")
    return keys


def duplicate(sub: Submission) -> Verdict | None:
    """The same article, parent, name, email and body, at any age, not removed."""
    exists = (
        Comment.objects.filter(
            article=sub.article,
            parent_id=sub.parent_id,
            author_email=sub.author_email,
            author_name=sub.author_name,
            body=sub.body,
        )
        .exclude(status=Comment.Status.REMOVED)
        .exists()
    )
    if exists:
        return Verdict(reject="duplicate", reason="You have already said that.")
    return None


# --- spam --------------------------------------------------------------------------


def honeypot(sub: Submission) -> Verdict | None:
    """The hidden form field people never see, and bots fill in."""
    if sub.honeypot.strip():
        return Verdict.spam("honeypot field filled")
    return None


# --- sanctions ---------------------------------------------------------------------


def normalize_ip_network(value: str) -> str:
    """The stored form of a sanction's IP target: a bare address for a single host
    (`192.0.2.7`, `2001:db8::1`), else the network in CIDR form with its host bits
    cleared (`192.0.2.0/24`). Raises ValueError for anything else."""
    network = ipaddress.ip_network(value.strip(), strict=False)
    mapped = getattr(network.network_address, "ipv4_mapped", None)
    if mapped is not None and network.prefixlen >= 96:
        # ::ffff:192.0.2.0/120 is 192.0.2.0/24, the form the lookup uses.
        network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def ip_network_candidates(ip: str | None) -> list[str]:
    """Every stored form that covers `ip`: the address itself and each network that
    contains it (33 strings for IPv4, 129 for IPv6; an IPv4-mapped IPv6 address counts
    as IPv4), so a sanction lookup is an indexed `ip_network IN (...)` instead of parsing
    every stored network. The strings are exactly `normalize_ip_network`'s, built from
    the integer (`ipaddress` objects for 129 networks would cost milliseconds)."""
    if not ip:
        return []
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return []
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    candidates = [str(address)]
    value = int(address)
    if address.version == 4:
        for prefix in range(32):
            net = value & ~((1 << (32 - prefix)) - 1)
            candidates.append(
                f"{net >> 24}.{(net >> 16) & 255}.{(net >> 8) & 255}.{net & 255}/{prefix}"
            )
        return candidates
    hextets = [(value >> shift) & 0xFFFF for shift in range(112, -16, -16)]
    full = [format(hextet, "x") for hextet in hextets]
    for prefix in range(128):
        index, bits = divmod(prefix, 16)
        masked = format(hextets[index] & (0xFFFF ^ ((1 << (16 - bits)) - 1)), "x")
        parts = [*full[:index], masked, *["0"] * (7 - index)]
        candidates.append(f"{_compressed_ipv6(parts)}/{prefix}")
    return candidates


def _compressed_ipv6(parts: list[str]) -> str:
    """RFC 5952 text (what `ipaddress` prints) of eight hextets in lower-case hex: the
    longest run of two or more zero groups, the first of equal runs, becomes "::"."""
    best_start, best_length, start = -1, 1, -1
    for index, part in enumerate(parts):
        if part != "0":
            start = -1
            continue
        if start < 0:
            start = index
        if index - start + 1 > best_length:
            best_start, best_length = start, index - start + 1
    if best_start < 0:
        return ":".join(parts)
    return ":".join(parts[:best_start]) + "::" + ":".join(parts[best_start + best_length :])


_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def normalize_email_domain(value: str) -> str:
    """The stored form of a sanction's domain: lower-case, without "@" or dots around.
    Raises ValueError unless it looks like a domain with at least one dot."""
    domain = value.strip().lower().lstrip("@").strip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(value) from None
    if not _DOMAIN.match(domain):
        raise ValueError(value)
    return domain


def email_domain_candidates(email: str) -> list[str]:
    """The address's domain and every parent domain: a sanction on `example.com` covers
    `mail.example.com` too (as the blocklist does)."""
    domain = email.rpartition("@")[2].strip(".").lower()
    if not domain:
        return []
    parts = domain.split(".")
    return [".".join(parts[index:]) for index in range(len(parts))]


SANCTIONS_READ_MAX = 50
_SANCTION_PRIORITY = {
    CommenterSanction.Kind.BAN: 0,
    CommenterSanction.Kind.SUSPENSION: 1,
    CommenterSanction.Kind.PREMODERATE: 2,
}


def active_sanctions(sub: Submission) -> list[CommenterSanction]:
    """The sanctions in force now on the submission's email, email domain or IP, the
    strongest first (ban, suspension, pre-moderation). One indexed query, memoized."""
    if "sanctions" not in sub.memo:
        target = Q(commenter__in=Commenter.objects.filter(email=sub.author_email).values("pk"))
        domains = email_domain_candidates(sub.author_email)
        if domains:
            target |= Q(email_domain__in=domains)
        networks = ip_network_candidates(sub.ip_address)
        if networks:
            target |= Q(ip_network__in=networks)
        rows = (
            active_sanctions_at(sub.now)
            .filter(target)
            # Capped; should more ever match one comment, "ban" sorts first anyway.
            .order_by("kind", "id")
            .only("id", "kind", "message", "ends_at", "commenter_id", "ip_network", "email_domain")
        )
        found = list(rows[:SANCTIONS_READ_MAX])
        found.sort(key=lambda s: (_SANCTION_PRIORITY.get(s.kind, 9), s.pk))
        sub.memo["sanctions"] = found
    return sub.memo["sanctions"]


def active_sanctions_at(now: datetime):
    """Sanctions in force at `now`: not lifted, started, and not yet ended."""
    return CommenterSanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), lifted_at__isnull=True, starts_at__lte=now
    )


def _sanction_target(sanction: CommenterSanction) -> str:
    # For the audit note (staff only): which kind of target matched, not its value.
    if sanction.ip_network:
        return "IP"
    if sanction.email_domain:
        return "email domain"
    return "commenter"


def sanctions(sub: Submission) -> Verdict | None:
    """A ban marks the comment spam (answered like a held one, so the banned learn
    nothing); a suspension refuses it with 429 until its end, with the staff's message.
    Pre-moderation is left to `commenter_premoderated`, after the spam checks."""
    for sanction in active_sanctions(sub):
        if sanction.kind == CommenterSanction.Kind.BAN:
            return Verdict.spam(
                f"banned ({_sanction_target(sanction)} sanction #{sanction.pk})",
                code=ReasonCode.SPAM,
            )
        if sanction.kind == CommenterSanction.Kind.SUSPENSION and sanction.ends_at:
            if sub.editing_comment_id is not None:
                # An edit is not a new comment to refuse, but it is not published either.
                return Verdict.hold(
                    f"edited while suspended (sanction #{sanction.pk})", code=ReasonCode.OTHER
                )
            wait = max(math.ceil((sanction.ends_at - sub.now).total_seconds()), 1)
            until = sanction.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            message = sanction.message or "You cannot comment for now."
            return Verdict(
                reject="suspended",
                reason=f"{message} (until {until})",
                retry_after=wait,
                code=ReasonCode.OTHER,
            )
    return None


# --- spam: the policy's lists ----------------------------------------------------------


def blocklist(sub: Submission) -> Verdict | None:
    """Keywords in any field (WordPress's Disallowed Comment Keys), addresses, domains, IPs."""
    policy = sub.policy
    if sub.author_email in policy.blocklist_email_list:
        return Verdict.spam("blocklisted email")
    domain = sub.author_email.rpartition("@")[2]
    for blocked in policy.blocklist_domain_list:
        if domain == blocked or domain.endswith("." + blocked):
            return Verdict.spam("blocklisted email domain")
    if sub.ip_address and _ip_blocked(sub.ip_address, policy.blocklist_ip_list):
        return Verdict.spam("blocklisted IP address")
    keyword = _first_keyword(policy.blocklist_keyword_list, _all_fields(sub))
    if keyword is not None:
        return Verdict.spam("blocklisted keyword")
    return None


def _ip_blocked(ip: str, entries: list[str]) -> bool:
    address = ipaddress.ip_address(ip)
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a malformed line in the policy blocks nothing
    return False


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


def _words(sub: Submission) -> tuple[list[str], list[str]]:
    """The body's and the name's words, normalized, cut once for both word lists."""
    if "words" not in sub.memo:
        sub.memo["words"] = (wordlist.words(sub.body), wordlist.words(sub.author_name))
    return sub.memo["words"]


def _word_list_match(text: str, sub: Submission) -> str | None:
    compiled = wordlist.compile_word_list(text)
    return compiled.first_match_in_words(*_words(sub)) if compiled else None


def banned_words(sub: Submission) -> Verdict | None:
    """A banned word or phrase (whole words, any case) in the text or the name: spam."""
    found = _word_list_match(sub.policy.banned_words, sub)
    if found is not None:
        return Verdict.spam(f"banned word: {found}", code=ReasonCode.BANNED_WORD)
    return None


# --- hold --------------------------------------------------------------------------


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


def link_count(sub: Submission) -> int:
    """The links in the body, counted once per submission."""
    if "link_count" not in sub.memo:
        sub.memo["link_count"] = count_links(sub.body)
    return sub.memo["link_count"]


def too_many_links(sub: Submission) -> Verdict | None:
    limit = sub.policy.hold_link_count
    if limit and link_count(sub) >= limit:
        return Verdict.hold(f"{limit} or more links", code=ReasonCode.LINKS)
    return None


def article_premoderate_links(sub: Submission) -> Verdict | None:
    """The article holds every comment with a link (Article.comments_premoderate_links)."""
    if getattr(sub.article, "comments_premoderate_links", False) and link_count(sub):
        return Verdict.hold("a link, on an article that pre-moderates links", code=ReasonCode.LINKS)
    return None


def article_premoderate(sub: Submission) -> Verdict | None:
    """The article holds every comment (Article.comments_premoderate)."""
    if getattr(sub.article, "comments_premoderate", False):
        return Verdict.hold("the article pre-moderates every comment", code=ReasonCode.OTHER)
    return None


def commenter_premoderated(sub: Submission) -> Verdict | None:
    """An "always pre-moderate" sanction on the email, its domain or the IP."""
    for sanction in active_sanctions(sub):
        if sanction.kind == CommenterSanction.Kind.PREMODERATE:
            return Verdict.hold(
                f"always pre-moderated ({_sanction_target(sanction)} sanction #{sanction.pk})",
                code=ReasonCode.OTHER,
            )
    return None


@dataclass(frozen=True)
class CommenterHistory:
    """What the history rules need about an email address, from one aggregate query."""

    approved: int  # approved comments, at any age
    recent_decided: int  # in the rejection-rate window: approved or rejected
    recent_rejected: int  # in the window: spam, or removed by a moderator


def commenter_history(sub: Submission) -> CommenterHistory:
    """One aggregate over the commenter's comments (index comment_email_recent),
    memoized. The comment being edited is left out. Pending comments are not decided
    yet and a reader's own withdrawal (removed with no moderator) is not a rejection,
    so neither counts in the rejected share."""
    if "history" not in sub.memo:
        policy = sub.policy
        since = sub.now - timedelta(days=max(policy.rejection_rate_window_days, 1))
        recent = Q(submitted_at__gte=since, submitted_at__lte=sub.now)
        approved = Q(status=Comment.Status.APPROVED)
        rejected = Q(status=Comment.Status.SPAM) | Q(
            status=Comment.Status.REMOVED, moderated_by__isnull=False
        )
        comments = Comment.objects.filter(author_email=sub.author_email)
        if sub.editing_comment_id is not None:
            comments = comments.exclude(pk=sub.editing_comment_id)
        counts = comments.aggregate(
            approved=Count("pk", filter=approved),
            recent_decided=Count("pk", filter=recent & (approved | rejected)),
            recent_rejected=Count("pk", filter=recent & rejected),
        )
        sub.memo["history"] = CommenterHistory(**counts)
    return sub.memo["history"]


def is_new_commenter(sub: Submission) -> bool:
    """Fewer approved comments than the policy asks for (never, when it asks for none)."""
    required = sub.policy.approved_comments_required
    return bool(required) and commenter_history(sub).approved < required


def rejection_rate(sub: Submission) -> Verdict | None:
    """More than `rejection_rate_percent` % of the commenter's decided comments of the
    last `rejection_rate_window_days` days were rejected, out of at least
    `rejection_rate_min_comments`: held."""
    policy = sub.policy
    percent = policy.rejection_rate_percent
    if not percent:
        return None
    history = commenter_history(sub)
    decided, rejected = history.recent_decided, history.recent_rejected
    if decided >= max(policy.rejection_rate_min_comments, 1) and rejected * 100 > percent * decided:
        return Verdict.hold(
            f"{rejected} of {decided} comments in the last {policy.rejection_rate_window_days} "
            f"days rejected (more than {percent} %)",
            code=ReasonCode.OTHER,
        )
    return None


def new_commenter(sub: Submission) -> Verdict | None:
    """Held until the email has `approved_comments_required` approved comments (0 = off;
    1 is WordPress's "comment author must have a previously approved comment")."""
    if is_new_commenter(sub):
        required = sub.policy.approved_comments_required
        approved = commenter_history(sub).approved
        return Verdict.hold(
            f"new commenter: {approved} of {required} approved comments",
            code=ReasonCode.NEW_COMMENTER,
        )
    return None


# --- approve -----------------------------------------------------------------------


def known_author(sub: Submission) -> Verdict | None:
    """WordPress's "comment author must have a previously approved comment", with the
    policy's threshold: approved once the email has that many approved comments."""
    if not sub.policy.auto_approve_known_authors:
        return None
    required = max(sub.policy.approved_comments_required, 1)
    if commenter_history(sub).approved >= required:
        return Verdict.approve("previously approved author")
    return None


def policy_default(sub: Submission) -> Verdict:
    return Verdict(status=sub.policy.default_status, reason="policy default")


DEFAULT_PIPELINE = [
    "comments.moderation.comments_closed",
    "comments.moderation.flood",
    "comments.moderation.duplicate",
    "comments.moderation.honeypot",
    "comments.moderation.sanctions",
    "comments.moderation.blocklist",
    "comments.moderation.banned_words",
    "comments.moderation.suspect_words",
    "comments.moderation.moderation_keywords",
    "comments.moderation.too_many_links",
    "comments.moderation.article_premoderate_links",
    "comments.moderation.article_premoderate",
    "comments.moderation.commenter_premoderated",
    "comments.moderation.rejection_rate",
    "comments.moderation.new_commenter",
    "comments.moderation.known_author",
    "comments.moderation.policy_default",
]


def pipeline_steps() -> list[tuple[str, Step]]:
    paths = list(getattr(settings, "COMMENTS_MODERATION_PIPELINE", None) or DEFAULT_PIPELINE)
    extra = list(getattr(settings, "COMMENTS_EXTRA_MODERATION_STEPS", []) or [])
    if extra:
        anchor = "comments.moderation.known_author"
        index = paths.index(anchor) if anchor in paths else len(paths)
        paths[index:index] = extra
    return [(path, _import_step(path)) for path in paths]


@cache
def _import_step(path: str) -> Step:
    return import_string(path)


def run_pipeline(sub: Submission, steps: list[tuple[str, Step]] | None = None) -> Verdict:
    """Run the steps in order; the first verdict wins."""
    steps = steps if steps is not None else pipeline_steps()
    path = ""
    try:
        # One savepoint around the steps: a step whose query fails (which aborts the
        # whole transaction on PostgreSQL) must not take the comment's insert with it.
        with transaction.atomic():
            for path, step in steps:
                verdict = step(sub)
                if verdict is not None:
                    return Verdict(
                        status=verdict.status,
                        reject=verdict.reject,
                        reason=verdict.reason,
                        step=path,
                        retry_after=verdict.retry_after,
                        code=verdict.code,
                    )
    except Exception:
        logger.exception("Moderation step %s failed; holding the comment for review", path)
        return Verdict(status=Comment.Status.PENDING, reason="moderation step failed", step=path)
    return Verdict(status=sub.policy.default_status, reason="policy default", step="")


def comments_open_for(article, policy: ModerationPolicy, now: datetime) -> bool:
    """Whether readers may comment on `article` now."""
    if not policy.comments_open or not article.comments_enabled:
        return False
    if policy.close_after_days and article.published_at:
        return now < article.published_at + timedelta(days=policy.close_after_days)
    return True
