"""The WordPress API's views: parameters read (params), rows selected (selectors),
shaped (shapes). Public and anonymous: credentials are ignored, as our public API
ignores them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.selectors import next_publication
from plumbing.renderers import ORJSONRenderer
from plumbing.response_cache.hints import do_not_store, expire_response_at, surrogate_keys
from wordpress_api import embedding, params, schema, selectors, shapes
from wordpress_api.cache import wordpress_keys
from wordpress_api.errors import WordPressError, not_found, wordpress_exception_handler
from wordpress_api.fields import only_fields
from wordpress_api.parameters import (
    CATEGORY_PARAMS,
    MEDIA_PARAMS,
    POST_PARAMS,
    TERM_PARAMS,
    USER_PARAMS,
)

API_ROOT_PATH = "/wp-json/"
DISCOVERY_REL = "https://api.w.org/"


class WordPressView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    renderer_classes = [ORJSONRenderer]
    kind = ""  # "posts", "categories", ... (error codes, the OpenAPI tag's paths)
    plural = ""

    def get_exception_handler(self):
        return wordpress_exception_handler

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:  # re_path hands over text; the pattern allows digits only
            kwargs["pk"] = int(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def site(self, request) -> shapes.Site:
        now = timezone.now()
        origin = request.build_absolute_uri("/")[:-1]
        return shapes.Site(
            api_root=origin + API_ROOT_PATH,
            media_origin=origin if settings.MEDIA_URL.startswith("/") else "",
            article_api_prefix=origin + reverse("api:article-list"),
            now=now,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        discovery = f'<{request.build_absolute_uri(API_ROOT_PATH)}>; rel="{DISCOVERY_REL}"'
        existing = response.get("Link")
        response["Link"] = f"{existing}, {discovery}" if existing else discovery
        # CORS as WordPress sends it, for frontends in a browser on another origin. Any
        # origin, no credentials: these routes read no cookie or token (anonymous only).
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "X-WP-Total, X-WP-TotalPages, Link"
        if request.method == "OPTIONS":  # a preflight
            response["Access-Control-Allow-Methods"] = ", ".join(self.allowed_methods)
            response["Access-Control-Allow-Headers"] = "Content-Type, X-Commenter-Token"
            response["Access-Control-Max-Age"] = "86400"
        return response

    # --- collections ------------------------------------------------------------------

    invalid_page_code = ""  # posts and comments refuse a page past the last

    def page_of(
        self, request, queryset, values: dict, columns: tuple[str, ...]
    ) -> tuple[list, dict]:
        """(the page's rows, the headers saying where it is: X-WP-Total, X-WP-TotalPages,
        Link rel=prev/next)."""
        total = queryset.count()
        per_page, page = values["per_page"], values["page"]
        offset = values.get("offset")
        start = offset if offset is not None else (page - 1) * per_page
        pages = shapes.total_pages(total, per_page)
        if self.invalid_page_code and total and page > pages:
            raise WordPressError(
                self.invalid_page_code,
                "The page number requested is larger than the number of pages available.",
                400,
            )
        rows = list(queryset.values(*columns)[start : start + per_page]) if total > start else []
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        if page > 1 and pages:
            links.append(f'<{self._page_url(request, min(page - 1, pages))}>; rel="prev"')
        if page < pages:
            links.append(f'<{self._page_url(request, page + 1)}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return rows, headers

    @staticmethod
    def _page_url(request, page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)

    def answer(
        self, request, data, *, site: shapes.Site, headers: dict | None = None, status_code=200
    ):
        keys = wordpress_keys(self.kind, data)  # before _fields leaves out the ids
        fields = request.GET.get("_fields")
        if fields:
            wanted = [name.strip() for name in fields.split(",") if name.strip()]
            data = (
                [only_fields(item, wanted) for item in data]
                if isinstance(data, list)
                else only_fields(data, wanted)
            )
        response = Response(data, status=status_code, headers=headers)
        surrogate_keys(response, keys)
        if status_code == 200:
            if isinstance(data, list) and not data:
                do_not_store(response)  # an empty page cannot say when it fills
            else:
                # Until the next scheduled article goes live: any list, count or
                # embedded term may change then, with no write.
                expire_response_at(response, next_publication(now=site.now))
        return response

    def plain(self, data: dict):
        """An answer that depends on no content (the route indexes)."""
        return Response(data)

    def read(self, request, declared: tuple[params.Param, ...]) -> dict:
        params.forbidden_context(request.GET, self.plural)
        return params.read(request.GET, declared)


def _embed_wanted(request) -> set[str] | None:
    """The relations `_embed` asks for: all (None) for `_embed`, `_embed=1` or
    `_embed=true`; else those named; empty set when absent."""
    if "_embed" not in request.GET:
        return set()
    asked = {name.strip() for name in request.GET.get("_embed", "").split(",") if name.strip()}
    return None if not asked or asked & {"1", "true"} else asked


# --- posts ------------------------------------------------------------------------------

POST_ROW = (*selectors.POST_COLUMNS, "category__slug")


def _check_post_values(values: dict) -> None:
    if values["status"] != ["publish"]:
        raise WordPressError("rest_forbidden_status", "Status is forbidden.", 401)
    if values["orderby"] == "relevance" and not values["search"]:
        raise WordPressError(
            "rest_no_search_term_defined",
            "You need to define a search term to order by relevance.",
            400,
        )
    if values["orderby"] == "include" and not values["include"]:
        raise WordPressError(
            "rest_orderby_include_missing_include",
            "You need to define an include parameter to order by include.",
            400,
        )


def _posts(rows: list[dict], *, site: shapes.Site, embed: set[str] | None) -> list[dict]:
    tags = selectors.tags_of_posts(post_ids=[row["id"] for row in rows])
    shaped = [shapes.post_of(row, tags=tags[row["id"]], site=site) for row in rows]
    if embed is None or embed:
        embedding.embed_in_posts(shaped, site=site, wanted=embed)
    return shaped


class PostsView(WordPressView):
    kind, plural = "posts", "posts"
    invalid_page_code = "rest_post_invalid_page_number"

    @schema.collection(
        "WpPost", POST_PARAMS, "Posts (visible articles)", operation_id="wp_posts_list"
    )
    def get(self, request):
        values = self.read(request, POST_PARAMS)
        _check_post_values(values)
        for name in ("categories", "categories_exclude"):
            values[f"{name}_children"] = params.include_children(request.GET, name)
        site = self.site(request)
        queryset = selectors.posts(now=site.now, values=values)
        rows, headers = self.page_of(request, queryset, values, POST_ROW)
        data = _posts(rows, site=site, embed=_embed_wanted(request))
        return self.answer(request, data, site=site, headers=headers)


class PostView(WordPressView):
    kind, plural = "posts", "posts"

    @schema.item("WpPost", "One post", operation_id="wp_posts_retrieve")
    def get(self, request, pk: int):
        self.read(request, ())
        site = self.site(request)
        row = selectors.post(pk=pk, now=site.now, columns=POST_ROW)
        if row is None:
            raise not_found("posts")
        return self.answer(
            request, _posts([row], site=site, embed=_embed_wanted(request))[0], site=site
        )


# --- categories and tags -----------------------------------------------------------------

CATEGORY_ROW = (*selectors.CATEGORY_COLUMNS, "public_article_count")
TAG_ROW = (*selectors.TERM_COLUMNS, "article_count")


def _categories(rows: list[dict], site: shapes.Site) -> list[dict]:
    early = selectors.early_by_category(now=site.now)
    return [
        shapes.term_of(
            row,
            taxonomy="category",
            count=row["public_article_count"] - early.get(row["id"], 0),
            site=site,
        )
        for row in rows
    ]


def _tags(rows: list[dict], site: shapes.Site) -> list[dict]:
    return [
        shapes.term_of(row, taxonomy="post_tag", count=row["article_count"], site=site)
        for row in rows
    ]


class CategoriesView(WordPressView):
    kind, plural = "categories", "terms"

    @schema.collection("WpTerm", CATEGORY_PARAMS, "Categories", operation_id="wp_categories_list")
    def get(self, request):
        values = self.read(request, CATEGORY_PARAMS)
        site = self.site(request)
        rows, headers = self.page_of(
            request, selectors.categories(now=site.now, values=values), values, CATEGORY_ROW
        )
        return self.answer(request, _categories(rows, site), site=site, headers=headers)


class CategoryView(WordPressView):
    kind, plural = "categories", "terms"

    @schema.item("WpTerm", "One category", operation_id="wp_categories_retrieve")
    def get(self, request, pk: int):
        self.read(request, ())
        site = self.site(request)
        row = selectors.category(pk=pk, columns=CATEGORY_ROW)
        if row is None:
            raise not_found("categories")
        return self.answer(request, _categories([row], site)[0], site=site)


class TagsView(WordPressView):
    kind, plural = "tags", "terms"

    @schema.collection("WpTerm", TERM_PARAMS, "Tags", operation_id="wp_tags_list")
    def get(self, request):
        values = self.read(request, TERM_PARAMS)
        site = self.site(request)
        rows, headers = self.page_of(
            request, selectors.tags(now=site.now, values=values), values, TAG_ROW
        )
        return self.answer(request, _tags(rows, site), site=site, headers=headers)


class TagView(WordPressView):
    kind, plural = "tags", "terms"

    @schema.item("WpTerm", "One tag", operation_id="wp_tags_retrieve")
    def get(self, request, pk: int):
        self.read(request, ())
        site = self.site(request)
        row = selectors.tag(pk=pk, now=site.now, columns=TAG_ROW)
        if row is None:
            raise not_found("tags")
        return self.answer(request, _tags([row], site)[0], site=site)


# --- users ----------------------------------------------------------------------------


class UsersView(WordPressView):
    kind, plural = "users", "users"

    @schema.collection(
        "WpUser", USER_PARAMS, "Users (bylines with visible articles)", operation_id="wp_users_list"
    )
    def get(self, request):
        values = self.read(request, USER_PARAMS)
        if values["orderby"] in ("email", "registered_date"):
            # Only editors may sort by what readers cannot see.
            raise WordPressError(
                "rest_forbidden_orderby",
                "Sorry, you are not allowed to order users by this parameter.",
                401,
            )
        site = self.site(request)
        rows, headers = self.page_of(
            request, selectors.users(now=site.now, values=values), values, selectors.USER_COLUMNS
        )
        return self.answer(
            request, [shapes.user_of(row, site=site) for row in rows], site=site, headers=headers
        )


class UserView(WordPressView):
    kind, plural = "users", "users"

    @schema.item("WpUser", "One user", operation_id="wp_users_retrieve")
    def get(self, request, pk: int):
        self.read(request, ())
        site = self.site(request)
        row = selectors.users_by_id(ids={pk}, now=site.now).get(pk)
        if row is None:
            raise not_found("users")
        return self.answer(request, shapes.user_of(row, site=site), site=site)


# --- media --------------------------------------------------------------------------


class MediaListView(WordPressView):
    kind, plural = "media", "posts"
    invalid_page_code = "rest_post_invalid_page_number"

    @schema.collection(
        "WpMedia",
        MEDIA_PARAMS,
        "Media (visible articles' lead images)",
        operation_id="wp_media_list",
    )
    def get(self, request):
        values = self.read(request, MEDIA_PARAMS)
        site = self.site(request)
        queryset = selectors.media(now=site.now, values=values)
        if values["media_type"] not in (None, "image"):
            queryset = queryset.none()
        rows, headers = self.page_of(request, queryset, values, selectors.IMAGE_COLUMNS)
        return self.answer(
            request, [shapes.media_of(row, site=site) for row in rows], site=site, headers=headers
        )


class MediaView(WordPressView):
    kind, plural = "media", "posts"

    @schema.item("WpMedia", "One picture", operation_id="wp_media_retrieve")
    def get(self, request, pk: int):
        self.read(request, ())
        site = self.site(request)
        row = selectors.images_by_id(ids={pk}, now=site.now).get(pk)
        if row is None:
            raise not_found("media")
        return self.answer(request, shapes.media_of(row, site=site), site=site)
