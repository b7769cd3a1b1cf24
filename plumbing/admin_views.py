"""Extra pages of a ModelAdmin (a preview, a moderation form), declared as a table.

Each is wired as Django wires the admin's own pages: behind `admin_site.admin_view`
(staff login, never cached), and ahead of the admin's own URLs, whose catch-all
"<object_id>/" would otherwise take "12/preview/" for an object's id.
"""

from collections.abc import Sequence

from django.urls import path


class ExtraViewsAdminMixin:
    # (route, name of the ModelAdmin method that answers it, URL name)
    extra_views: Sequence[tuple[str, str, str]] = ()

    def get_urls(self):
        extra = [
            path(route, self.admin_site.admin_view(getattr(self, view)), name=name)
            for route, view, name in self.extra_views
        ]
        return [*extra, *super().get_urls()]
