"""How the comments API answers a service's ValidationError: DRF's 400 shape."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions


def field_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    """`{"field": ["message"]}` (or `non_field_errors`) from a Django ValidationError."""
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )
