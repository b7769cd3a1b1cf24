"""Comments in WordPress's shapes: the listed ones (approved, in a listed thread) on
visible articles, and posting one as WordPress does when anonymous comments are allowed,
through our own moderation pipeline (comments.services.comment_create)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from drf_spectacular.utils import extend_schema

from articles.models import Article
from comments import services
from comments.api.public.throttles import CommentPostThrottle
from comments.commenter_proof import TOKEN_HEADER
from comments.display_names import validate_display_name
from comments.models import Comment
from plumbing.client_ip import client_ip
from wordpress_api import embedding, params, schema, selectors, shapes
from wordpress_api.errors import WordPressError, invalid_params, not_found
from wordpress_api.views import POST_ROW, WordPressView, _embed_wanted

COMMENT_PARAMS = (
    params.PAGE,
    params.PER_PAGE,
    params.SEARCH,
    *params.after_before(),
    params.EXCLUDE,
    params.INCLUDE,
    params.OFFSET,
    params.order("desc"),
    params.orderby("date_gmt", "date", "date_gmt", "id", "include", "post", "parent", "type"),
    params.Param(
        "parent", "ids", "Limit result set to comments of specific parent IDs.", default=[]
    ),
    params.Param(
        "parent_exclude", "ids", "Ensure result set excludes specific parent IDs.", default=[]
    ),
    params.Param(
        "post", "ids", "Limit result set to comments assigned to specific post IDs.", default=[]
    ),
    params.Param(
        "status",
        "string",
        "Limit result set to comments assigned a specific status.",
        default="approve",
    ),
    params.Param(
        "type",
        "string",
        "Limit result set to comments assigned a specific type.",
        default="comment",
    ),
)


def _comments(request, rows: list[dict], site: shapes.Site) -> list[dict]:
    shaped = [shapes.comment_of(row, site=site) for row in rows]
    wanted = _embed_wanted(request)
    if wanted is None or "up" in wanted:
        embedding.embed_posts_in_comments(shaped, site=site, columns=POST_ROW)
    return shaped


class CommentsView(WordPressView):
    kind, plural = "comments", "comments"
    invalid_page_code = "rest_comment_invalid_page_number"

    def get_throttles(self):
        return [CommentPostThrottle()] if self.request.method == "POST" else []

    @schema.collection(
        "WpComment", COMMENT_PARAMS, "Approved comments", operation_id="wp_comments_list"
    )
    def get(self, request):
        values = self.read(request, COMMENT_PARAMS)
        if values["status"] not in ("approve", "approved"):
            raise WordPressError(
                "rest_forbidden_param", "Query parameter not permitted: status", 401
            )
        site = self.site(request)
        queryset = selectors.comments(now=site.now, values=values)
        if values["type"] != "comment":
            queryset = queryset.none()  # no pingbacks or trackbacks here
        rows, headers = self.page_of(request, queryset, values, selectors.COMMENT_COLUMNS)
        return self.answer(request, _comments(request, rows, site), site=site, headers=headers)

    @extend_schema(
        operation_id="wp_comments_create",
        summary="Post a comment (anonymous), through the moderation pipeline",
        description=(
            "201 with `status` approved (published) or hold (held for moderation, or "
            "refused as spam: answered alike). WordPress's codes: comment_duplicate 409, "
            "comment_flood 400, rest_comment_closed 403, rest_comment_author_data_required 400."
        ),
        request={"application/json": schema._ref("WpCommentCreate")},
        responses={
            201: schema._ref("WpComment"),
            **dict.fromkeys((400, 401, 403, 409, 413, 415, 429), schema.ERROR),
        },
    )
    def post(self, request):
        submitted = _comment_input(request.data)
        site = self.site(request)
        article = (
            Article.objects.visible(site.now).filter(pk=submitted["post"]).first()
            if submitted["post"]
            else None
        )
        if article is None:
            raise WordPressError(
                "rest_comment_invalid_post_id",
                "Sorry, you are not allowed to create this comment without a post.",
                403,
            )
        try:
            created = services.comment_create(
                article=article,
                author_name=submitted["author_name"],
                author_email=submitted["author_email"],
                author_url=submitted["author_url"],
                body=submitted["content"],
                parent_id=submitted["parent"] or None,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                honeypot=submitted["honeypot"],
                commenter_token=request.headers.get(TOKEN_HEADER),
            )
        except DjangoValidationError as exc:
            raise _invalid_comment(exc) from None
        except services.CommentRefused as exc:
            raise _refused(exc) from None
        comment = created.comment
        published = comment.status == Comment.Status.APPROVED
        row = {
            "id": comment.pk,
            "article_id": article.pk,
            "parent_id": comment.parent_id,
            "author_name": comment.author_name,
            "author_url": comment.author_url,
            "body": comment.body,
            "submitted_at": comment.submitted_at,
            "article__slug": article.slug,
        }
        # Spam is answered exactly like a held comment ("hold"), so bots learn nothing.
        data = shapes.comment_of(row, site=site, status="approved" if published else "hold")
        location = site.route(f"comments/{comment.pk}")
        return self.answer(
            request, data, site=site, headers={"Location": location}, status_code=201
        )


class CommentView(WordPressView):
    kind, plural = "comments", "comments"

    @schema.item("WpComment", "One approved comment", operation_id="wp_comments_retrieve")
    def get(self, request, pk: int):
        self.read(request, ())
        site = self.site(request)
        row = selectors.comment(pk=pk, now=site.now)
        if row is None:
            raise not_found("comments")
        return self.answer(request, _comments(request, [row], site)[0], site=site)


# --- posting ----------------------------------------------------------------------------

MAX_NAME = 100  # our author_name's length (WordPress allows 245)
MAX_ID = 2**63 - 1
MAX_URL = 200


def _text(data, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, dict) and name == "content":  # {"raw": ...}, as the editor sends
        value = value.get("raw", "")
    if not isinstance(value, str):
        raise invalid_params({name: ("rest_invalid_type", f"{name} is not of type string.")})
    return value


def _id(data, name: str) -> int:
    value = data.get(name, 0)
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise invalid_params({name: ("rest_invalid_type", f"{name} is not of type integer.")})
    return int(text)


def _comment_input(data) -> dict:
    """WordPress's comment fields from a JSON or form body, checked as WordPress checks
    them (name and email required, content not empty), with our limits."""
    if not hasattr(data, "get"):
        raise WordPressError("rest_invalid_json", "Invalid JSON body passed.", 400)
    if data.get("status") not in (None, "", "approved", "approve", "hold"):
        raise WordPressError(
            "rest_comment_invalid_status",
            "Sorry, you are not allowed to edit 'status' for comments.",
            401,
        )
    if _id(data, "author"):
        raise WordPressError(
            "rest_comment_invalid_author",
            "Sorry, you are not allowed to edit 'author' for comments.",
            401,
        )
    if data.get("type") not in (None, "", "comment"):
        raise WordPressError(
            "rest_invalid_comment_type", "Cannot create a comment with that type.", 400
        )
    submitted = {
        "post": _id(data, "post"),
        "parent": _id(data, "parent"),
        "author_name": _text(data, "author_name"),
        "author_email": _text(data, "author_email"),
        "author_url": _text(data, "author_url"),
        "content": _text(data, "content"),
        "honeypot": _text(data, settings.COMMENTS_HONEYPOT_FIELD),
    }
    if not submitted["author_name"].strip() or not submitted["author_email"].strip():
        raise WordPressError(
            "rest_comment_author_data_required",
            "Creating a comment requires valid author name and email values.",
            400,
        )
    problems = {}
    try:
        validate_email(submitted["author_email"])
    except DjangoValidationError:
        problems["author_email"] = ("rest_invalid_email", "Invalid email address.")
    if submitted["author_url"]:
        try:
            URLValidator(schemes=["http", "https"])(submitted["author_url"])
            if len(submitted["author_url"]) > MAX_URL:
                raise DjangoValidationError("too long")
        except DjangoValidationError:
            problems["author_url"] = ("rest_invalid_url", "Invalid URL.")
    try:
        validate_display_name(submitted["author_name"])
        if len(submitted["author_name"]) > MAX_NAME:
            raise DjangoValidationError(f"author_name must be at most {MAX_NAME} characters long.")
    except DjangoValidationError as exc:
        problems["author_name"] = ("rest_invalid_param", " ".join(exc.messages))
    if problems:
        raise invalid_params(problems)
    if not submitted["content"].strip():
        raise WordPressError("rest_comment_content_invalid", "Invalid comment content.", 400)
    return submitted


def _invalid_comment(exc: DjangoValidationError) -> WordPressError:
    fields = getattr(exc, "message_dict", {"content": exc.messages})
    if "body" in fields:
        return WordPressError(
            "comment_content_column_length",
            "Comment field exceeds maximum length allowed.",
            400,
        )
    if "parent" in fields:
        return WordPressError("rest_comment_invalid_parent", " ".join(fields["parent"]), 400)
    return invalid_params(
        {name: ("rest_invalid_param", " ".join(messages)) for name, messages in fields.items()}
    )


def _refused(exc: services.CommentRefused) -> WordPressError:
    verdict = exc.verdict
    if exc.kind == "closed":
        return WordPressError(
            "rest_comment_closed", "Sorry, comments are closed for this item.", 403
        )
    if exc.kind == "duplicate":
        return WordPressError(
            "comment_duplicate",
            "Duplicate comment detected; it looks as though you\u2019ve already said that!",
            409,
        )
    if exc.kind == "flood":
        # WordPress answers a flood 400 (its REST controller's choice); Retry-After helps.
        return WordPressError(
            "comment_flood",
            "You are posting comments too quickly. Slow down.",
            400,
            retry_after=verdict.retry_after,
        )
    if exc.kind == "suspended":
        return WordPressError(
            "comment_suspended", verdict.reason, 429, retry_after=verdict.retry_after
        )
    return WordPressError("rest_comment_refused", verdict.reason, 403)
