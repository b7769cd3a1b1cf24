"""The cells of a row of the comment queue, so that a whole row fits a 1366 px screen:
the comment's words with its one-click decisions right under them, who wrote it, on
which article and when, and its status with why it is there in words.

Comment bodies are untrusted plain text: every piece goes through format_html (escaped),
and the links in a body are shown as the public page links them (comments.rendering)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from comments.admin.why import queue_signals, why_words
from comments.models import Comment, ReasonCode
from comments.rendering import linkify

# The one-click removals offered on each row (any other reason: "note…", or the bulk
# action with a reason).
ROW_REMOVAL_REASONS = [
    ReasonCode.OFFENSIVE,
    ReasonCode.OFF_TOPIC,
    ReasonCode.HARASSMENT,
    ReasonCode.MISINFORMATION,
    ReasonCode.OTHER,
]

# How much of a comment the row shows; the comment's page has all of it.
BODY_CHARS = 360

_BUTTON = (
    '<button type="submit" class="button {}" formaction="{}" name="decision" value="{}"'
    ' title="{}">{}</button>'
)


def body_html(text: str, *, limit: int = BODY_CHARS) -> SafeString:
    """The start of a plain-text body, escaped, its URLs as links (rel nofollow ugc) that
    show their address, as the public page links them. Line breaks are kept by the
    stylesheet (white-space: pre-line)."""
    return mark_safe(linkify(Truncator(text.strip()).chars(limit)))  # escaped by linkify


def decision_buttons(comment: Comment) -> SafeString:
    """One click per decision. The buttons submit the changelist's form (it carries the
    CSRF token) to this comment's moderate view: no nested forms, no inline script."""
    url = reverse("admin:comments_comment_moderate", args=[comment.pk])
    parts = []
    if comment.status != Comment.Status.APPROVED:
        parts.append(format_html(_BUTTON, "cq-approve", url, "approved:", "Approve (a)", "Approve"))
    if comment.status != Comment.Status.SPAM:
        parts.append(format_html(_BUTTON, "cq-spam", url, "spam:spam", "Spam (s)", "Spam"))
    if comment.status != Comment.Status.REMOVED:
        reasons = format_html_join(
            "",
            _BUTTON,
            (
                ("cq-reason", url, f"removed:{code.value}", f"Remove: {code.label}", code.label)
                for code in ROW_REMOVAL_REASONS
            ),
        )
        parts.append(
            format_html(
                '<details class="cq-remove"><summary class="button" title="Remove with a'
                ' reason (r)">Remove…</summary><div class="cq-menu">{}</div></details>',
                reasons,
            )
        )
    change = reverse("admin:comments_comment_change", args=[comment.pk])
    parts.append(format_html('<a class="cq-link" href="{}">with a note…</a>', url))
    parts.append(format_html('<a class="cq-link cq-open" href="{}">details</a>', change))
    return format_html_join("", "{}", ((part,) for part in parts))


def comment_cell(comment: Comment) -> SafeString:
    return format_html(
        '<div class="cq-body">{}</div><div class="cq-actions">{}</div>',
        body_html(comment.body),
        decision_buttons(comment),
    )


def author_cell(comment: Comment) -> SafeString:
    # Staff only (the admin): the address tells a regular from a newcomer. A narrow
    # column breaks it after the "@" rather than anywhere.
    local, at, domain = comment.author_email.rpartition("@")
    return format_html(
        '<span class="cq-name">{}</span><span class="cq-meta cq-email">{}{}<wbr>{}</span>',
        comment.author_name,
        local,
        at,
        domain,
    )


def _ago(moment) -> str:
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


def article_cell(comment: Comment) -> SafeString:
    """The article's title (a link to its comments in the queue) and when, with the
    exact time on hover."""
    article = comment.article
    queue = reverse("admin:comments_comment_changelist")
    when = timezone.localtime(comment.submitted_at)
    reply = format_html('<span class="cq-meta">{}</span>', " · reply") if comment.parent_id else ""
    return format_html(
        '<a class="cq-article" href="{}?article__id__exact={}" title="Comments on this'
        ' article">{}</a><span class="cq-meta"><time datetime="{}" title="{}">{}</time>'
        "{}</span>",
        queue,
        article.pk,
        article.title,
        when.isoformat(),
        formats.date_format(when, "DATETIME_FORMAT"),
        _ago(comment.submitted_at),
        reply,
    )


def status_cell(comment: Comment, *, note: str = "") -> SafeString:
    """The status as a label, why the comment has it, and the other signals."""
    featured = (
        format_html(' <span class="cq-featured">{}</span>', "★ featured")
        if comment.featured
        else ""
    )
    signals = format_html_join(
        "", '<span class="cq-signal">{}</span>', ((s,) for s in queue_signals(comment))
    )
    return format_html(
        '<span class="cq-status cq-status-{}">{}</span>{}<span class="cq-why">{}</span>{}',
        comment.status,
        comment.get_status_display(),
        featured,
        why_words(comment, note=note),
        signals,
    )
