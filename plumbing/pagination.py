"""The API's default pagination."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 20). A `page_size` above 100 is capped at 100,
    as DRF does; a non-numeric or non-positive one falls back to the default."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
