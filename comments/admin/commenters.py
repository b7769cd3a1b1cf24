"""Staff pages for commenters: find one by email, see their comments across articles and
counts by status, keep notes, and ban, suspend or pre-moderate them. Every write goes
through comments.sanctions. Every page runs a fixed number of queries, whatever the
number of comments (the comment list is capped).
"""

from __future__ import annotations

import functools

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from comments import sanctions, selectors
from comments.admin.action_forms import ask_then_apply
from comments.admin.forms import RetroactiveBanForm, SuspendForm
from comments.admin.inlines import CommenterNoteAddInline, CommenterNoteInline
from comments.admin.sanctions import CommenterSanctionInline
from comments.models import Comment, Commenter, CommenterNote, CommenterSanction

# The commenter page lists at most this many of their comments (the latest), with a link
# to all of them in the comment queue.
COMMENTS_SHOWN = 50


def _comment_queue_url(**filters) -> str:
    return reverse("admin:comments_comment_changelist") + "?" + urlencode(filters)


def _asks_first(form_class, *, title: str, submit: str):
    """Makes an action method `(self, request, queryset, data)` ask for `form_class`
    first, on the commenters' sanction page; it runs with the valid form's data."""

    def decorate(method):
        @functools.wraps(method)
        def action(self, request, queryset):
            return ask_then_apply(
                self,
                request,
                form_class=form_class,
                apply=lambda data: method(self, request, queryset, data),
                template="admin/comments/commenter/sanction_form.html",
                title=title,
                context=lambda: {
                    "commenters": list(queryset),
                    "action": method.__name__,
                    "submit": submit,
                },
            )

        return action

    return decorate


@admin.register(Commenter)
class CommenterAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "created_at", "comment_total", "sanction_in_force"]
    search_fields = ["email", "name"]
    search_help_text = "Email address, whole or part (or a name)."
    fields = ["email", "name", "created_at", "comment_counts", "latest_comments"]
    readonly_fields = fields
    inlines = [CommenterSanctionInline, CommenterNoteInline, CommenterNoteAddInline]
    actions = [
        "ban_selected",
        "ban_and_reject_selected",
        "suspend_selected",
        "premoderate_selected",
    ]
    list_per_page = 50

    def get_queryset(self, request):
        # Two correlated subqueries keep the list one query, whatever its length.
        comment_total = (
            Comment.objects.filter(author_email=OuterRef("email"))
            .order_by()
            .values("author_email")
            .annotate(n=Count("id"))
            .values("n")
        )
        in_force = (
            selectors.sanctions_in_force(now=timezone.now())
            .filter(commenter=OuterRef("pk"))
            .order_by("kind")
            .values("kind")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                _comment_total=Coalesce(
                    Subquery(comment_total, output_field=IntegerField()), Value(0)
                ),
                _sanction_in_force=Subquery(in_force),
            )
        )

    def has_add_permission(self, request):
        return False  # a commenter record is made by their first comment, or by a sanction

    def has_delete_permission(self, request, obj=None):
        return False  # erasure (Privacy requests) decides what goes; sanctions are kept

    @admin.display(description="comments", ordering="_comment_total")
    def comment_total(self, commenter):
        return commenter._comment_total

    @admin.display(description="sanction in force")
    def sanction_in_force(self, commenter):
        kind = commenter._sanction_in_force
        return CommenterSanction.Kind(kind).label if kind else "—"

    @admin.display(description="comments by status")
    def comment_counts(self, commenter):
        by_status = selectors.commenter_comment_counts(email=commenter.email)
        return format_html_join(
            " · ",
            '<a href="{}">{} {}</a>',
            (
                (
                    _comment_queue_url(author_email__exact=commenter.email, status__exact=value),
                    by_status.get(value, 0),
                    label.lower(),
                )
                for value, label in Comment.Status.choices
            ),
        )

    @admin.display(description=f"latest comments (up to {COMMENTS_SHOWN})")
    def latest_comments(self, commenter):
        latest = selectors.commenter_latest_comments(email=commenter.email, limit=COMMENTS_SHOWN)
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:comments_comment_change", args=[c.pk]),
                    c.submitted_at.strftime("%Y-%m-%d %H:%M"),
                    c.get_status_display(),
                    c.article.title,
                    Truncator(c.body).chars(80),
                )
                for c in latest
            ),
        )
        return format_html(
            "<table><thead><tr><th>submitted</th><th>status</th><th>article</th>"
            "<th>comment</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">All their comments in the queue</a></p>',
            rows,
            _comment_queue_url(author_email__exact=commenter.email),
        )

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only: only the inlines' new notes are saved

    def save_formset(self, request, form, formset, change):
        if formset.model is not CommenterNote:
            return super().save_formset(request, form, formset, change)
        # A new note goes through the service, with this moderator as its author.
        for note in formset.save(commit=False):
            if note.pk is None:
                sanctions.commenter_note_add(
                    email=form.instance.email, text=note.text, by=request.user
                )
        return None

    # --- actions -------------------------------------------------------------------

    def has_sanction_permission(self, request) -> bool:
        # Sanctioning is a right of its own (the sanction model's add permission), not
        # part of looking commenters up.
        return request.user.has_perm("comments.add_commentersanction")

    def _each(self, request, queryset, label, sanction, **options):
        """`sanction` (a comments.sanctions function) with `options` on each selected
        commenter; one message per refusal, one for all that were done."""
        done = 0
        for commenter in queryset:
            try:
                sanction(email=commenter.email, by=request.user, **options)
            except ValidationError as error:
                self.message_user(
                    request, f"{commenter.email}: {error.messages[0]}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} commenter(s) {label}.", messages.SUCCESS)

    @admin.action(description="Ban (their new comments are spam)", permissions=["sanction"])
    def ban_selected(self, request, queryset):
        self._each(request, queryset, "banned", sanctions.commenter_ban)

    @admin.action(
        description="Ban and reject their comments of the last N days…", permissions=["sanction"]
    )
    @_asks_first(
        RetroactiveBanForm, title="Ban and reject recent comments", submit="Ban and reject"
    )
    def ban_and_reject_selected(self, request, queryset, data):
        self._each(
            request,
            queryset,
            f"banned, their comments of the last {data['days']} days marked spam",
            sanctions.commenter_ban,
            retroactive_days=data["days"],
            message=data["message"],
        )

    @admin.action(description="Suspend until…", permissions=["sanction"])
    @_asks_first(SuspendForm, title="Suspend commenters", submit="Suspend")
    def suspend_selected(self, request, queryset, data):
        # The form's fields are commenter_suspend's `until` and `message`.
        self._each(request, queryset, "suspended", sanctions.commenter_suspend, **data)

    @admin.action(description="Always pre-moderate", permissions=["sanction"])
    def premoderate_selected(self, request, queryset):
        self._each(request, queryset, "pre-moderated from now on", sanctions.commenter_premoderate)
