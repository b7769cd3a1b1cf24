"""Privacy requests: the log of exports and erasures, and the page to run one for an
address (comments.privacy does the work)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from comments import privacy
from comments.admin.forms import PrivacyRunForm
from comments.models import PrivacyRequest


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
        if not request.user.has_perm("comments.run_privacy_request"):
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
