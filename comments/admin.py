"""The moderators' admin: the comment queue with bulk actions, and the discussion settings."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from comments import privacy, services
from comments.models import (
    Comment,
    CommentFlag,
    ModerationAction,
    ModerationPolicy,
    PrivacyRequest,
    ReasonCode,
)
from comments.selectors import MODERATION_ORDERINGS


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["ip_address", "reason", "created_at"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


class ModerationActionInline(admin.TabularInline):
    """The comment's audit trail, newest first: read-only, one query."""

    model = ModerationAction
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "step", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name = "moderation action"
    verbose_name_plural = "Audit trail (every status change)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the trail is kept

    def has_view_permission(self, request, obj=None):
        # Whoever may look at comments may read their history.
        return request.user.has_perm("comments.view_comment") or request.user.has_perm(
            "comments.change_comment"
        )


REASON_CHOICES = [("", "— no reason —"), *ReasonCode.choices]
# The one-click rejections offered on each row of the queue: marking spam, or removing
# for one of these reasons (any other reason: "with a note…", or the bulk action).
ROW_REMOVAL_REASONS = [
    ReasonCode.OFFENSIVE,
    ReasonCode.OFF_TOPIC,
    ReasonCode.HARASSMENT,
    ReasonCode.MISINFORMATION,
    ReasonCode.OTHER,
]


class ModerateForm(forms.Form):
    """A moderator's decision: the status, why, and a note for the audit trail."""

    status = forms.ChoiceField(choices=Comment.Status.choices)
    reason = forms.ChoiceField(choices=REASON_CHOICES, required=False)
    note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


class CommentAdminForm(forms.ModelForm):
    """The change form, plus the reason and note recorded when the status changes."""

    change_reason = forms.ChoiceField(
        choices=REASON_CHOICES,
        required=False,
        label="Reason",
        help_text="Recorded in the audit trail when you change the status.",
    )
    change_note = forms.CharField(
        required=False,
        max_length=1000,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For moderators only (audit trail); never shown to readers.",
    )

    class Meta:
        model = Comment
        # The admin builds the form from CommentAdmin.fields (with its formfield
        # overrides); these are only the base class's.
        fields = ["status"]


