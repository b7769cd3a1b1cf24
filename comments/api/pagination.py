"""Keyset ("cursor") pagination: the public comment list, for every sort order, and
the staff audit trail.

DRF's CursorPagination keeps only the first ordering field in the cursor and steps over
ties with an offset, capped at 1,000: fine for a nearly unique timestamp, wrong for
`most_reactions` and `featured_first`, where thousands of comments share a value (a tie
past the cap repeats a page forever, and every offset is a scan). Here the cursor holds
the whole sort key of the row it stops at (group value, submitted_at, id), so a page is
"the next N rows after this key" whatever the ties.

Every ordering is an optional group key (`-reaction_count` or `-featured`) followed by
(a time, id) in one direction, each backed by an index: for comments one of
`comments.selectors.PUBLIC_THREAD_ORDERINGS` on (submitted_at, id); for the audit trail
(created_at, id). Resuming after (t, i) is a seek on the index:
`submitted_at >= t AND (submitted_at > t OR id > i)`. With a group key the rows after
(g, t, i) are "the rest of group g" and "the groups after g"; as one `OR` the database
could only seek to the start of group g and filter its way through it (a deep page of
the 0-reaction group would scan that whole group), so the page is the `UNION ALL` of two
index seeks, each limited to the page size, sorted and cut once more: one query, and a
deep page costs what the first one does.

The subclasses: comments.api.public.pagination (the comment list) and
comments.api.staff.pagination (the audit trail).

The cursor is DRF's format (base64 of a query string): `p` submitted_at, `i` id, `g` the
group value, `r=1` backwards. It is client input: anything that does not decode into the
current sort's key answers 404, never a database error.
"""

from __future__ import annotations

import datetime
from base64 import b64decode, b64encode
from dataclasses import dataclass
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import BooleanField, Q
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, replace_query_param

from comments.api.inputs import MAX_ID
from plumbing.pagination import StrictPageSize

MAX_COUNT = 2**31 - 1  # a PositiveIntegerField, on every database
CURSOR_KEYS = frozenset({"r", "p", "i", "g"})


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool

    def term(self, reverse: bool) -> str:
        """The order_by() term, walking forwards or (reverse) backwards."""
        return ("-" if self.descending != reverse else "") + self.field

    def after(self, reverse: bool) -> str:
        """The lookup for values that come after a given one in this walk."""
        return "lt" if self.descending != reverse else "gt"


@dataclass(frozen=True)
class KeysetCursor:
    reverse: bool
    # (group value, time, id) or (time, id), in the ordering's order;
    # None: from the start (or, reverse, from the end). The id may be None in a cursor
    # written by hand ("p" alone): then the page starts after every row at that time.
    position: tuple | None


def _sort_keys(ordering) -> tuple[SortKey | None, SortKey, SortKey]:
    keys = [SortKey(term.lstrip("-"), term.startswith("-")) for term in ordering]
    *group, moment, pk = keys
    assert pk.field == "id", ordering
    assert moment.descending == pk.descending and len(group) <= 1, ordering
    return (group[0] if group else None), moment, pk


