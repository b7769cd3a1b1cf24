"""The admin site the newsroom sees: branded from settings, and with the site's machinery
(accounts, API tokens, login lockouts, task results) kept to superusers.

Editors and moderators get no permission on those models (comments/migrations/0008), and
this makes the rule hold whatever permissions a staff account is later given: every
ModelAdmin of a machinery app is registered through `SuperuserOnlyAdmin`, whichever app
registers it and whenever. Installed in place of `django.contrib.admin`
(INSTALLED_APPS: "plumbing.admin_machinery.NewsroomAdminConfig"); `admin.site` is then a
`NewsroomAdminSite`.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models.base import ModelBase

# App labels whose admin pages only superusers see: users and groups (who may do what),
# DRF's tokens, django-axes' lockout records, django-tasks' results.
SUPERUSER_ONLY_APPS = frozenset({"auth", "authtoken", "axes", "django_tasks_database"})


class SuperuserOnlyAdmin:
    """A ModelAdmin mixin: invisible and refused (403) to everyone but superusers."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_view_permission(request, *args, **kwargs)

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_change_permission(request, *args, **kwargs)

    def has_delete_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_delete_permission(request, *args, **kwargs)


class NewsroomAdminSite(admin.AdminSite):
    """Branding read from settings on every request (SITE_NAME, SITE_URL), so a changed
    setting shows without a restart and tests can override it."""

    @property
    def site_header(self) -> str:
        return f"{settings.SITE_NAME} desk"

    @property
    def site_title(self) -> str:
        return f"{settings.SITE_NAME} desk"

    @property
    def index_title(self) -> str:
        return "Dashboard"  # not Django's "Site administration"

    @property
    def site_url(self) -> str | None:
        # "View site" goes to the public site; no link when there is none to go to.
        return settings.SITE_URL or None

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in models:
            model_admin = admin_class or admin.ModelAdmin
            if model._meta.app_label in SUPERUSER_ONLY_APPS and not issubclass(
                model_admin, SuperuserOnlyAdmin
            ):
                model_admin = type(
                    f"SuperuserOnly{model_admin.__name__}",
                    (SuperuserOnlyAdmin, model_admin),
                    {"__module__": __name__},
                )
            super().register(model, model_admin, **options)


class NewsroomAdminConfig(AdminConfig):
    default_site = "plumbing.admin_machinery.NewsroomAdminSite"
