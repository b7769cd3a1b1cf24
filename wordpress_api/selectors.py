"""Read paths of the WordPress API: the articles and comments apps' querysets
(visible articles, listed comments), filtered and ordered as WordPress's parameters ask,
read as rows. Each collection is its COUNT and its page, plus one query per kind of
related row the page needs (tags, and for `_embed` authors, terms, pictures, replies),
whatever the page size.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from articles.images import IMAGE_FIELDS
from articles.media import Image
from articles.models import Article, Author, Category, Tag
from articles.selectors import (
    matching_words,
    not_yet_visible_by_category,
    public_tags,
    search_articles,
    visible_articles,
)
from comments.models import Comment

POST_COLUMNS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "body",
    "published_at",
    "updated_at",
    "category_id",
    "author_id",
    "lead_image_id",
    "comments_enabled",
)
COMMENT_COLUMNS = (
    "id",
    "article_id",
    "parent_id",
    "author_name",
    "author_url",
    "body",
    "submitted_at",
    "article__slug",
)
TERM_COLUMNS = ("id", "name", "slug")
CATEGORY_COLUMNS = (*TERM_COLUMNS, "description", "parent_id")
IMAGE_COLUMNS = ("id", *IMAGE_FIELDS, "uploaded_at", "updated_at")


def _in_given_order(field: str, ids: list[int]) -> Case:
    """An ordering expression: rows in the order of `ids` (orderby=include)."""
    return Case(
        *(When(**{field: pk}, then=Value(position)) for position, pk in enumerate(ids)),
        default=Value(len(ids)),
        output_field=IntegerField(),
    )


def _ordered(queryset: QuerySet, fields: dict, orderby: str, order: str, include: list[int]):
    if orderby == "include" and include:
        return queryset.order_by(_in_given_order("id", include), "id")
    column = fields.get(orderby, fields["_default"])
    sign = "-" if order == "desc" else ""
    return queryset.order_by(f"{sign}{column}", f"{sign}id")


_POST_ORDER = {
    "_default": "published_at",
    "date": "published_at",
    "id": "id",
    "title": "title",
    "slug": "slug",
    "modified": "updated_at",
    "author": "author_id",
}


def posts(*, now: datetime, values: dict) -> QuerySet[Article]:
    """The visible articles WordPress's posts parameters select, in their order (not
    yet read: the view counts, then slices a page of POST_COLUMNS)."""
    queryset = visible_articles(now=now)
    by_relevance = values["orderby"] == "relevance"  # the view asks for a search then
    if values["slug"]:
        queryset = queryset.filter(slug__in=values["slug"])
    queryset = _included(queryset, values)
    if values["author"]:
        queryset = queryset.filter(author_id__in=values["author"])
    if values["author_exclude"]:
        queryset = queryset.exclude(author_id__in=values["author_exclude"])
    for name in ("categories", "categories_exclude"):
        if not values[name]:
            continue
        ids = _with_descendants(values[name]) if values.get(f"{name}_children") else values[name]
        queryset = (
            queryset.filter(category_id__in=ids)
            if name == "categories"
            else queryset.exclude(category_id__in=ids)
        )
    link = Article.tags.through.objects.filter(article_id=OuterRef("pk"))
    if values["tags"]:
        queryset = queryset.filter(Exists(link.filter(tag_id__in=values["tags"])))
    if values["tags_exclude"]:
        queryset = queryset.exclude(Exists(link.filter(tag_id__in=values["tags_exclude"])))
    for name, lookup in (
        ("after", "published_at__gt"),
        ("before", "published_at__lt"),
        ("modified_after", "updated_at__gt"),
        ("modified_before", "updated_at__lt"),
    ):
        if values[name] is not None:
            queryset = queryset.filter(**{lookup: values[name]})
    if values["search"]:
        # Last: the search considers the newest articles it finds (SEARCH_RANK_WINDOW)
        # among those the other parameters let through.
        find = search_articles if by_relevance else matching_words
        queryset = find(
            queryset=queryset, text=values["search"], window=settings.SEARCH_RANK_WINDOW
        )
    if values["sticky"]:
        queryset = queryset.none()  # nothing is sticky here
    if by_relevance:
        return queryset.order_by("-search_rank", "-published_at", "-id")
    return _ordered(queryset, _POST_ORDER, values["orderby"], values["order"], values["include"])


def _with_descendants(ids: list[int]):
    """The categories `ids` and all their descendants, as a subquery (`include_children`)."""
    paths = Category.objects.filter(pk__in=ids).values_list("tree_path", flat=True)
    matches = Q(pk__in=ids)
    for path in paths:
        matches |= Q(tree_path__startswith=path)
    return Category.objects.filter(matches).values("pk")


def post(*, pk: int, now: datetime, columns: tuple[str, ...]) -> dict | None:
    return visible_articles(now=now).filter(pk=pk).values(*columns).first()


def posts_by_id(*, ids: set[int], now: datetime, columns: tuple[str, ...]) -> list[dict]:
    return list(visible_articles(now=now).filter(pk__in=ids).values(*columns))


def tags_of_posts(*, post_ids: list[int]) -> dict[int, list[dict]]:
    """{post id: [{"id", "slug"}, ...]} in the tags' order (by name), one query."""
    found: dict[int, list[dict]] = {pk: [] for pk in post_ids}
    if post_ids:
        rows = (
            Article.tags.through.objects.filter(article_id__in=post_ids)
            .order_by("tag__name", "tag_id")
            .values_list("article_id", "tag_id", "tag__slug")
        )
        for article_id, tag_id, slug in rows:
            found[article_id].append({"id": tag_id, "slug": str(slug)})
    return found


