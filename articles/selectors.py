"""Read paths of the articles domain.

Each public endpoint takes its queryset from one function here, which does all the
joins, prefetches and annotations, so the query count is fixed and visible in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from articles import search, search_pages
from articles.images import IMAGE_FIELDS
from articles.models import (
    NEWEST_FIRST,
    PUBLIC_STATUSES,
    Article,
    ArticleSlugRedirect,
    Author,
    Category,
    Tag,
)
from plumbing.compiled import CompiledQueries, CompiledQuery, Param
from plumbing.sql import aware_datetime

if TYPE_CHECKING:
    from comments.models import ModerationPolicy


def public_articles(*, now: datetime | None = None) -> QuerySet[Article]:
    """Visible articles with everything the list and detail serializers read."""
    return (
        Article.objects.visible(now)
        .select_related("category", "author", "lead_image")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name", "slug", "updated_at"))
        )
    )


# The lead image's columns (a LEFT JOIN on the row: its renditions are listed on it).
LEAD_IMAGE_FIELDS = IMAGE_FIELDS
LEAD_IMAGE_COLUMNS = ("lead_image_id", *(f"lead_image__{name}" for name in LEAD_IMAGE_FIELDS))

# What the detail reads (its fields, comments_open, Last-Modified): no more, since the
# three joined tables' other columns cost as much to compile and convert as to read.
DETAIL_COLUMNS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "body",
    "status",
    "published_at",
    "updated_at",
    "comment_count",
    "comments_changed_at",
    "comments_enabled",
    "comments_message",
    "category__name",
    "category__slug",
    "category__slug_path",
    "category__tree_path",  # the surrogate keys of its path (articles/cache.py)
    "category__updated_at",
    "author__name",
    "author__slug",
    "author__updated_at",
    *(f"lead_image__{name}" for name in LEAD_IMAGE_FIELDS),
)


def public_article(*, slug: str, now: datetime | None = None) -> Article | None:
    """One visible article with what the detail shows: category and author joined, its
    tags read by one plain query and handed to the instance as its prefetched tags
    (prefetch_related's machinery cost a third of a cold detail), or None."""
    article = (
        Article.objects.visible(now)
        .select_related("category", "author", "lead_image")
        .only(*DETAIL_COLUMNS)
        .filter(slug=slug)
        .first()
    )
    return _with_tags(article)


def _with_tags(article: Article | None) -> Article | None:
    if article is not None:
        # Handed to the instance as its prefetched tags: `article.tags.all()` answers
        # from them, as after prefetch_related, without another query. Read by SQL
        # written once (every detail runs it).
        with connection.cursor() as cursor:
            cursor.execute(_ARTICLE_TAGS_SQL, [article.pk])
            tags = [
                Tag(id=pk, name=name, slug=slug, updated_at=aware_datetime(updated_at))
                for pk, name, slug, updated_at in cursor.fetchall()
            ]
        article._prefetched_objects_cache = {"tags": tags}
    return article


_ARTICLE_TAGS_SQL = (
    "SELECT tag.id, tag.name, tag.slug, tag.updated_at "  # noqa: S608
    f"FROM {Tag._meta.db_table} tag INNER JOIN {Article.tags.through._meta.db_table} link "
    "ON link.tag_id = tag.id WHERE link.article_id = %s ORDER BY tag.name, tag.id"
)


def previewed_article(*, article_id: int, slug: str) -> Article | None:
    """An article of any status for a preview: the id a token opens, at its slug."""
    return _with_tags(
        Article.objects.select_related("category", "author")
        .only(*DETAIL_COLUMNS)
        .filter(pk=article_id, slug=slug)
        .first()
    )


def discussion_states(*, article_ids: list[int]) -> dict[int, tuple]:
    """{id: (comment_count, comments_changed_at)}: what an article list shows of each
    article's discussion, read again to confirm a page before it is cached."""
    return {
        pk: (count, changed)
        for pk, count, changed in Article.objects.filter(pk__in=article_ids).values_list(
            "id", "comment_count", "comments_changed_at"
        )
    }


def matching_words(*, queryset: QuerySet[Article], text: str, window: int = 0) -> QuerySet[Article]:
    """The articles the search text finds in their title, excerpt, body, category or
    tags (full text, web search syntax: docs/search.md): what `search` means on every
    API that lists articles. With a `window`, only the newest `window` of those the
    queryset lets through (filter it first): readers' searches pass
    settings.SEARCH_RANK_WINDOW; the editors' admin searches everything (0).
    Unordered; text with no word to find finds nothing."""
    return search.matching(queryset=queryset, text=text, window=window)


def search_articles(
    *,
    queryset: QuerySet[Article],
    text: str,
    window: int = 0,
    alone_at: datetime | None = None,
) -> QuerySet[Article]:
    """matching_words, annotated with `search_rank` (order by "-search_rank": best
    first) and `search_snippet` (the body's best passage: articles.search.snippet_html
    makes it HTML). Each is computed only when read or ordered by. `alone_at`: the
    queryset is visible_articles(now=alone_at) and nothing else (a search alone)."""
    return search.ranked(queryset=queryset, text=text, window=window, public_at=alone_at)


def search_page_reader(
    *,
    queryset: QuerySet[Article],
    text: str,
    window: int,
    columns: tuple[str, ...],
    alone_at: datetime | None = None,
) -> Callable[[int, int], list[dict]] | None:
    """(offset, limit) -> one page of search_articles(...) ordered by relevance, as
    rows of `columns` (articles/search_pages.py); None where the database has no
    cheaper way than search_articles' own queryset. `alone_at`: the queryset is
    visible_articles(now=alone_at) and nothing else (a search alone), whose page is
    read through SQL compiled once."""
    if not search_pages.pages_by_rank(queryset, window):
        return None
    if alone_at is not None:
        return lambda offset, limit: search_pages.visible_ranked_page(
            now=alone_at, text=text, window=window, offset=offset, limit=limit, columns=columns
        )
    return lambda offset, limit: search_pages.ranked_page(
        queryset=queryset, text=text, window=window, offset=offset, limit=limit, columns=columns
    )


# Compiled once (plumbing/compiled.py): every comment POST and thread read looks its
# article up by slug, and the ORM's compiling cost four times the lookup itself.
_VISIBLE_BY_SLUG = CompiledQuery(
    lambda slug, now: Article.objects.visible(now).filter(slug=slug).order_by()[:1],
    slug=Param(Article._meta.get_field("slug")),
    now=Param(Article._meta.get_field("published_at")),
)


def visible_article(*, slug: str, now: datetime | None = None) -> Article | None:
    """One visible article, every column of its own and nothing joined, or None."""
    found = _VISIBLE_BY_SLUG(slug=slug, now=now or timezone.now())
    return found[0] if found else None


def visible_articles(*, now: datetime | None = None) -> QuerySet[Article]:
    """Visible articles and nothing joined: what the list filters, orders and counts."""
    return Article.objects.visible(now)


# The columns a list item shows (category and author by their joined fields).
LIST_COLUMNS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "published_at",
    "updated_at",
    "comment_count",
    "category__name",
    "category__slug",
    "category__slug_path",
    "author__name",
    "author__slug",
    *LEAD_IMAGE_COLUMNS,
)
# What a list row reads (public_article_rows): those, the ids telling a missing category
# or author from an empty one, and what confirms a cached page (comments_changed_at).
LIST_ROW_COLUMNS = (*LIST_COLUMNS, "category_id", "author_id", "comments_changed_at")


