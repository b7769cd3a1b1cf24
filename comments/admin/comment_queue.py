"""The comment queue: every comment with one-click decisions, bulk actions, and the
change form. Every status change goes through comments.moderating, with an audit row."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from comments import moderating, search, services
from comments.admin import queue_cells
from comments.admin.action_forms import ask_then_apply
from comments.admin.forms import CommentAdminForm, ModerateForm
from comments.admin.inlines import CommentFlagInline, ModerationActionInline
from comments.admin.why import step_title, why_words
from comments.matching import normalize_email
from comments.models import Comment, ModerationAction
from comments.selectors import MODERATION_ORDERINGS
from comments.staff_view import COMMENT_PLACE_FIELDS, COMMENT_RECORD_FIELDS, COMMENT_TEXT_FIELDS
from plumbing.admin_views import ExtraViewsAdminMixin

# The change page's read-only record under human labels (the model's verbose names read
# "Ip address"; its fields and migrations are not the admin's to change): the field's
# name in the staff view (comments.staff_view) -> the CommentAdmin method shown instead.
RECORD_LABELLED = {
    "parent": "reply_to",
    "is_listed": "shown_to_readers",
    "ip_address": "ip_address_shown",
    "user_agent": "user_agent_shown",
    "moderation_step": "decided_by",
    "moderation_reason": "reason_shown",
    "flag_count": "reader_reports",
    "link_count": "links_shown",
}


def _labelled(names) -> list[str]:
    return [RECORD_LABELLED.get(name, name) for name in names]


def _decision_note() -> Subquery:
    """The audit note of the comment's deciding step (its latest row with that step):
    the matched word, the rejection figures. One subquery in the page's one query."""
    return Subquery(
        ModerationAction.objects.filter(comment_id=OuterRef("pk"), step=OuterRef("moderation_step"))
        .order_by("-created_at", "-id")
        .values("note")[:1]
    )


def _status_action(status: str, description: str, done: str):
    """A bulk action that gives the selected comments `status` (through _moderate)."""

    @admin.action(description=description)
    def action(model_admin, request, queryset):
        model_admin._moderate(request, queryset, status, done)

    return action


def _note(comment: Comment) -> str:
    return getattr(comment, "decision_note", None) or ""


