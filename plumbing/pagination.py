"""The API's default pagination, and the `page_size` every paginated list reads."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class StrictPageSize:
    """`page_size`: a whole number from 1; above `max_page_size` it is capped, as DRF
    does. Anything else (`null`, `0`, `-1`, empty) answers 400 naming it: DRF's own
    paginators fall back to the default without a word, and a client that sent
    `page_size=null` never learnt its mistake. Mixed in before a DRF paginator."""

    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 (more than {self.max_page_size} "
                        f"gives {self.max_page_size})."
                    ]
                }
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
                parameter["description"] = (
                    f"Results per page, from 1 (default {self.page_size}; more than "
                    f"{self.max_page_size} gives {self.max_page_size})."
                )
        return parameters


class PageNumberPagination(StrictPageSize, pagination.PageNumberPagination):
    """`page` and `page_size` (default 20, at most 100)."""

    page_size = 20
    max_page_size = 100

    def get_page_number(self, request, paginator):
        # An empty `page` (the last of repeated ones, as the server reads them) is no
        # page at all: 404 as for `page=abc`, where DRF would answer the first page.
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(self.invalid_page_message.format(page_number="", message=""))
        return super().get_page_number(request, paginator)