# --- terms ------------------------------------------------------------------------------

_TERM_ORDER = {
    "_default": "name",
    "name": "name",
    "id": "id",
    "slug": "slug",
    "description": "name",
}


def _included(queryset: QuerySet, values: dict) -> QuerySet:
    """`include` and `exclude` (ids): what every collection takes."""
    if values["include"]:
        queryset = queryset.filter(pk__in=values["include"])
    if values["exclude"]:
        queryset = queryset.exclude(pk__in=values["exclude"])
    return queryset


def _named(queryset: QuerySet, values: dict) -> QuerySet:
    """`search` (in the name or slug), `slug`, `include` and `exclude`: what every term and
    user collection takes."""
    if values["search"]:
        queryset = queryset.filter(
            Q(name__icontains=values["search"]) | Q(slug__icontains=values["search"])
        )
    if values["slug"]:
        queryset = queryset.filter(slug__in=values["slug"])
    queryset = _included(queryset, values)
    return queryset


def _terms(queryset: QuerySet, values: dict, now: datetime) -> QuerySet:
    queryset = _named(queryset, values)
    if values["post"] is not None:
        queryset = queryset.filter(articles__in=visible_articles(now=now).filter(pk=values["post"]))
    return queryset


def categories(*, now: datetime, values: dict) -> QuerySet[Category]:
    queryset = _terms(Category.objects.all(), values, now)
    if values["parent"] is not None:
        queryset = queryset.filter(parent_id=values["parent"] or None)
    if values["hide_empty"]:
        queryset = (
            queryset.filter(public_article_count__gt=0)
            .exclude(pk__in=[pk for pk, n in early_by_category(now=now).items() if n])
            .filter(public_article_count__gt=0)
        )
    orderby = "public_article_count" if values["orderby"] == "count" else values["orderby"]
    fields = {**_TERM_ORDER, "public_article_count": "public_article_count"}
    return _ordered(queryset, fields, orderby, values["order"], values["include"])


def early_by_category(*, now: datetime) -> dict[int, int]:
    """{category id: its own public articles not visible yet} (scheduled ahead)."""
    return {
        int(path.rstrip("/").rsplit("/", 1)[-1]): n
        for path, n in not_yet_visible_by_category(now=now)
    }


def tags(*, now: datetime, values: dict) -> QuerySet[Tag]:
    queryset = _terms(public_tags(now=now), values, now)
    if values["hide_empty"]:
        queryset = queryset.filter(article_count__gt=0)
    orderby = "article_count" if values["orderby"] == "count" else values["orderby"]
    fields = {**_TERM_ORDER, "article_count": "article_count"}
    return _ordered(queryset, fields, orderby, values["order"], values["include"])


def category(*, pk: int, columns: tuple[str, ...]) -> dict | None:
    return Category.objects.filter(pk=pk).values(*columns).first()


def tag(*, pk: int, now: datetime, columns: tuple[str, ...]) -> dict | None:
    return public_tags(now=now).filter(pk=pk).values(*columns).first()


def terms_by_id(*, model: type[Category] | type[Tag], ids: set[int]) -> dict[int, dict]:
    columns = CATEGORY_COLUMNS if model is Category else TERM_COLUMNS
    return {row["id"]: row for row in model.objects.filter(pk__in=ids).values(*columns)}


# --- users (bylines with visible articles, as WordPress lists users with published posts)


_USER_ORDER = {"_default": "name", "name": "name", "id": "id", "slug": "slug"}