def public_article_rows(*, now: datetime | None = None) -> QuerySet[dict]:
    """Visible articles as rows (dicts) of LIST_ROW_COLUMNS, category and author joined:
    no model instances, no prefetch machinery. A page's tags: tags_by_article(). (The
    API list filters, orders and counts the plain `Article.objects.visible()`, then
    reads its page this way: a COUNT over these joins costs as much as the page.)"""
    return Article.objects.visible(now).values(*LIST_ROW_COLUMNS)


# The front page and its next pages, compiled once per slice and columns
# (plumbing/compiled.py): building the page's statement through the ORM cost the
# plain list as much as its SQL, the difference from the bare-Django yardstick.
_LIST_PAGES = CompiledQueries(kept=64)


def newest_visible_rows_page(
    *, now: datetime, offset: int, limit: int, columns: tuple[str, ...]
) -> list[dict]:
    """The rows `visible_articles(now=now).order_by(*NEWEST_FIRST).values(*columns)
    [offset:offset + limit]` gives: the plain list's page, newest first."""
    compiled = _LIST_PAGES.get(
        (offset, limit, columns),
        lambda now: (
            visible_articles(now=now)
            .order_by(*NEWEST_FIRST)
            .values(*columns)[offset : offset + limit]
        ),
        now=Param(Article._meta.get_field("published_at")),
    )
    return compiled(now=now)


