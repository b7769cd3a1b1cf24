"""Shared OpenAPI descriptions of the API's error answers."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DetailErrorSerializer = inline_serializer(
    name="DetailError", fields={"detail": serializers.CharField()}
)
FieldErrorsSerializer = inline_serializer(
    name="FieldErrors",
    fields={
        "field_name": serializers.ListField(
            child=serializers.CharField(),
            help_text="One entry per invalid field (or non_field_errors), each a list of messages.",
        )
    },
)

ERROR_400 = OpenApiResponse(FieldErrorsSerializer, description="Invalid input, by field.")
ERROR_401 = OpenApiResponse(DetailErrorSerializer, description="Authentication required.")
ERROR_403 = OpenApiResponse(DetailErrorSerializer, description="Forbidden.")
ERROR_404 = OpenApiResponse(DetailErrorSerializer, description="Not found.")
ERROR_409 = OpenApiResponse(DetailErrorSerializer, description="Conflict.")
ERROR_413 = OpenApiResponse(DetailErrorSerializer, description="Request body too large.")
ERROR_429 = OpenApiResponse(
    DetailErrorSerializer, description="Too many requests (see Retry-After)."
)
