"""Pagination shared by the public list endpoints."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination

from cms import http_cache


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 20). A `page_size` above 100 is capped at 100,
    as DRF does; a non-numeric or non-positive one falls back to the default."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class _KnownCountPaginator(Paginator):
    known_count: int | None = None

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else super().count


class StoredCountPagination(PageNumberPagination):
    """Page numbers whose total is kept in the cache between changes: COUNT(*) over
    every visible article is the one part of the list whose cost grows with the table.
    The count is stored under the `articles` generation (any change to an article,
    category or tag replaces it) and no longer than until the next scheduled article
    goes live, which the page's rows carry as `next_publication_at`."""

    def paginate_queryset(self, queryset, request, view=None):
        key = http_cache.count_key(request)
        known_count, generation = http_cache.count_lookup(key)
        paginator_class = type(
            "KnownCountPaginator", (_KnownCountPaginator,), {"known_count": known_count}
        )
        self.django_paginator_class = paginator_class
        rows = super().paginate_queryset(queryset, request, view)
        if known_count is None and rows:
            http_cache.count_store(
                key,
                self.page.paginator.count,
                generation,
                getattr(rows[0], "next_publication_at", None),
            )
        return rows
