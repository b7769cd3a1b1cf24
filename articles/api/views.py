"""Public read API of the articles domain. Views only wire selectors to serializers."""

from datetime import datetime, timedelta

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.reverse import reverse

from articles import links, selectors
from articles.api.filters import ArticleFilter, ArticleFilterBackend
from articles.api.pagination import StoredCountPagination, next_publication_of
from articles.api.serializers import (
    ArticleDetailSerializer,
    ArticleListSerializer,
    AuthorSerializer,
    CategorySerializer,
    TagSerializer,
)
from articles.api.shaping import Shape, requested_shape, shape_parameters, shaped
from articles.cache import article_keys, article_list_keys, term_keys, thread_scope
from articles.previews import previewed_article_id
from articles.selectors import article_last_modified
from comments.models import ModerationPolicy
from plumbing.api_docs import ERROR_400, ERROR_404
from plumbing.response_cache.hints import (
    also_depends_on,
    do_not_store,
    expire_response_at,
    surrogate_keys,
)


class ScheduledVisibilityMixin:
    # For reads that list or count visible articles: they change, with no write, when the
    # next scheduled article goes live. The queryset carries that moment (one uncorrelated
    # subquery, no extra query) and the answer is cached no longer. An empty page cannot
    # say, so it is not cached at all. (A comment, not a docstring: drf-spectacular would
    # publish a docstring as every operation's description.)

    def public_queryset(self, now):
        raise NotImplementedError

    def depends_on_schedule(self) -> bool:
        return True

    def stored_facts(self) -> dict | None:
        """What was stored with this list's count (StoredCountPagination) and is still
        right, or None: then the database is asked."""
        if self.action != "list" or not isinstance(self.paginator, StoredCountPagination):
            return None
        stored = self.paginator.look_up(self.request)
        return stored.extra if stored.count is not None else None

    def facts_to_store(self, rows) -> dict:
        """What to store with the list's count, read with its first page: the moment
        the next scheduled article goes live (the answer changes then, with no write)."""
        return {"next_publication": next_publication_of(rows[0])}

    def known_schedule(self) -> tuple[bool, datetime | None]:
        """(whether the next publication is known without asking the database, and
        that moment)."""
        stored = self.stored_facts()
        return (True, stored["next_publication"]) if stored is not None else (False, None)

    def get_queryset(self):
        now = timezone.now()
        queryset = self.public_queryset(now)
        if not self.depends_on_schedule() or self.known_schedule()[0]:
            return queryset
        return queryset.annotate(next_publication_at=selectors.next_publication_at(now=now))

    def paginate_queryset(self, queryset):
        self._rows = super().paginate_queryset(queryset)
        return self._rows

    def get_object(self):
        found = super().get_object()
        self._rows = [found]
        return found

    def surrogate_keys_of(self, rows):
        """The surrogate keys of an answer showing `rows` (articles/cache.py)."""
        return []

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rows = getattr(self, "_rows", None)
        if rows and response.status_code == 200:
            surrogate_keys(response, self.surrogate_keys_of(rows))
        if not self.depends_on_schedule():
            return response
        if rows:
            known, next_publication = self.known_schedule()
            expire_response_at(
                response, next_publication if known else next_publication_of(rows[0])
            )
        else:
            do_not_store(response)
        return response


class PublicReadViewSet(ScheduledVisibilityMixin, viewsets.ReadOnlyModelViewSet):
    # Public reads by slug: credentials are not needed, so a stale or wrong one is
    # ignored rather than refused with an (undocumented) 403.
    authentication_classes: list = []
    lookup_field = "slug"


class TermViewSet(PublicReadViewSet):
    # A category or a tag: no filters. Each subclass is documented by `_term_schema`.
    filter_backends = []
    surrogate_key_kind = ""

    def surrogate_keys_of(self, rows):
        return term_keys(self.surrogate_key_kind, rows)


def _term_schema(*, singular: str, plural: str):
    """The OpenAPI description of a TermViewSet's list and detail."""

    def document(viewset: type[TermViewSet]) -> type[TermViewSet]:
        serializer = viewset.serializer_class
        return extend_schema_view(
            list=extend_schema(
                summary=f"List {plural}",
                responses={200: serializer(many=True), 400: ERROR_400, 404: ERROR_404},
            ),
            retrieve=extend_schema(
                summary=f"One {singular}", responses={200: serializer, 404: ERROR_404}
            ),
        )(viewset)

    return document


