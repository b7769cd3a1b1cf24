"""The article list's pagination: page numbers with the total kept between changes."""

from datetime import datetime

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from articles.cache import ARTICLES
from plumbing.pagination import PageNumberPagination
from plumbing.response_cache.counts import StoredCount, count_key, count_lookup, count_store


def next_publication_of(row) -> datetime | None:
    """The `next_publication_at` a page's row carries (a model instance, or a dict when
    the page is read as rows), None when its queryset was not annotated with it."""
    if isinstance(row, dict):
        return row.get("next_publication_at")
    return getattr(row, "next_publication_at", None)


class _KnownCountPaginator(Paginator):
    known_count: int | None = None
    row_columns: tuple[str, ...] | None = None
    # (offset, limit) -> the page's rows (a queryset, or a list of rows of
    # `row_columns`), when the view reads its page itself (a view's `read_page`); the
    # queryset still gives the count.
    page_reader = None

    def page(self, number):
        if self.page_reader is None:
            return super().page(number)
        # Django's Paginator.page, with the rows read by the view's reader.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.page_reader(bottom, top - bottom), number, self)

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else super().count

    def _get_page(self, object_list, number, paginator):
        # The page alone is read as rows of these columns (a view's `page_row_columns`):
        # the filters, the order and the COUNT ran on the plain queryset, without the
        # joins the rows need.
        # A view's reader may give the rows themselves (a list).
        if self.row_columns is not None and hasattr(object_list, "values"):
            object_list = object_list.values(*self.row_columns)
        return super()._get_page(object_list, number, paginator)


class StoredCountPagination(PageNumberPagination):
    """Page numbers whose total is kept in the cache between changes: COUNT(*) over
    every visible article is the one part of the list whose cost grows with the table.
    The count is stored under the `articles` scope (any change to an article, category
    or tag replaces it) and no longer than until the next scheduled article goes live,
    which the page's rows carry as `next_publication_at` when it is counted. What the
    view read with it (its `facts_to_store`: that moment, at least) is stored with the
    count, so while the count is known the page query needs no subquery for it."""

    def look_up(self, request) -> StoredCount:
        """The stored count of this list and the next publication stored with it."""
        # Asked by the view before the page is read, then here: one lookup (the
        # paginator lives as long as its view, one request).
        if not hasattr(self, "_stored"):
            self._key = count_key(request)
            self._stored = count_lookup(request, self._key, scope=ARTICLES)
        return self._stored

    def paginate_queryset(self, queryset, request, view=None):
        stored = self.look_up(request)
        paginator_class = type(
            "KnownCountPaginator",
            (_KnownCountPaginator,),
            {
                "known_count": stored.count,
                "row_columns": getattr(view, "page_row_columns", None),
                # Only on a known count: a first count reads the page through the
                # queryset, annotated with what is stored with the count.
                "page_reader": staticmethod(reader)
                if stored.count is not None and (reader := getattr(view, "read_page", None))
                else None,
            },
        )
        self.django_paginator_class = paginator_class
        rows = super().paginate_queryset(queryset, request, view)
        if stored.count is None and rows:
            # What else the view read with the first count (ScheduledVisibilityMixin:
            # the next publication, at least), kept with it and no longer than it holds.
            facts = view.facts_to_store(rows)
            count_store(
                request,
                self._key,
                self.page.paginator.count,
                scope=ARTICLES,
                generation=stored.generation,
                expires_at=facts["next_publication"],
                extra=facts,
            )
        return rows
