"""What every input of the comments API, public or staff, has in common: ids within a
BigAutoField's range, and serializers that refuse fields they do not know. Inputs only:
output serializers are the public's (comments.api.public) or the staff's
(comments.api.staff), never shared."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest value a BigAutoField can hold


class StrictInputSerializer(serializers.Serializer):
    """Rejects fields it does not know (e.g. `status`, `ip_address`), naming them."""

    # Sent by HTML forms of session-authenticated readers; not data.
    IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken"})

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields) - self.IGNORED_FIELDS
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


class StrictInputSchema(OpenApiSerializerExtension):
    """The OpenAPI schema says what StrictInputSerializer does: a request body with a field
    it does not declare is invalid (`additionalProperties: false`)."""

    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
