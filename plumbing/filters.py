"""The API's FilterSet: a filter named with nothing after it is a mistake, not "no
filter"."""

import django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

EMPTY_VALUE = "Give a value, or leave the parameter out."


class StrictFilterSet(django_filters.FilterSet):
    """django-filter reads `published_before=` (an empty value) as no filter at all: a
    client that built the query wrong got every row and no word about it. Here it
    answers 400 naming the parameter."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        form = self.form
        for name in form.fields:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            empty = values and all(value == "" for value in values)
            if empty and name not in form.errors:  # is_valid() may be asked twice
                form.add_error(name, EMPTY_VALUE)
        return valid and not form.errors


def _strict_parameter_names() -> set[str]:
    names: set[str] = set()
    pending = list(StrictFilterSet.__subclasses__())
    while pending:
        filterset = pending.pop()
        pending.extend(filterset.__subclasses__())
        names.update(filterset.base_filters)
    return names


def document_empty_values_refused(result, generator, request, public):
    """A drf-spectacular postprocessing hook: the query parameters of StrictFilterSets
    say that an empty value is refused (`minLength`/`minItems` 1), as the server does."""
    names = _strict_parameter_names()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or parameter["name"] not in names:
                    continue
                schema = parameter.get("schema", {})
                if schema.get("type") == "array":
                    schema.setdefault("minItems", 1)
                elif schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)
    return result


class BoundedFilterExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter extension, which leaves a CharFilter's
    `max_length` out of the schema: a text filter's bound becomes its parameter's
    `maxLength`, so that a client (and the schema fuzzer) knows a longer value answers
    400, as the server does. Registered by being defined (a higher priority than the
    one it extends)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        bound = filter_field.extra.get("max_length")
        for parameter in parameters if bound else ():
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("maxLength", bound)
        return parameters
