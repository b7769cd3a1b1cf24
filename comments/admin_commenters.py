"""Staff pages for commenters: find one by email, see their comments across articles and
counts by status, keep notes, and ban, suspend or pre-moderate them; IP and domain
sanctions. Every write goes through comments.sanctions. Every page runs a fixed number of
queries, whatever the number of comments (the comment list is capped).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from comments import sanctions
from comments.models import Comment, Commenter, CommenterNote, CommenterSanction
from comments.moderation import active_sanctions_at

# The commenter page lists at most this many of their comments (the latest), with a link
# to all of them in the comment queue.
COMMENTS_SHOWN = 50


def _sanction_state(sanction: CommenterSanction, now) -> str:
    if sanction.lifted_at is not None:
        return "lifted"
    if sanction.starts_at > now:
        return "scheduled"
    if sanction.ends_at is not None and sanction.ends_at <= now:
        return "ended"
    return "in force"


def _comment_queue_url(**filters) -> str:
    return reverse("admin:comments_comment_changelist") + "?" + urlencode(filters)


class CommenterNoteInline(admin.TabularInline):
    """The notes so far, read-only: a note is a record, like the audit trail."""

    model = CommenterNote
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "moderators' notes"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommenterNoteAddInline(admin.TabularInline):
    """A blank row to add a note; saved by comments.sanctions with this moderator as author."""

    model = CommenterNote
    extra = 1
    max_num = 1
    fields = ["text"]
    can_delete = False
    verbose_name = "new note"
    verbose_name_plural = "add a note (staff only)"

    def get_queryset(self, request):
        return super().get_queryset(request).none()


class CommenterSanctionInline(admin.TabularInline):
    """Read-only: sanctions are made by the actions and lifted in the sanctions list."""

    model = CommenterSanction
    fk_name = "commenter"
    extra = 0
    fields = [
        "kind",
        "state",
        "message",
        "starts_at",
        "ends_at",
        "lifted_at",
        "retroactive_days",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        # The row's title (str) names the commenter: join it, not one query per row.
        return super().get_queryset(request).select_related("commenter", "created_by")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="state")
    def state(self, sanction):
        return _sanction_state(sanction, timezone.now())


class RetroactiveBanForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=sanctions.RETROACTIVE_DAYS_MAX,
        initial=7,
        label="Reject their comments of the last N days",
    )
    message = forms.CharField(
        required=False, max_length=sanctions.MESSAGE_MAX, label="Note (staff only)"
    )


class SuspendForm(forms.Form):
    until = forms.DateTimeField(
        label="Suspended until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    message = forms.CharField(
        max_length=sanctions.MESSAGE_MAX,
        label="Message shown to the commenter",
        initial="Your comments are suspended for breaking the house rules.",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise ValidationError("Choose a time in the future.")
        return until


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
            active_sanctions_at(timezone.now())
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
        by_status = dict(
            Comment.objects.filter(author_email=commenter.email)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
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
        latest = (
            Comment.objects.filter(author_email=commenter.email)
            .select_related("article")
            .only("id", "body", "status", "submitted_at", "article__title", "article__id")
            .order_by("-submitted_at", "-id")[:COMMENTS_SHOWN]
        )
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
                sanctions.commenter_note_add(form.instance.email, note.text, by=request.user)
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

    def _ask(self, request, queryset, *, form, action, title, submit):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "commenters": list(queryset),
            "action": action,
            "submit": submit,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/comments/commenter/sanction_form.html", context)

    @admin.action(description="Ban (their new comments are spam)")
    def ban_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            "banned",
            lambda c: sanctions.commenter_ban(c.email, by=request.user),
        )

    @admin.action(description="Ban and reject their comments of the last N days…")
    def ban_and_reject_selected(self, request, queryset):
        form = RetroactiveBanForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._ask(
                request,
                queryset,
                form=form,
                action="ban_and_reject_selected",
                title="Ban and reject recent comments",
                submit="Ban and reject",
            )
        days = form.cleaned_data["days"]
        self._each(
            request,
            queryset,
            f"banned, their comments of the last {days} days marked spam",
            lambda c: sanctions.commenter_ban(
                c.email,
                by=request.user,
                retroactive_days=days,
                message=form.cleaned_data["message"],
            ),
        )
        return None

    @admin.action(description="Suspend until…")
    def suspend_selected(self, request, queryset):
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._ask(
                request,
                queryset,
                form=form,
                action="suspend_selected",
                title="Suspend commenters",
                submit="Suspend",
            )
        self._each(
            request,
            queryset,
            "suspended",
            lambda c: sanctions.commenter_suspend(
                c.email,
                until=form.cleaned_data["until"],
                message=form.cleaned_data["message"],
                by=request.user,
            ),
        )
        return None

    @admin.action(description="Always pre-moderate")
    def premoderate_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            "pre-moderated from now on",
            lambda c: sanctions.commenter_premoderate(c.email, by=request.user),
        )


class SanctionInForceFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("in_force", "In force"), ("over", "Lifted or ended")]

    def queryset(self, request, queryset):
        if self.value() == "in_force":
            return queryset.filter(pk__in=active_sanctions_at(timezone.now()).values("pk"))
        if self.value() == "over":
            return queryset.exclude(pk__in=active_sanctions_at(timezone.now()).values("pk"))
        return queryset


class SanctionAddForm(forms.ModelForm):
    """One target: an email address, an IP address or network, or an email domain."""

    email = forms.EmailField(
        required=False, help_text="A commenter's address (they need not have commented yet)."
    )

    class Meta:
        model = CommenterSanction
        fields = [
            "kind",
            "ip_network",
            "email_domain",
            "message",
            "starts_at",
            "ends_at",
            "retroactive_days",
        ]

    field_order = ["kind", "email", "ip_network", "email_domain"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.sanction_values = sanctions.sanction_validate(
                kind=data.get("kind", ""),
                email=data.get("email", ""),
                ip_network=data.get("ip_network", ""),
                email_domain=data.get("email_domain", ""),
                message=data.get("message", ""),
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                retroactive_days=data.get("retroactive_days"),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def _post_clean(self):
        # The model's own checks (one target) are the service's; skip the partial ones.
        pass


@admin.register(CommenterSanction)
class CommenterSanctionAdmin(admin.ModelAdmin):
    list_display = ["target", "kind", "state", "starts_at", "ends_at", "created_by", "created_at"]
    list_filter = ["kind", SanctionInForceFilter]
    list_select_related = ["commenter", "created_by"]
    search_fields = ["commenter__email", "ip_network", "email_domain"]
    search_help_text = "Email address, IP address or network, or domain."
    actions = ["lift_selected"]
    date_hierarchy = "created_at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SanctionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "kind",
                "email",
                "ip_network",
                "email_domain",
                "message",
                "starts_at",
                "ends_at",
                "retroactive_days",
            ]
        return [
            "kind",
            "commenter",
            "ip_network",
            "email_domain",
            "message",
            "starts_at",
            "ends_at",
            "lifted_at",
            "retroactive_days",
            "created_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        # A sanction is kept as made (the record of what was decided); lift it instead.
        return self.get_fields(request, obj) if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = sanctions.sanction_create(**form.sanction_values, by=request.user)
        for field in created._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    @admin.display(description="target", ordering="commenter__email")
    def target(self, sanction):
        if sanction.commenter_id:
            return sanction.commenter.email
        if sanction.ip_network:
            return f"IP {sanction.ip_network}"
        return f"domain {sanction.email_domain}"

    @admin.display(description="state")
    def state(self, sanction):
        return _sanction_state(sanction, timezone.now())

    @admin.action(description="Lift selected sanctions")
    def lift_selected(self, request, queryset):
        lifted = 0
        for sanction in queryset.filter(lifted_at__isnull=True):
            sanctions.sanction_lift(sanction, by=request.user)
            lifted += 1
        self.message_user(request, f"{lifted} sanction(s) lifted.", messages.SUCCESS)
