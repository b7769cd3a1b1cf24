"""The moderators' admin: the comment queue with bulk actions, and the discussion settings."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator

from comments import services
from comments.models import Comment, CommentFlag, ModerationPolicy


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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_flag_count=Count("flags"))

    def has_add_permission(self, request):
        return False  # comments come from readers, through the API

    @admin.display(description="comment")
    def short_body(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description="flags", ordering="_flag_count")
    def flag_count(self, comment):
        return comment._flag_count

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
