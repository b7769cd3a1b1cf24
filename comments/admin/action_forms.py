"""Admin actions that ask first: an intermediate page (like Django's delete
confirmation) with a form (a status and reason, a date, a number of days), then the
action applied to every selected row once the form is valid."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.http import HttpRequest
from django.template.response import TemplateResponse


def ask_then_apply(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    apply: Callable[[dict], None],
    template: str,
    title: str,
    context: Callable[[], dict] = dict,
) -> TemplateResponse | None:
    """The action's answer: the page with `form_class` (blank, or with its errors), or,
    once the moderator submits it ("apply") and it is valid, `apply(cleaned_data)` and
    back to the list (None). `context` adds to the page's template context."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        apply(form.cleaned_data)
        return None  # back to the list
    page = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        **context(),
    }
    return TemplateResponse(request, template, page)