@admin.register(Comment)
class CommentAdmin(ExtraViewsAdminMixin, admin.ModelAdmin):
    form = CommentAdminForm
    # Four columns, so a row and its decisions fit a 1366 px screen (queue_cells):
    # the words with the buttons under them, who, where and when, status and why.
    list_display = ["comment_cell", "author_cell", "article_cell", "status_cell"]
    # The comment's page is its "details" link: the words hold links of their own.
    list_display_links = None
    list_filter = [
        "status",
        "moderation_reason",
        "new_commenter",
        "featured",
        ("article", admin.RelatedOnlyFieldListFilter),
        "submitted_at",
    ]
    list_select_related = ["article", "moderated_by"]
    # Searched by comments.search (get_search_results): words, addresses, IPs.
    search_fields = ["author_name", "body"]
    search_help_text = (
        'Words in the name or comment; "a phrase", -word to leave out, or between '
        "alternatives. An address (ann@example.com), a domain (@example.com) or an IP "
        "finds the commenter."
    )
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
    extra_views = [("<path:object_id>/moderate/", "moderate_view", "comments_comment_moderate")]
    # The staff view of a comment (comments.staff_view): the words and the status are
    # editable, a status change asks for a reason and a note; the rest is the record.
    readonly_fields = _labelled([*COMMENT_PLACE_FIELDS, *COMMENT_RECORD_FIELDS])
    fields = [
        *_labelled(COMMENT_PLACE_FIELDS),
        *COMMENT_TEXT_FIELDS,
        "status",
        "change_reason",
        "change_note",
        *_labelled(COMMENT_RECORD_FIELDS),
    ]
    inlines = [ModerationActionInline, CommentFlagInline]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    class Media:
        # The queue's layout, and its keyboard shortcuts (a file: the CSP allows no
        # inline script).
        css = {"all": ["comments/admin/comment_queue.css"]}
        js = ["comments/admin/comment_queue.js"]

    def has_add_permission(self, request):
        return False  # comments come from readers, through the API

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(decision_note=_decision_note())

    def changelist_view(self, request, extra_context=None):
        # The queue is a working screen: the whole width for the comments and their
        # decisions, without the admin's navigation sidebar (the breadcrumbs lead back).
        pending = request.GET.get("status__exact") == Comment.Status.PENDING
        context = {
            "is_nav_sidebar_enabled": False,
            "title": "Comments awaiting moderation" if pending else "Comments",
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_search_results(self, request, queryset, search_term):
        """Full-text search over the words, and the commenter's address and IP
        (comments/search.py), best matches first unless the moderator orders by a
        column; no duplicates to remove."""
        if not search_term.strip():
            return queryset, False
        best_first = ORDER_VAR not in request.GET
        found = search.search_comments(queryset=queryset, text=search_term, best_first=best_first)
        return found, False

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

    # --- the queue's columns --------------------------------------------------------

    def action_checkbox(self, comment):
        """Django's row checkbox, its label naming the article by title (the model's
        __str__ gives the article's id)."""
        label = f"Select the comment by {comment.author_name} on {comment.article.title}"
        checkbox = forms.CheckboxInput(
            {"class": "action-select", "aria-label": label}, check_test=lambda value: False
        )
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(comment.pk))

    @admin.display(description="Comment")
    def comment_cell(self, comment):
        return queue_cells.comment_cell(comment)

    @admin.display(description="From", ordering="author_name")
    def author_cell(self, comment):
        return queue_cells.author_cell(comment)

    @admin.display(description="Article · posted", ordering="submitted_at")
    def article_cell(self, comment):
        return queue_cells.article_cell(comment)

    @admin.display(description="Status · why", ordering="status")
    def status_cell(self, comment):
        return queue_cells.status_cell(comment, note=_note(comment))

    # --- the comment's page: the record under human labels --------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # "Ann Reader on <the article's title>", not the model's "on 9".
            context["subtitle"] = f"{obj.author_name} on {obj.article.title}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Reply to")
    def reply_to(self, comment):
        if comment.parent_id is None:
            return "— (a top-level comment)"
        parent = comment.parent
        url = reverse("admin:comments_comment_change", args=[parent.pk])
        return format_html(
            '<a href="{}">{}: {}</a>', url, parent.author_name, Truncator(parent.body).chars(80)
        )

    @admin.display(description="Shown to readers", boolean=True)
    def shown_to_readers(self, comment):
        return comment.is_listed

    @admin.display(description="IP address")
    def ip_address_shown(self, comment):
        return comment.ip_address

    @admin.display(description="User agent")
    def user_agent_shown(self, comment):
        return comment.user_agent

    @admin.display(description="Decided by")
    def decided_by(self, comment):
        """The check or the moderator, and why, in words (not the step's dotted path)."""
        if comment.moderation_step:
            return f"Check: {step_title(comment.moderation_step)} — {why_words(comment, note=_note(comment))}"
        return why_words(comment, note=_note(comment))

    @admin.display(description="Reason")
    def reason_shown(self, comment):
        return comment.get_moderation_reason_display()

    @admin.display(description="Reader reports")
    def reader_reports(self, comment):
        return comment.flag_count

    @admin.display(description="Links when posted")
    def links_shown(self, comment):
        return comment.link_count

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
                changed = moderating.comments_moderate(
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
        obj.author_email = normalize_email(obj.author_email)
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        # (The response cache hears of an edit from the Comment post_save signal.)
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            moderating.comments_moderate(
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
        changed = moderating.comments_moderate(
            ids=list(queryset.values_list("pk", flat=True)),
            status=status,
            moderator=request.user,
            reason=reason,
            note=note,
        )
        self.message_user(request, f"{len(changed)} comment(s) {label}.", messages.SUCCESS)

    approve_selected = _status_action(
        Comment.Status.APPROVED, "Approve selected comments", "approved"
    )
    mark_spam_selected = _status_action(
        Comment.Status.SPAM, "Mark selected comments as spam", "marked as spam"
    )
    remove_selected = _status_action(Comment.Status.REMOVED, "Remove selected comments", "removed")
    hold_selected = _status_action(
        Comment.Status.PENDING, "Hold selected comments for moderation", "held"
    )

    @admin.action(description="Moderate selected comments with a reason and note…")
    def moderate_with_reason(self, request, queryset):
        """An intermediate page (like the delete confirmation) asks for the status, the
        reason and a note, then applies them to every selected comment at once."""

        def apply(data):
            label = Comment.Status(data["status"]).label.lower()
            self._moderate(
                request, queryset, data["status"], label, reason=data["reason"], note=data["note"]
            )

        def context():
            selected = list(queryset.values_list("pk", flat=True))
            return {
                "selected": selected,
                "preview": queryset.select_related("article").order_by("pk")[:20],
                "count": len(selected),
            }

        return ask_then_apply(
            self,
            request,
            form_class=ModerateForm,
            apply=apply,
            template="admin/comments/comment/moderate_selected.html",
            title="Moderate the selected comments",
            context=context,
        )

    @admin.action(description="Feature selected comments (editor's pick)")
    def feature_selected(self, request, queryset):
        eligible = queryset.filter(status=Comment.Status.APPROVED, featured=False)
        featured = 0
        for comment in eligible.select_related(None).only("pk"):
            moderating.comment_feature(comment=comment, by=request.user)
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
            moderating.comment_unfeature(comment=comment, by=request.user)
            unfeatured += 1
        self.message_user(request, f"{unfeatured} comment(s) unfeatured.", messages.SUCCESS)