@_term_schema(singular="category", plural="categories")
class CategoryViewSet(TermViewSet):
    serializer_class = CategorySerializer
    surrogate_key_kind = "category"

    # The list's count is kept between changes with what its article counts need (the
    # next publication and the public articles not visible yet): on a warm count the
    # navigation costs one query, the page.
    pagination_class = StoredCountPagination

    def public_queryset(self, now):
        return selectors.public_categories(now=now)

    def read_page(self, offset: int, limit: int):
        # The page through SQL compiled once (StoredCountPagination calls it).
        return selectors.public_categories_page(offset=offset, limit=limit)

    def not_yet_visible(self) -> list[tuple[str, int]]:
        stored = self.stored_facts()
        if stored is not None:
            return stored["not_yet_visible"]
        if not hasattr(self, "_not_yet_visible"):
            self._not_yet_visible = selectors.not_yet_visible_by_category(now=timezone.now())
        return self._not_yet_visible

    def facts_to_store(self, rows) -> dict:
        return {**super().facts_to_store(rows), "not_yet_visible": self.not_yet_visible()}

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        if rows:
            selectors.attach_article_counts(categories=rows, not_yet_visible=self.not_yet_visible())
        return rows

    def get_object(self):
        category = super().get_object()
        selectors.attach_article_counts(
            categories=[category], not_yet_visible=self.not_yet_visible()
        )
        return category


@_term_schema(singular="tag", plural="tags")
class TagViewSet(TermViewSet):
    serializer_class = TagSerializer
    surrogate_key_kind = "tag"

    def public_queryset(self, now):
        return selectors.public_tags(now=now)


@_term_schema(singular="author", plural="authors")
class AuthorViewSet(TermViewSet):
    serializer_class = AuthorSerializer
    surrogate_key_kind = "author"

    def public_queryset(self, now):
        return selectors.public_authors(now=now)


