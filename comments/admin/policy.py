"""The discussion settings: one row (ModerationPolicy), so the list page goes straight
to its form."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from comments.models import ModerationPolicy


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