def tags_by_article(*, article_ids: list[int]) -> dict[int, list[dict]]:
    """{article id: [{"name", "slug"}, ...]} in the tags' own order (by name), one
    query for a whole page. Its SQL is written once (_PAGE_TAGS_SQL): every list page
    runs it, and building it through the ORM cost as much as running it."""
    tags: dict[int, list[dict]] = {pk: [] for pk in article_ids}
    if not article_ids:
        return tags
    placeholders = ", ".join(["%s"] * len(article_ids))
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_TAGS_SQL.format(ids=placeholders), list(article_ids))
        for article_id, name, slug in cursor.fetchall():
            tags[article_id].append({"name": str(name), "slug": str(slug)})
    return tags


# Table names from the models; the ids are parameters (`{ids}`: one %s each).
_PAGE_TAGS_SQL = (
    "SELECT link.article_id, tag.name, tag.slug "  # noqa: S608
    f"FROM {Article.tags.through._meta.db_table} link "
    f"INNER JOIN {Tag._meta.db_table} tag ON tag.id = link.tag_id "
    "WHERE link.article_id IN ({ids}) ORDER BY tag.name, link.tag_id"
)


# --- the cards an article answer embeds (articles/api/shaping.py: `expand=`) -------------
# Each reads the references of a whole page in one query, keyed by slug, in the shapes
# the term endpoints give (without their article counts).


def category_cards(*, slugs: set[str]) -> dict[str, dict]:
    """{slug: {"id", "name", "slug", "description", "parent", "path"}}."""
    if not slugs:
        return {}
    rows = Category.objects.filter(slug__in=slugs).values(
        "id", "name", "slug", "description", "parent__slug", "slug_path"
    )
    return {
        row["slug"]: {
            "id": row["id"],
            "name": row["name"],
            "slug": row["slug"],
            "description": row["description"],
            "parent": row["parent__slug"],
            "path": Category.path_of(slug_path=row["slug_path"], slug=row["slug"]),
        }
        for row in rows
    }


def tag_cards(*, slugs: set[str]) -> dict[str, dict]:
    """{slug: {"id", "name", "slug"}}."""
    if not slugs:
        return {}
    rows = Tag.objects.filter(slug__in=slugs).values("id", "name", "slug")
    return {row["slug"]: row for row in rows}


def author_cards(*, slugs: set[str]) -> dict[str, dict]:
    """{slug: {"id", "name", "slug", "bio"}}: a byline's public fields only."""
    if not slugs:
        return {}
    rows = Author.objects.filter(slug__in=slugs).values("id", "name", "slug", "bio")
    return {row["slug"]: row for row in rows}


def _upcoming(now: datetime) -> QuerySet:
    return (
        Article.objects.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], published_at__gt=now
        )
        .order_by("published_at")
        .values("published_at")[:1]
    )


def next_publication_at(*, now: datetime) -> Subquery:
    """When the next article becomes visible without any write (scheduled, or published
    with a future date), as an uncorrelated subquery: the database computes it once per
    query, so a page of articles, categories or tags also says how long it stays right
    (the response cache keeps it no longer). NULL: nothing is due."""
    return Subquery(_upcoming(now), output_field=DateTimeField())


def next_publication(*, now: datetime) -> datetime | None:
    """The same moment, read on its own (one query on the head of the public index)."""
    found = _upcoming(now).first()
    return found["published_at"] if found else None


def public_categories(*, now: datetime | None = None) -> QuerySet[Category]:
    """The categories, parents joined. Their `article_count` is set on the rows read
    (attach_article_counts): a stored count, less what is not visible yet."""
    return Category.objects.select_related("parent").order_by("tree_path")