@extend_schema_view(
    list=extend_schema(
        summary="List visible articles, newest first (best matches first with `search`)",
        parameters=shape_parameters(ArticleListSerializer.Meta.fields),
        responses={200: ArticleListSerializer(many=True), 400: ERROR_400, 404: ERROR_404},
    ),
    retrieve=extend_schema(
        summary="One visible article",
        parameters=[
            *shape_parameters(ArticleDetailSerializer.Meta.fields),
            OpenApiParameter(
                "preview",
                str,
                description=(
                    "A preview token from the article's admin page: answers the article "
                    "whatever its status (a draft, in review, scheduled) for a frontend's "
                    "preview, with `Cache-Control: private, no-store`. A token opens its "
                    "own article only, and expires (ARTICLE_PREVIEW_SECONDS); otherwise 404."
                ),
            ),
        ],
        description=(
            "Answers with ETag and Last-Modified; a matching If-None-Match or "
            "If-Modified-Since gets 304. An old slug of a published article answers 301."
        ),
        responses={
            200: ArticleDetailSerializer,
            400: ERROR_400,
            301: OpenApiResponse(description="The article moved to a new slug (Location header)."),
            304: OpenApiResponse(description="Not modified."),
            404: ERROR_404,
        },
    ),
)
class ArticleViewSet(PublicReadViewSet):
    filter_backends = [ArticleFilterBackend]
    filterset_class = ArticleFilter
    pagination_class = StoredCountPagination

    @property
    def read_page(self):
        # Once the count is known (StoredCountPagination): the plain list's page through
        # SQL compiled once, a search by relevance's ranked without joining its whole
        # window (selectors.search_page_reader).
        searched = getattr(self, "_relevance_search", None)
        if searched is None:
            columns = self.page_row_columns
            if not getattr(self, "_plain_list", False) or "next_publication_at" in columns:
                return None
            now = self._visible_at
            return lambda offset, limit: selectors.newest_visible_rows_page(
                now=now, offset=offset, limit=limit, columns=columns
            )
        queryset, text = searched
        columns = self.page_row_columns
        alone = getattr(self, "_search_alone", False) and "next_publication_at" not in columns
        return selectors.search_page_reader(
            queryset=queryset,
            text=text,
            window=settings.SEARCH_RANK_WINDOW,
            columns=columns,
            alone_at=self._visible_at if alone else None,
        )

    def reads_own_page(self) -> bool:
        """Whether the page is read by `read_page`, not through the queryset: once the
        count is known (StoredCountPagination)."""
        return self.paginator.look_up(self.request).count is not None and (
            self.read_page is not None
        )

    @property
    def page_row_columns(self) -> tuple[str, ...]:
        # The list's page is read as rows, not model instances: only the columns an item
        # shows (no body, the largest), category and author joined for the page alone,
        # the page's tags in one more query (paginate_queryset); and the next
        # publication, unless it was stored with the list's count; and when searching,
        # the snippets of the page's rows (computed for those alone), unless not shown.
        columns = selectors.LIST_ROW_COLUMNS
        if getattr(self, "_searching", False) and self.shape().shows("search_snippet"):
            columns = (*columns, "search_snippet")
        if self.known_schedule()[0]:
            return columns
        return (*columns, "next_publication_at")

    def public_queryset(self, now):
        if self.action == "list":
            self._visible_at = now
            return selectors.visible_articles(now=now)
        return selectors.public_articles(now=now)

    def shape(self) -> Shape:
        """The fields and expansions asked for (articles/api/shaping.py), read before
        any query: a wrong name costs a 400 and nothing else."""
        if not hasattr(self, "_shape"):
            fields = self.get_serializer_class().Meta.fields
            self._shape = requested_shape(self.request.query_params, available=fields)
        return self._shape

    def paginate_queryset(self, queryset):
        if getattr(self, "_search_alone", False) and not self.reads_own_page():
            # A search alone's first count, or its pages where the database has no
            # reader of its own (SQLite): the annotated queryset. Once counted, the page
            # is read by its reader, and building this queryset cost a millisecond.
            searched = ArticleFilter.searched(
                queryset, self._relevance_search[1], alone_at=self._visible_at
            )
            queryset = searched.order_by("-search_rank", *ArticleFilter.DEFAULT_ORDER)
        rows = super().paginate_queryset(queryset)
        if rows and isinstance(rows[0], dict):
            ids = [row["id"] for row in rows]
            # The page's tags are read only when the answer shows them (`fields=`).
            tags = selectors.tags_by_article(article_ids=ids) if self.shape().shows("tags") else {}
            for row in rows:
                row["tags"] = tags.get(row["id"], [])
        return rows

    def list(self, request, *args, **kwargs):
        shape = self.shape()
        response = super().list(request, *args, **kwargs)
        shaped(response.data["results"], shape)
        rows = getattr(self, "_rows", None) or []
        # Each row's comment count is its thread's: a new comment on one article makes
        # stale the pages showing it, not every list (articles/cache.py).
        shown = {row["id"]: (row["comment_count"], row["comments_changed_at"]) for row in rows}
        also_depends_on(
            response,
            [thread_scope(row["slug"]) for row in rows],
            still_current=lambda: selectors.discussion_states(article_ids=list(shown)) == shown,
        )
        return response

    def depends_on_schedule(self) -> bool:
        # One article's answer does not depend on other articles going live.
        return self.action == "list"

    def surrogate_keys_of(self, rows):
        if self.action != "list":
            return []  # the detail names its own (retrieve)
        ordering = self.request.query_params.get("ordering", "")
        return article_list_keys(rows, by_comment_count="comment_count" in ordering)

    def filter_queryset(self, queryset):
        # The list's filters mean nothing for one article; building the FilterSet (its
        # form and choice querysets) cost a third of a detail request. A list asking for
        # no filter and no order (the front page) gets the FilterSet's default order
        # without building it either.
        if self.action == "retrieve":
            return queryset
        if not any(name in self.request.query_params for name in ArticleFilter.PARAMETERS):
            self._plain_list = True
            return queryset.order_by(*ArticleFilter.DEFAULT_ORDER)
        # A search alone (the search box) does not need the FilterSet either.
        text = ArticleFilter.search_alone(self.request.query_params)
        if text is not None:
            self._relevance_search = (queryset, text)
            self._searching = self._search_alone = True
            # Searched when its page is read through the queryset (paginate_queryset).
            return queryset.order_by(*ArticleFilter.DEFAULT_ORDER)
        queryset = super().filter_queryset(queryset)
        self._relevance_search = getattr(self.filterset, "relevance_search", None)
        # A search annotates each article with its snippet (selectors.search_articles).
        self._searching = "search_snippet" in queryset.query.annotations
        return queryset

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleListSerializer

    def retrieve(self, request, *args, **kwargs):
        previewing = "preview" in request.query_params
        shape = self.shape()
        try:
            response = super().retrieve(request, *args, **kwargs)
        except (Http404, NotFound):  # get_object() raises Django's Http404
            if previewing:
                raise
            target = selectors.article_redirect_target(old_slug=kwargs["slug"])
            if target is None:
                raise
            url = reverse("api:article-detail", kwargs={"slug": target.slug}, request=request)
            return HttpResponsePermanentRedirect(url)
        response.data = shaped([response.data], shape)[0]
        # With ConditionalGetMiddleware this also answers If-Modified-Since with 304.
        last_modified = article_last_modified(
            article=self._article, policy=self._policy, now=self._now
        )
        response["Last-Modified"] = http_date(last_modified.timestamp())
        # comments_open turns false, with no write, when comments close by age.
        if self._policy.close_after_days and self._article.published_at:
            closes_at = self._article.published_at + timedelta(days=self._policy.close_after_days)
            if closes_at > self._now:
                expire_response_at(response, closes_at)
        if previewing:
            # Unpublished words for whoever holds the token: no shared cache keeps them.
            response["Cache-Control"] = "private, no-store"
        else:
            surrogate_keys(response, article_keys(self._article))
        return response

    @extend_schema(
        summary="Find an article by its page's path",
        description=(
            "The article whose page is at `path` on the frontend (ARTICLE_PATH_TEMPLATE, "
            "as `url` gives it; this API's detail path when the site sets none) answers "
            "302 to its detail here, as Wagtail's `find/` does: a frontend's catch-all "
            "route resolves its own URL with one call (fetch follows the redirect). An "
            "old slug leads to the article's current detail. An article slugged "
            "`by-path` cannot be reached by slug: this route is matched first."
        ),
        parameters=[
            OpenApiParameter(
                "path",
                {"type": "string", "minLength": 1, "maxLength": 2000},
                required=True,
                description=(
                    "The page's path (`/news/leica-and-panasonic/`) or full URL (its host, "
                    "query and fragment are ignored)."
                ),
            )
        ],
        responses={
            302: OpenApiResponse(description="Location: the article's detail in this API."),
            400: ERROR_400,
            404: ERROR_404,
        },
    )
    @action(detail=False, url_path="by-path", filter_backends=[], pagination_class=None)
    def by_path(self, request):
        path = request.query_params.get("path", "")
        if not path or len(path) > 2000:
            raise ValidationError(
                {"path": ["Give the path of an article's page (1 to 2000 characters)."]}
            )
        slug = links.article_slug_at(path)
        current = slug and selectors.current_article_slug(slug=slug)
        if not current:
            raise NotFound("No article answers at this path.")
        response = HttpResponseRedirect(
            reverse("api:article-detail", kwargs={"slug": current}, request=request)
        )
        do_not_store(response)  # a pointer, not content: cheap to answer again
        return response

    def get_object(self):
        # One visible article by slug (selectors.public_article); the filter and lookup
        # machinery of GenericAPIView.get_object has nothing to add to it. With a
        # preview token, the article it opens, whatever its status (articles/previews.py).
        token = self.request.query_params.get("preview")
        if token is not None:
            article_id = previewed_article_id(token=token)
            found = article_id and selectors.previewed_article(
                article_id=article_id, slug=self.kwargs["slug"]
            )
        else:
            found = selectors.public_article(slug=self.kwargs["slug"])
        if not found:
            raise Http404
        self.check_object_permissions(self.request, found)
        self._article = found
        return found

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            self._policy, self._now = ModerationPolicy.load(), timezone.now()
            context.update(policy=self._policy, now=self._now)
        return context