class KeysetCursorPagination(StrictPageSize, CursorPagination):
    """`cursor` and `page_size`; `{"next", "previous", "results"}`. The order is the
    queryset's: (group key,) time, id."""

    page_size_query_param = "page_size"
    # Whether a cursor must name the id as well as the time (a hand-written "p" alone
    # starts after every row at that time where this is off).
    id_required = False

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.model = queryset.model
        self.ordering = tuple(queryset.query.order_by)
        self.group, self.moment, self.pk = _sort_keys(self.ordering)
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        position = self.cursor.position if self.cursor else None

        rows = self._rows_after(queryset, position, reverse, limit=self.page_size + 1)
        self.page = rows[: self.page_size]
        has_more = len(rows) > self.page_size
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = position is not None, has_more
        else:
            self.has_next, self.has_previous = has_more, position is not None
        self.current_position = position
        return self.page

    # --- the query ----------------------------------------------------------------------

    def _rows_after(self, queryset, position, reverse: bool, *, limit: int) -> list:
        keys = [key for key in (self.group, self.moment, self.pk) if key is not None]
        ordered = queryset.order_by(*(key.term(reverse) for key in keys))
        if position is None:
            return list(ordered[:limit])
        *group_value, moment, pk = position
        tail = self._after_moment(moment, pk, reverse)
        if self.group is None:
            return list(ordered.filter(tail)[:limit])
        field = self.group.field
        rest_of_group = ordered.filter(Q(**{field: group_value[0]}) & tail)[:limit]
        beyond = Q(**{f"{field}__{self.group.after(reverse)}": group_value[0]})
        later_groups = ordered.filter(beyond)[:limit]
        return self._union_all(rest_of_group, later_groups, keys, reverse, limit=limit)

    def _after_moment(self, moment, pk, reverse: bool) -> Q:
        """Rows after (moment, pk) in (time, id) order: the leading range is an index
        bound (a seek), the rest filters the few rows sharing that moment."""
        lookup, field = self.moment.after(reverse), self.moment.field
        if pk is None:
            return Q(**{f"{field}__{lookup}": moment})
        return Q(**{f"{field}__{lookup}e": moment}) & (
            Q(**{f"{field}__{lookup}": moment}) | Q(**{f"id__{lookup}": pk})
        )

    @staticmethod
    def _union_all(first, second, keys, reverse: bool, *, limit: int) -> list:
        # Django refuses sliced parts in a compound query on SQLite, so the two parts are
        # compiled by the ORM and only joined here (their columns are the same: one base
        # queryset). Each part keeps its own ORDER BY ... LIMIT inside its subquery. The
        # rows are read back by column name, so the base queryset selects the comment's
        # own columns only (comments.selectors.public_thread: no select_related).
        db = first.db
        connection = connections[db]
        quote = connection.ops.quote_name
        sql_first, params_first = first.query.get_compiler(using=db).as_sql()
        sql_second, params_second = second.query.get_compiler(using=db).as_sql()
        columns = {field.name: field.column for field in first.model._meta.concrete_fields}
        order = ", ".join(
            f"{quote(columns[key.field])} {'DESC' if key.descending != reverse else 'ASC'}"
            for key in keys
        )
        # Only ORM-compiled SQL and quoted column names are joined; every value is a param.
        sql = (
            f"SELECT * FROM ({sql_first}) {quote('rest_of_group')} UNION ALL "  # noqa: S608
            f"SELECT * FROM ({sql_second}) {quote('later_groups')} "
            f"ORDER BY {order} LIMIT {int(limit)}"
        )
        return list(first.model.objects.raw(sql, (*params_first, *params_second), using=db))

    # --- the cursor ---------------------------------------------------------------------

    def _invalid(self) -> NotFound:
        return NotFound(self.invalid_cursor_message)

    def decode_cursor(self, request) -> KeysetCursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        if not encoded:  # `cursor=`: a link built wrong, not the first page
            raise self._invalid()
        try:
            querystring = b64decode(encoded.encode("ascii")).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True)
        except ValueError:  # binascii.Error and UnicodeError are ValueErrors
            raise self._invalid() from None
        if set(tokens) - CURSOR_KEYS or any(len(v) != 1 for v in tokens.values()):
            raise self._invalid()
        values = {name: value[0] for name, value in tokens.items()}
        if values.get("r", "0") not in ("0", "1"):
            raise self._invalid()
        reverse = values.get("r") == "1"
        if "p" not in values:
            if "i" in values or "g" in values:
                raise self._invalid()
            return KeysetCursor(reverse=reverse, position=None)
        if self.id_required and "i" not in values:
            raise self._invalid()
        position = (self._moment(values["p"]), self._id(values.get("i")))
        if self.group is not None:
            if "g" not in values:
                raise self._invalid()
            position = (self._group_value(values["g"]), *position)
        elif "g" in values:
            raise self._invalid()
        return KeysetCursor(reverse=reverse, position=position)

    def _moment(self, raw: str) -> datetime.datetime:
        try:
            value = self.model._meta.get_field(self.moment.field).to_python(raw)
            if value is None:
                raise ValueError(raw)
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            value.astimezone(datetime.UTC)  # year 1 or 9999 must not overflow later
        except (DjangoValidationError, ValueError, OverflowError):
            raise self._invalid() from None
        return value

    def _id(self, raw: str | None) -> int | None:
        if raw is None:
            return None
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
            raise self._invalid()
        return int(raw)

    def _group_value(self, raw: str) -> int | bool:
        if isinstance(self.model._meta.get_field(self.group.field), BooleanField):
            if raw not in ("0", "1"):
                raise self._invalid()
            return raw == "1"
        if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_COUNT:
            raise self._invalid()
        return int(raw)

    def _position_of(self, row) -> tuple:
        position = (getattr(row, self.moment.field), row.pk)
        if self.group is not None:
            position = (getattr(row, self.group.field), *position)
        return position

    def encode_cursor(self, cursor: KeysetCursor) -> str:
        tokens = {}
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            *group_value, moment, pk = cursor.position
            if group_value:
                tokens["g"] = str(int(group_value[0]))
            tokens["p"] = moment.astimezone(datetime.UTC).isoformat()
            if pk is not None:
                tokens["i"] = str(pk)
        querystring = parse.urlencode(tokens)
        encoded = b64encode(querystring.encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        position = self._position_of(self.page[-1]) if self.page else self.current_position
        return self.encode_cursor(KeysetCursor(reverse=False, position=position))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        position = self._position_of(self.page[0]) if self.page else self.current_position
        return self.encode_cursor(KeysetCursor(reverse=True, position=position))