def users(*, now: datetime, values: dict) -> QuerySet[Author]:
    queryset = Author.objects.filter(
        Exists(visible_articles(now=now).filter(author_id=OuterRef("pk")))
    )
    queryset = _named(queryset, values)
    return _ordered(queryset, _USER_ORDER, values["orderby"], values["order"], values["include"])


USER_COLUMNS = ("id", "name", "slug", "bio")


def users_by_id(*, ids: set[int], now: datetime) -> dict[int, dict]:
    """Bylines with visible articles among `ids` (the others are not public)."""
    public = Author.objects.filter(
        Exists(visible_articles(now=now).filter(author_id=OuterRef("pk"))), pk__in=ids
    )
    return {row["id"]: row for row in public.values(*USER_COLUMNS)}


# --- comments ---------------------------------------------------------------------------

_COMMENT_ORDER = {
    "_default": "submitted_at",
    "date": "submitted_at",
    "date_gmt": "submitted_at",
    "id": "id",
    "post": "article_id",
    "parent": "parent_id",
    "type": "submitted_at",
}


def comments(*, now: datetime, values: dict) -> QuerySet[Comment]:
    """Listed comments (approved, every ancestor approved) on visible articles."""
    queryset = Comment.objects.listed().filter(
        Exists(visible_articles(now=now).filter(pk=OuterRef("article_id")))
    )
    if values["post"]:
        queryset = queryset.filter(article_id__in=values["post"])
    if values["parent"]:
        top = 0 in values["parent"]
        ids = [pk for pk in values["parent"] if pk]
        queryset = queryset.filter(
            Q(parent_id__in=ids) | Q(parent__isnull=True) if top else Q(parent_id__in=ids)
        )
    if values["parent_exclude"]:
        queryset = queryset.exclude(parent_id__in=values["parent_exclude"])
    if values["search"]:
        queryset = queryset.filter(
            Q(body__icontains=values["search"]) | Q(author_name__icontains=values["search"])
        )
    queryset = _included(queryset, values)
    if values["after"] is not None:
        queryset = queryset.filter(submitted_at__gt=values["after"])
    if values["before"] is not None:
        queryset = queryset.filter(submitted_at__lt=values["before"])
    return _ordered(queryset, _COMMENT_ORDER, values["orderby"], values["order"], values["include"])


def comment(*, pk: int, now: datetime) -> dict | None:
    return (
        Comment.objects.listed()
        .filter(pk=pk, article__in=visible_articles(now=now))
        .values(*COMMENT_COLUMNS)
        .first()
    )


def latest_replies(*, post_ids: list[int], per_post: int) -> dict[int, list[dict]]:
    """The newest `per_post` listed comments of each post (what `_embed=replies`
    shows: the first page of each post's comments), one query for the whole page."""
    found: dict[int, list[dict]] = defaultdict(list)
    if not post_ids:
        return found
    rows = (
        Comment.objects.listed()
        .filter(article_id__in=post_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("article_id")],
                order_by=[F("submitted_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=per_post)
        .order_by("article_id", "rank")
        .values(*COMMENT_COLUMNS)
    )
    for row in rows:
        found[row["article_id"]].append(row)
    return found


# --- media: the pictures visible articles lead with ---------------------------------------

_MEDIA_ORDER = {
    "_default": "uploaded_at",
    "date": "uploaded_at",
    "id": "id",
    "modified": "updated_at",
    "title": "alt_text",
}


def media(*, now: datetime, values: dict) -> QuerySet[Image]:
    """Pictures shown as a visible article's lead image. Others (an upload for a draft,
    say) stay unlisted: a library picture may be embargoed with its story."""
    shown = visible_articles(now=now).filter(lead_image_id=OuterRef("pk"))
    if values["parent"]:
        shown = shown.filter(pk__in=values["parent"])
    queryset = Image.objects.filter(Exists(shown))
    queryset = _included(queryset, values)
    if values["search"]:
        queryset = queryset.filter(
            Q(alt_text__icontains=values["search"]) | Q(caption__icontains=values["search"])
        )
    return _ordered(queryset, _MEDIA_ORDER, values["orderby"], values["order"], values["include"])


def images_by_id(*, ids: set[int], now: datetime) -> dict[int, dict]:
    if not ids:
        return {}
    shown = visible_articles(now=now).filter(lead_image_id=OuterRef("pk"))
    return {
        row["id"]: row
        for row in Image.objects.filter(pk__in=ids).filter(Exists(shown)).values(*IMAGE_COLUMNS)
    }
