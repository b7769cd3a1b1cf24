"""What each WordPress collection route takes (the views read them, the index and the
OpenAPI schema describe them): WordPress's own names, defaults and bounds."""

from wordpress_api import params

# Posts and media (attachments: WordPress's posts controller) sort alike.
POST_ORDERBY = params.orderby(
    "date",
    "author",
    "date",
    "id",
    "include",
    "modified",
    "parent",
    "relevance",
    "slug",
    "include_slugs",
    "title",
)

POST_PARAMS = (
    params.PAGE,
    params.PER_PAGE,
    params.SEARCH,
    *params.after_before(),
    params.Param(
        "modified_after",
        "date",
        "Limit response to posts modified after a given ISO8601 compliant date.",
    ),
    params.Param(
        "modified_before",
        "date",
        "Limit response to posts modified before a given ISO8601 compliant date.",
    ),
    params.Param(
        "author", "ids", "Limit result set to posts assigned to specific authors.", default=[]
    ),
    params.Param(
        "author_exclude",
        "ids",
        "Ensure result set excludes posts assigned to specific authors.",
        default=[],
    ),
    params.EXCLUDE,
    params.INCLUDE,
    params.OFFSET,
    params.order("desc"),
    POST_ORDERBY,
    params.SLUG,
    params.Param(
        "status",
        "enums",
        "Limit result set to posts assigned one or more statuses.",
        default=["publish"],
        choices=("publish", "future", "draft", "pending", "private", "trash", "any"),
    ),
    params.Param(
        "categories",
        "ids",
        "Limit result set to items with specific terms assigned in the categories taxonomy.",
        default=[],
    ),
    params.Param(
        "categories_exclude",
        "ids",
        "Limit result set to items except those with specific terms assigned in the categories taxonomy.",
        default=[],
    ),
    params.Param(
        "tags",
        "ids",
        "Limit result set to items with specific terms assigned in the tags taxonomy.",
        default=[],
    ),
    params.Param(
        "tags_exclude",
        "ids",
        "Limit result set to items except those with specific terms assigned in the tags taxonomy.",
        default=[],
    ),
    params.Param("sticky", "boolean", "Limit result set to items that are sticky."),
)


TERM_PARAMS = (
    params.PAGE,
    params.PER_PAGE,
    params.SEARCH,
    params.EXCLUDE,
    params.INCLUDE,
    params.order("asc"),
    params.orderby(
        "name",
        "id",
        "include",
        "name",
        "slug",
        "include_slugs",
        "term_group",
        "description",
        "count",
    ),
    params.Param(
        "hide_empty", "boolean", "Whether to hide terms not assigned to any posts.", default=False
    ),
    params.Param(
        "post", "integer", "Limit result set to terms assigned to a specific post.", minimum=0
    ),
    params.SLUG,
)


CATEGORY_PARAMS = (
    *TERM_PARAMS,
    params.Param(
        "parent", "integer", "Limit result set to terms assigned to a specific parent.", minimum=0
    ),
)


USER_PARAMS = (
    params.PAGE,
    params.PER_PAGE,
    params.SEARCH,
    params.EXCLUDE,
    params.INCLUDE,
    params.order("asc"),
    params.orderby(
        "name", "id", "include", "name", "registered_date", "slug", "include_slugs", "email", "url"
    ),
    params.SLUG,
)


MEDIA_PARAMS = (
    params.PAGE,
    params.PER_PAGE,
    params.SEARCH,
    params.EXCLUDE,
    params.INCLUDE,
    params.order("desc"),
    POST_ORDERBY,
    params.Param(
        "parent", "ids", "Limit result set to items with particular parent IDs.", default=[]
    ),
    params.Param(
        "media_type",
        "enum",
        "Limit result set to attachments of a particular media type.",
        choices=("image", "video", "text", "application", "audio"),
    ),
)
