"""Staff pages for commenters: find one by email, see their comments across articles and
counts by status, keep notes, and ban, suspend or pre-moderate them. Every write goes
through comments.sanctions. Every page runs a fixed number of queries, whatever the
number of comments (the comment list is capped).
"""

from __future__ import annotations

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

    def _each(self, request, queryset, label, make):
        done = 0
        for commenter in queryset:
            try:
                make(commenter)
            except ValidationError as error:
                self.message_user(
                    request, f"{commenter.email}: {error.messages[0]}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} commenter(s) {label}.", messages.SUCCESS)

    def _ask_then_apply(self, request, queryset, *, form_class, apply, action, title, submit):
        """An action that asks for `form_class` first, on the commenters' sanction page."""
        return ask_then_apply(
            self,
            request,
            form_class=form_class,
            apply=apply,
            template="admin/comments/commenter/sanction_form.html",
            title=title,
            context=lambda: {"commenters": list(queryset), "action": action, "submit": submit},
        )

    @admin.action(description="Ban (their new comments are spam)")
    def ban_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            "banned",
            lambda c: sanctions.commenter_ban(email=c.email, by=request.user),
        )

    @admin.action(description="Ban and reject their comments of the last N days…")
    def ban_and_reject_selected(self, request, queryset):
        def apply(data):
            self._each(
                request,
                queryset,
                f"banned, their comments of the last {data['days']} days marked spam",
                lambda c: sanctions.commenter_ban(
                    email=c.email,
                    by=request.user,
                    retroactive_days=data["days"],
                    message=data["message"],
                ),
            )

        return self._ask_then_apply(
            request,
            queryset,
            form_class=RetroactiveBanForm,
            apply=apply,
            action="ban_and_reject_selected",
            title="Ban and reject recent comments",
            submit="Ban and reject",
        )

    @admin.action(description="Suspend until…")
    def suspend_selected(self, request, queryset):
        def apply(data):
            self._each(
                request,
                queryset,
                "suspended",
                lambda c: sanctions.commenter_suspend(
                    email=c.email, until=data["until"], message=data["message"], by=request.user
                ),
            )

        return self._ask_then_apply(
            request,
            queryset,
            form_class=SuspendForm,
            apply=apply,
            action="suspend_selected",
            title="Suspend commenters",
            submit="Suspend",
        )

    @admin.action(description="Always pre-moderate")
    def premoderate_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            "pre-moderated from now on",
            lambda c: sanctions.commenter_premoderate(email=c.email, by=request.user),
        )