def _why(comment: Comment) -> str:
    """The latest decision in a few words: the deciding step's short name (or the
    moderator) and the reason code, e.g. "too_many_links · links"."""
    if comment.moderation_step:
        who = comment.moderation_step.rpartition(".")[2]
    elif comment.moderated_by_id:
        who = f"by {comment.moderated_by.get_username()}"
    else:
        who = ""
    return " · ".join(part for part in (who, comment.moderation_reason) if part) or "—"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    list_display = [
        "short_body",
        "author_name",
        "author_email",
        "article",
        "status",
        "why",
        "flag_count",
        "link_count",
        "new_commenter",
        "featured",
        "submitted_at",
        "ip_address",
        "moderate_buttons",
    ]
    list_filter = [
        "status",
        "moderation_reason",
        "new_commenter",
        "featured",
        ("article", admin.RelatedOnlyFieldListFilter),
        "submitted_at",
    ]
    list_select_related = ["article", "moderated_by"]
    search_fields = ["author_name", "author_email", "body", "=ip_address"]
    date_hierarchy = "submitted_at"
    actions = [
        "approve_selected",
        "mark_spam_selected",
        "remove_selected",
        "hold_selected",
        "moderate_with_reason",
        "feature_selected",
        "unfeature_selected",
    ]
    readonly_fields = [
        "article",
        "parent",
        "depth",
        "is_listed",
        "submitted_at",
        "ip_address",
        "user_agent",
        "user",
        "moderated_by",
        "moderated_at",
        "moderation_step",
        "moderation_reason",
        "flag_count",
        "link_count",
        "new_commenter",
        "featured",
        "featured_at",
        "reaction_count",
    ]
    fields = [
        "article",
        "parent",
        "depth",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "status",
        "change_reason",
        "change_note",
        "is_listed",
        "submitted_at",
        "ip_address",
        "user_agent",
        "user",
        "moderated_by",
        "moderated_at",
        "moderation_step",
        "moderation_reason",
        "flag_count",
        "link_count",
        "new_commenter",
        "featured",
        "featured_at",
        "reaction_count",
    ]
    inlines = [ModerationActionInline, CommentFlagInline]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False  # comments come from readers, through the API

    def get_ordering(self, request):
        # The pending queue comes by priority (the comment_pending_priority index):
        # most reports, most links, new commenters, then oldest. Column sorting still wins.
        if request.GET.get("status__exact") == Comment.Status.PENDING:
            return list(MODERATION_ORDERINGS["priority"])
        return super().get_ordering(request)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if request.method == "POST":
            # The audit trail is read-only: a saved form has nothing to say about it.
            inlines = [i for i in inlines if not isinstance(i, ModerationActionInline)]
        return inlines

    @admin.display(description="comment")
    def short_body(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description="why", ordering="moderation_reason")
    def why(self, comment):
        return _why(comment)

    @admin.display(description="moderate")
    def moderate_buttons(self, comment):
        """One click per decision. The buttons submit the changelist form (it carries
        the CSRF token) to this comment's moderate view; no nested forms, no script."""
        url = reverse("admin:comments_comment_moderate", args=[comment.pk])
        button = '<button type="submit" class="button" formaction="{}" name="decision" value="{}">{}</button>'
        parts = []
        if comment.status != Comment.Status.APPROVED:
            parts.append(format_html(button, url, "approved:", "Approve"))
        rejections = []
        if comment.status != Comment.Status.SPAM:
            rejections.append(format_html(button, url, "spam:spam", "Spam"))
        if comment.status != Comment.Status.REMOVED:
            rejections += [
                format_html(button, url, f"removed:{code.value}", f"Remove: {code.label}")
                for code in ROW_REMOVAL_REASONS
            ]
        if rejections:
            parts.append(
                format_html(
                    "<details><summary>Reject…</summary>{}</details>",
                    format_html_join("", "<div>{}</div>", ((r,) for r in rejections)),
                )
            )
        parts.append(format_html('<a href="{}">with a note…</a>', url))
        return format_html_join(" ", "{}", ((p,) for p in parts))

    def get_urls(self):
        moderate = path(
            "<path:object_id>/moderate/",
            self.admin_site.admin_view(self.moderate_view),
            name="comments_comment_moderate",
        )
        return [moderate, *super().get_urls()]

    def _back(self, request) -> HttpResponseRedirect:
        """Back where the moderator came from (the filtered queue), if it is ours."""
        target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
        allowed = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        if not (target and allowed):
            target = reverse("admin:comments_comment_changelist")
        return HttpResponseRedirect(target)

    def moderate_view(self, request, object_id):
        """GET: a form (status, reason, note) that changes nothing. POST (the form, or a
        queue row's one-click button `decision=status:reason`): the decision, through
        the moderation service, with an audit row."""
        comment = self.get_object(request, object_id)
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        if request.method == "POST":
            data = request.POST
            if "decision" in data:
                status, _, reason = data["decision"].partition(":")
                data = {"status": status, "reason": reason, "note": ""}
            form = ModerateForm(data)
            if form.is_valid():
                changed = services.comments_moderate(
                    ids=[comment.pk],
                    status=form.cleaned_data["status"],
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
                label = Comment.Status(form.cleaned_data["status"]).label.lower()
                if changed:
                    self.message_user(request, f"Comment {comment.pk}: {label}.", messages.SUCCESS)
                else:
                    self.message_user(
                        request, f"Comment {comment.pk} was already {label}.", messages.INFO
                    )
                return self._back(request)
            if "decision" in request.POST:
                self.message_user(request, "That decision is not valid.", messages.ERROR)
                return self._back(request)
        else:
            form = ModerateForm(initial={"status": comment.status})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Moderate comment {comment.pk}",
            "form": form,
            "comment": comment,
            "opts": self.model._meta,
            "next": request.POST.get("next") or request.META.get("HTTP_REFERER", ""),
        }
        return TemplateResponse(request, "admin/comments/comment/moderate.html", context)

    def save_model(self, request, obj, form, change):
        # A status change goes through the service, which keeps counts and threads right.
        new_status = obj.status
        # Stored lower-case, as the API stores it, so flood and known-author checks match.
        obj.author_email = obj.author_email.strip().lower()
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        # (The response cache hears of an edit from the Comment post_save signal.)
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            services.comments_moderate(
                ids=[obj.pk],
                status=new_status,
                moderator=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
                note=form.cleaned_data.get("change_note", ""),
            )
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.comments_delete(comments=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.comments_delete(comments=queryset)

    def _moderate(self, request, queryset, status, label, reason="", note=""):
        changed = services.comments_moderate(
            ids=list(queryset.values_list("pk", flat=True)),
            status=status,
            moderator=request.user,
            reason=reason,
            note=note,
        )
        self.message_user(request, f"{len(changed)} comment(s) {label}.", messages.SUCCESS)

    @admin.action(description="Approve selected comments")
    def approve_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(description="Mark selected comments as spam")
    def mark_spam_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "marked as spam")

    @admin.action(description="Remove selected comments")
    def remove_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REMOVED, "removed")

    @admin.action(description="Hold selected comments for moderation")
    def hold_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.PENDING, "held")

    @admin.action(description="Moderate selected comments with a reason and note…")
    def moderate_with_reason(self, request, queryset):
        """An intermediate page (like the delete confirmation) asks for the status, the
        reason and a note, then applies them to every selected comment at once."""
        applying = "apply" in request.POST
        form = ModerateForm(request.POST if applying else None)
        if applying and form.is_valid():
            data = form.cleaned_data
            label = Comment.Status(data["status"]).label.lower()
            self._moderate(
                request, queryset, data["status"], label, reason=data["reason"], note=data["note"]
            )
            return None  # back to the queue
        selected = list(queryset.values_list("pk", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderate the selected comments",
            "form": form,
            "selected": selected,
            "preview": queryset.select_related("article").order_by("pk")[:20],
            "count": len(selected),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/comments/comment/moderate_selected.html", context)

    @admin.action(description="Feature selected comments (editor's pick)")
    def feature_selected(self, request, queryset):
        eligible = queryset.filter(status=Comment.Status.APPROVED, featured=False)
        featured = 0
        for comment in eligible.select_related(None).only("pk"):
            services.comment_feature(comment, by=request.user)
            featured += 1
        self.message_user(request, f"{featured} comment(s) featured.", messages.SUCCESS)
        skipped = queryset.exclude(status=Comment.Status.APPROVED).count()
        if skipped:
            self.message_user(
                request,
                f"{skipped} comment(s) not featured: only approved comments can be.",
                messages.WARNING,
            )

    @admin.action(description="Unfeature selected comments")
    def unfeature_selected(self, request, queryset):
        unfeatured = 0
        for comment in queryset.filter(featured=True).select_related(None).only("pk"):
            services.comment_unfeature(comment, by=request.user)
            unfeatured += 1
        self.message_user(request, f"{unfeatured} comment(s) unfeatured.", messages.SUCCESS)


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to the form."""

    fieldsets = [
        ("Open or closed", {"fields": ["comments_open", "close_after_days"]}),
        (
            "Before a comment appears",
            {
                "fields": [
                    "default_status",
                    "auto_approve_known_authors",
                    "approved_comments_required",
                ]
            },
        ),
        (
            "Hold for moderation",
            {"fields": ["hold_link_count", "moderation_keywords", "suspect_words"]},
        ),
        (
            "Commenter history (hold when too many comments were rejected)",
            {
                "fields": [
                    "rejection_rate_percent",
                    "rejection_rate_window_days",
                    "rejection_rate_min_comments",
                ]
            },
        ),
        (
            "Spam (disallowed)",
            {
                "fields": [
                    "banned_words",
                    "blocklist_keywords",
                    "blocklist_emails",
                    "blocklist_domains",
                    "blocklist_ips",
                ]
            },
        ),
        ("Reactions", {"fields": ["reactions_enabled", "reaction_label"]}),
        (
            "Limits",
            {
                "fields": [
                    "flood_interval_seconds",
                    "max_depth",
                    "max_body_length",
                    "flag_threshold",
                ]
            },
        ),
        (
            "Readers' data",
            {
                "fields": [
                    "edit_window_minutes",
                    "erase_keeps_approved_bodies",
                    "metadata_retention_days",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        policy = ModerationPolicy.load()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationpolicy_change", args=[policy.pk])
        )


class PrivacyRunForm(forms.Form):
    email = forms.EmailField(label="Email address")
    kind = forms.ChoiceField(choices=PrivacyRequest.Kind.choices, widget=forms.RadioSelect)
    confirm_erase = forms.BooleanField(
        required=False, label="Yes, erase: anonymize these comments now (cannot be undone)"
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == PrivacyRequest.Kind.ERASE and not data.get("confirm_erase"):
            raise forms.ValidationError("Tick the confirmation box to erase.")
        return data


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """The log of exports and erasures, and the page to run one for an address."""

    list_display = [
        "created_at",
        "kind",
        "source",
        "requested_by",
        "completed_at",
        "comments_affected",
    ]
    list_filter = ["kind", "source", "completed_at"]
    readonly_fields = [
        "kind",
        "source",
        "email",
        "email_digest",
        "requested_by",
        "created_at",
        "completed_at",
        "comments_affected",
    ]
    list_select_related = ["requested_by"]

    def has_add_permission(self, request):
        return False  # requests come from readers' links or from the run page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is kept

    def get_urls(self):
        run = path("run/", self.admin_site.admin_view(self.run_view), name="comments_privacy_run")
        return [run, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Privacy requests (export / erase)"}
        self.message_user(
            request,
            format_html(
                'To export or erase an address\'s comments, use <a href="{}">Run an export or erasure</a>.',
                reverse("admin:comments_privacy_run"),
            ),
            messages.INFO,
        )
        return super().changelist_view(request, extra_context)

    def run_view(self, request):
        if not request.user.has_perm("comments.change_comment"):
            raise PermissionDenied
        form = PrivacyRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            record, outcome = privacy.privacy_staff_run(
                email=form.cleaned_data["email"],
                kind=form.cleaned_data["kind"],
                staff_user=request.user,
            )
            if record.kind == PrivacyRequest.Kind.EXPORT:
                response = JsonResponse(outcome, json_dumps_params={"indent": 2})
                response["Content-Disposition"] = 'attachment; filename="comments-export.json"'
                return response
            self.message_user(request, f"{outcome} comment(s) anonymized.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:comments_privacyrequest_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Run an export or erasure",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/privacyrequest/run.html", context)


# Commenters and sanctions (their own module, registered on import).
from comments import admin_commenters  # noqa: E402, F401