# The categories list is every site's navigation: its page read through SQL compiled
# once (plumbing/compiled.py) per slice. LIMIT and OFFSET are written into the SQL, so
# one statement per (offset, limit) asked for; the page size is capped, and a client
# walking odd slices only ever makes the dict start again.
_CATEGORY_PAGES = CompiledQueries(kept=64)


def public_categories_page(*, offset: int, limit: int) -> list[Category]:
    """The rows `public_categories()[offset:offset + limit]` gives, parents joined."""
    compiled = _CATEGORY_PAGES.get(
        (offset, limit), lambda: public_categories()[offset : offset + limit]
    )
    return compiled()


def not_yet_visible_by_category(*, now: datetime) -> list[tuple[str, int]]:
    """[(category tree_path, n)]: the public articles (published or scheduled) dated
    after `now`, counted per category by one query over the head of the public index
    (the articles scheduled ahead, not the whole table): at most one row per category,
    however many are scheduled."""
    return list(
        Article.objects.filter(
            status__in_literals=PUBLIC_STATUSES, published_at__gt=now, category__isnull=False
        )
        .order_by()
        .values_list("category__tree_path")
        .annotate(n=Count("id"))
    )


def attach_article_counts(
    *, categories: list[Category], not_yet_visible: list[tuple[str, int]]
) -> list[Category]:
    """Set each category's `article_count`: the visible articles in it and its
    descendants. The stored subtree count (articles.category_counts: published or
    scheduled, any date) less the subtree's articles not visible yet
    (not_yet_visible_by_category)."""
    # Each not-yet-visible count added once to every category on its path ("/1/5/9/"
    # counts for "/1/", "/1/5/" and "/1/5/9/"): one dict lookup per category after.
    early_in_subtree: dict[str, int] = {}
    for path, n in not_yet_visible:
        end = path.find("/", 1)
        while end != -1:
            prefix = path[: end + 1]
            early_in_subtree[prefix] = early_in_subtree.get(prefix, 0) + n
            end = path.find("/", end + 1)
    for category in categories:
        early = early_in_subtree.get(category.tree_path, 0)
        category.article_count = category.public_subtree_count - early
    return categories


def _visible_articles_counted(now: datetime | None) -> Count:
    """The visible articles related through `articles` (tags, authors), as an aggregate
    computed with the page."""
    visible = Q(
        articles__status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED],
        articles__published_at__lte=now or timezone.now(),
    )
    return Count("articles", filter=visible)


def public_tags(*, now: datetime | None = None) -> QuerySet[Tag]:
    return Tag.objects.annotate(article_count=_visible_articles_counted(now)).order_by("name")


def public_authors(*, now: datetime | None = None) -> QuerySet[Author]:
    """Bylines with their visible articles counted (one aggregate with the page)."""
    return Author.objects.annotate(article_count=_visible_articles_counted(now)).order_by(
        "name", "id"
    )


def current_article_slug(*, slug: str, now: datetime | None = None) -> str | None:
    """The slug a visible article answers at now, given its slug or one it had."""
    if Article.objects.visible(now).filter(slug=slug).exists():
        return slug
    moved = article_redirect_target(old_slug=slug, now=now)
    return moved.slug if moved else None


def article_redirect_target(*, old_slug: str, now: datetime | None = None) -> Article | None:
    """The visible article that used to answer at `old_slug`, if any."""
    redirect = (
        ArticleSlugRedirect.objects.filter(old_slug=old_slug).select_related("article").first()
    )
    if redirect is None:
        return None
    return redirect.article if redirect.article.is_visible else None


def article_last_modified(*, article: Article, policy: ModerationPolicy, now: datetime) -> datetime:
    """The latest change to anything the article detail shows: the article, its category,
    author and tags, its approved-comment count, the site's comment policy, and the
    moment comments closed by age. So If-Modified-Since never gets a stale 304."""
    candidates = [article.updated_at, policy.updated_at]
    candidates += [related.updated_at for related in (article.category, article.author) if related]
    candidates += [tag.updated_at for tag in article.tags.all()]
    if article.comments_changed_at:
        candidates.append(article.comments_changed_at)
    if policy.close_after_days and article.published_at:
        closes_at = article.published_at + timedelta(days=policy.close_after_days)
        if closes_at <= now:
            candidates.append(closes_at)
    return max(candidates)
