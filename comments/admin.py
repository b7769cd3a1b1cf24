"""The moderators' admin: the comment queue with bulk actions, and the discussion settings."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from comments import privacy, services
from comments.models import Comment, CommentFlag, ModerationPolicy, PrivacyRequest


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["ip_address", "reason", "created_at"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "short_body",
        "author_name",
        "author_email",
        "article",
        "status",
        "submitted_at",
        "ip_address",
        "flag_count",
    ]
    list_filter = ["status", ("article", admin.RelatedOnlyFieldListFilter), "submitted_at"]
    list_select_related = ["article"]
    search_fields = ["author_name", "author_email", "body", "=ip_address"]
    date_hierarchy = "submitted_at"
    actions = ["approve_selected", "mark_spam_selected", "remove_selected", "hold_selected"]
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
        "is_listed",
        "submitted_at",
        "ip_address",
        "user_agent",
        "user",
        "moderated_by",
        "moderated_at",
    ]
    inlines = [CommentFlagInline]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False  # comments come from readers, through the API

    @admin.display(description="comment")
    def short_body(self, comment):
        return Truncator(comment.body).chars(80)

    def save_model(self, request, obj, form, change):
        # A status change goes through the service, which keeps counts and threads right.
        new_status = obj.status
        # Stored lower-case, as the API stores it, so flood and known-author checks match.
        obj.author_email = obj.author_email.strip().lower()
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            services.comments_moderate(ids=[obj.pk], status=new_status, moderator=request.user)
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.comments_delete(comments=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.comments_delete(comments=queryset)

    def _moderate(self, request, queryset, status, label):
        changed = services.comments_moderate(
            ids=list(queryset.values_list("pk", flat=True)), status=status, moderator=request.user
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


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to the form."""

    fieldsets = [
        ("Open or closed", {"fields": ["comments_open", "close_after_days"]}),
        (
            "Before a comment appears",
            {"fields": ["default_status", "auto_approve_known_authors"]},
        ),
        ("Hold for moderation", {"fields": ["hold_link_count", "moderation_keywords"]}),
        (
            "Spam (disallowed)",
            {
                "fields": [
                    "blocklist_keywords",
                    "blocklist_emails",
                    "blocklist_domains",
                    "blocklist_ips",
                ]
            },
        ),
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
