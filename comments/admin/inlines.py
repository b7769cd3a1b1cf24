"""Inlines of the comment and commenter pages: records shown as they were written
(reports, the audit trail, notes), and the one row that adds a note. The sanctions
inline is comments.admin.sanctions'."""

from __future__ import annotations

from django.contrib import admin

from comments.admin.why import step_title
from comments.models import CommenterNote, CommentFlag, ModerationAction


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["reporter_ip", "reason", "created_at"]
    readonly_fields = fields
    can_delete = True

    @admin.display(description="Reporter's IP address")
    def reporter_ip(self, flag):
        return flag.ip_address

    def has_add_permission(self, request, obj=None):
        return False


class RecordInline(admin.TabularInline):
    """Rows kept as they were written (the audit trail, notes): read-only, one query."""

    extra = 0
    can_delete = False
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ModerationActionInline(RecordInline):
    """The comment's audit trail, newest first."""

    model = ModerationAction
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "check_words", "note"]
    readonly_fields = fields
    select_related = ("actor",)
    verbose_name = "moderation action"
    verbose_name_plural = "Audit trail (every status change)"

    @admin.display(description="Check")
    def check_words(self, action):
        """The pipeline check (or the reader's act) in words, not its dotted path."""
        return step_title(action.step) if action.step else "—"

    def has_delete_permission(self, request, obj=None):
        return False  # the trail is kept

    def has_view_permission(self, request, obj=None):
        # Whoever may look at comments may read their history.
        return request.user.has_perm("comments.view_comment") or request.user.has_perm(
            "comments.change_comment"
        )


class CommenterNoteInline(RecordInline):
    """The notes so far: a note is a record, like the audit trail."""

    model = CommenterNote
    fields = ["created_at", "author", "text"]
    readonly_fields = fields
    select_related = ("author",)
    verbose_name_plural = "moderators' notes"


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
