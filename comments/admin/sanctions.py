"""Staff pages for sanctions: every ban, suspension and pre-moderation, on a commenter,
an IP address or network, or an email domain; made here or by the commenter actions,
lifted here (never deleted), and listed on the commenter's page (the inline). Every
write goes through comments.sanctions."""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin, messages
from django.utils import timezone

from comments import sanctions, selectors
from comments.admin.forms import SANCTION_ADD_FIELDS, SanctionAddForm
from comments.models import CommenterSanction

# What a sanction says and when, after its kind and target (read-only once made).
SANCTION_RECORD_FIELDS = [
    "message",
    "starts_at",
    "ends_at",
    "lifted_at",
    "retroactive_days",
    "created_by",
    "created_at",
]


def sanction_state(sanction: CommenterSanction, now: datetime) -> str:
    """Lifted, scheduled, ended or in force, at `now`."""
    if sanction.lifted_at is not None:
        return "lifted"
    if sanction.starts_at > now:
        return "scheduled"
    if sanction.ends_at is not None and sanction.ends_at <= now:
        return "ended"
    return "in force"


class CommenterSanctionInline(admin.TabularInline):
    """On the commenter's page, read-only: sanctions are made by the commenter actions
    and lifted in the sanctions list."""

    model = CommenterSanction
    fk_name = "commenter"
    extra = 0
    fields = ["kind", "state", *SANCTION_RECORD_FIELDS]
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
        return sanction_state(sanction, timezone.now())


class SanctionInForceFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("in_force", "In force"), ("over", "Lifted or ended")]

    def queryset(self, request, queryset):
        in_force = selectors.sanctions_in_force(now=timezone.now()).values("pk")
        if self.value() == "in_force":
            return queryset.filter(pk__in=in_force)
        if self.value() == "over":
            return queryset.exclude(pk__in=in_force)
        return queryset


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
            return list(SANCTION_ADD_FIELDS)
        return ["kind", "commenter", "ip_network", "email_domain", *SANCTION_RECORD_FIELDS]

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
        return sanction_state(sanction, timezone.now())

    @admin.action(description="Lift selected sanctions")
    def lift_selected(self, request, queryset):
        lifted = 0
        for sanction in queryset.filter(lifted_at__isnull=True):
            sanctions.sanction_lift(sanction=sanction, by=request.user)
            lifted += 1
        self.message_user(request, f"{lifted} sanction(s) lifted.", messages.SUCCESS)
