"""WordPress's own clients against /wp-json/ (issue #18, "What it must show").

node-wpapi (`wpapi`) and the block editor's `@wordpress/api-fetch`, from the npm registry
and pinned in package-lock.json, run against the live server as a WordPress front end
would: discovery, pages followed through X-WP-TotalPages and Link, filters, `_embed`,
comments read and posted, errors. tests/clients/wordpress_clients.mjs records every
exchange on the wire and validates each body against the JSON Schemas of WordPress's
REST responses (wp-json-schemas); this test builds the data, runs it and checks what the
clients read, that nothing unpublished appears and that no answer carries a commenter's
or author's email in any form (the address, its md5 as Gravatar uses it, or its sha256).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Author
from comments.models import Comment
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory
from tests.images import rendered_image

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "wordpress_clients.mjs"
PACKAGES = ("wpapi", "@wordpress/api-fetch", "wp-json-schemas", "ajv", "ajv-formats")
PER_PAGE = 2
ROUTES = {"posts", "categories", "tags", "users", "comments", "media"}
# WordPress shows these only in the edit context (the avatars: an md5 of the email).
PRIVATE_COMMENT_FIELDS = {"author_email", "author_ip", "author_user_agent", "author_avatar_urls"}

pytestmark = [pytest.mark.clients, pytest.mark.django_db(transaction=True)]


def _tools_or_fail() -> None:
    missing = [name for name in PACKAGES if not (HERE / "node_modules" / name).is_dir()]
    if missing or shutil.which("node") is None:
        pytest.fail(
            f"WordPress clients missing ({', '.join(missing) or 'node'}): run `make clients-deps`"
        )


@pytest.fixture
def newsroom(live_server, settings, tmp_path):
    """Six visible articles (three pages of two) in a category tree, tags and two bylines;
    a draft and a scheduled article that must never appear (by a third byline, who has
    nothing published); approved comments, a reply and a pending comment on the newest
    article, which has a lead image."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_RENDITION_WIDTHS = [160]
    cache.clear()  # no throttle or flood state, no cached answer from an earlier test
    lead = rendered_image(
        alt_text="A zeppelin over the bay", caption="Seen from the pier", credit="Desk"
    )
    technology = CategoryFactory(slug="technology", name="Technology")
    cameras = CategoryFactory(slug="cameras", name="Cameras", parent=technology)
    culture = CategoryFactory(slug="culture", name="Culture")
    lenses = TagFactory(slug="lenses", name="Lenses")
    weekly = TagFactory(slug="weekly", name="Weekly")
    writer = AuthorFactory(
        slug="ada-writer", name="Ada Writer", email="ada.writer@newsroom.example"
    )
    critic = AuthorFactory(slug="cy-critic", name="Cy Critic", email="cy.critic@newsroom.example")
    ghost = AuthorFactory(slug="ghost-writer", name="Ghost Writer", email="ghost@newsroom.example")
    now = timezone.now()
    layout = [  # newest first: (category, tags, title, author)
        (cameras, [lenses, weekly], "Zeppelin cameras return", writer),
        (cameras, [lenses], "A lens for the night", writer),
        (cameras, [], "Inside the zeppelin hangar", writer),
        (technology, [], "Chips, again", writer),
        (culture, [weekly], "A season of film", critic),
        (culture, [], "Reading in public", critic),
    ]
    articles = [
        ArticleFactory(
            slug=f"story-{n}",
            title=title,
            category=category,
            tags=tags,
            author=author,
            published_at=now - timedelta(hours=n + 1),
            lead_image=lead if n == 0 else None,
        )
        for n, (category, tags, title, author) in enumerate(layout)
    ]
    draft = ArticleFactory(
        slug="unpublished-zeppelin",
        title="Zeppelin secret draft",
        category=cameras,
        tags=[lenses],
        author=ghost,
        status=Article.Status.DRAFT,
        published_at=None,
    )
    scheduled = ArticleFactory(
        slug="embargoed-zeppelin",
        title="Zeppelin embargoed story",
        category=cameras,
        tags=[lenses],
        author=ghost,
        status=Article.Status.SCHEDULED,
        published_at=now + timedelta(days=2),
    )
    newest = articles[0]
    approved = [make_comment(newest, status="approved") for _ in range(3)]
    reply = make_comment(newest, status="approved", parent=approved[0])
    pending = make_comment(newest, status="pending", body="A pending remark about blimps")
    elsewhere = make_comment(articles[1], status="approved")
    return {
        "base_url": live_server.url,
        "articles": articles,
        "draft": draft,
        "scheduled": scheduled,
        "lead": lead,
        "categories": {"technology": technology, "cameras": cameras, "culture": culture},
        "lenses": lenses,
        "writer": writer,
        "listed_comments": [*approved, reply],  # on the newest article
        "pending": pending,
        "elsewhere": elsewhere,
    }


def _plan(newsroom, *, client: str, reader: str) -> dict:
    newest = newsroom["articles"][0]
    return {
        "client": client,
        "base_url": newsroom["base_url"],
        "per_page": PER_PAGE,
        "category_id": newsroom["categories"]["cameras"].pk,
        "parent_category_id": newsroom["categories"]["technology"].pk,
        "tag_id": newsroom["lenses"].pk,
        "author_id": newsroom["writer"].pk,
        "search": "zeppelin",
        # Between the third and the fourth newest: `after` takes three, `before` three.
        "between": (newsroom["articles"][2].published_at - timedelta(minutes=30)).isoformat(),
        "include_ids": [newsroom["articles"][1].pk, newsroom["articles"][4].pk],
        "slug": newest.slug,
        "draft_slug": newsroom["draft"].slug,
        "draft_id": newsroom["draft"].pk,
        "embed_post_id": newest.pk,
        "comment_post_id": newest.pk,
        "comment_id": newsroom["listed_comments"][0].pk,
        "pending_comment_id": newsroom["pending"].pk,
        "media_id": newsroom["lead"].pk,
        "new_comment": {
            "author_name": f"{client} reader",
            "author_email": f"{reader}@example.com",
            "content": f"Posted through {client}.",
        },
    }


def _run_clients(plan: dict, tmp_path: Path) -> dict:
    """Run the program; its report, with every failure it found in the assertion message."""
    _tools_or_fail()
    plan_path, report_path = tmp_path / "plan.json", tmp_path / "report.json"
    plan_path.write_text(json.dumps(plan))
    done = subprocess.run(
        ["node", str(PROGRAM), str(plan_path), str(report_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=HERE,
    )
    assert report_path.exists(), f"no report:\n{done.stdout}\n{done.stderr}"
    report = json.loads(report_path.read_text())
    failures = "\n".join(f"- {failure}" for failure in report["failures"])
    assert done.returncode == 0 and not report["failures"], (
        f"{plan['client']} against /wp-json/:\n{failures}\n{done.stderr[-3000:]}"
    )
    return report


def _newest_first(comments) -> list[int]:
    # WordPress lists comments by date_gmt, newest first, unless told otherwise.
    return [c.pk for c in sorted(comments, key=lambda c: (c.submitted_at, c.pk), reverse=True)]


def _assert_every_body_validated(report: dict) -> set[str]:
    """The schemas the bodies were checked against; every body checked passed."""
    assert report["schema_files"] > 100  # all of wp-json-schemas loaded, by $id
    for check in report["validations"]:
        route = urlsplit(check["url"]).path
        if check["schema"] is None:
            # Only the index (no schema in the package) and HEAD (no body) go unchecked.
            assert route == "/wp-json/" and check.get("reason"), check
        else:
            assert check["errors"] == [], check
    return {check["schema"] for check in report["validations"] if check["schema"]}


def _assert_no_email_in_any_form(report: dict) -> None:
    """No answer, body or header, carries the email of a commenter or an author: neither
    the address nor its md5 (Gravatar's hash, WordPress's avatar URLs) nor its sha256."""
    addresses = {
        *Comment.objects.values_list("author_email", flat=True),
        *Author.objects.values_list("email", flat=True),
    } - {""}
    assert len(addresses) == 10  # six commenters, the reader who posted, three bylines
    forms = set()
    for address in addresses:
        normalized = address.strip().lower()
        forms |= {
            normalized,
            quote(normalized),
            hashlib.md5(normalized.encode()).hexdigest(),
            hashlib.sha256(normalized.encode()).hexdigest(),
        }
    for exchange in report["exchanges"]:
        answer = (json.dumps(exchange["headers"]) + exchange["body"]).lower()
        leaked = sorted(form for form in forms if form in answer)
        assert not leaked, f"{exchange['method']} {exchange['url']} carries {leaked}"


def _assert_unpublished_never_shown(report: dict, newsroom) -> None:
    """The draft, the scheduled article, their byline and the pending comment appear in
    no answer (lists, embeds, lookups by slug or id)."""
    hidden = [
        newsroom["draft"].slug,
        newsroom["draft"].title,
        newsroom["scheduled"].slug,
        newsroom["scheduled"].title,
        "ghost-writer",
        newsroom["pending"].body,
    ]
    for exchange in report["exchanges"]:
        shown = [text for text in hidden if text.lower() in exchange["body"].lower()]
        assert not shown, f"{exchange['method']} {exchange['url']} shows {shown}"


def _assert_discovery_header(report: dict, base_url: str) -> None:
    discovery = f'<{base_url}/wp-json/>; rel="https://api.w.org/"'
    for exchange in report["exchanges"]:
        assert discovery in exchange["headers"].get("link", ""), exchange["url"]


def test_node_wpapi_reads_pages_filters_embeds_and_posts_a_held_comment(newsroom, tmp_path):
    set_policy(default_status="pending")
    plan = _plan(newsroom, client="wpapi", reader="wpapi-reader")
    report = _run_clients(plan, tmp_path)
    facts = report["facts"]
    visible = [a.slug for a in newsroom["articles"]]

    assert facts["discovered_endpoint"] == f"{newsroom['base_url']}/wp-json/"
    assert set(facts["discovered_routes"]) >= ROUTES

    assert [page["slugs"] for page in facts["pages"]] == [visible[0:2], visible[2:4], visible[4:6]]
    assert [(p["total"], p["total_pages"]) for p in facts["pages"]] == [(6, 3)] * 3
    assert [p["links"] for p in facts["pages"]] == [["next"], ["next", "prev"], ["prev"]]
    assert facts["numbered_pages"] == [page["slugs"] for page in facts["pages"]]

    assert facts["category_slugs"] == visible[0:3]
    # WordPress's `categories` takes the terms themselves unless include_children is set.
    assert facts["parent_category_slugs"] == [visible[3]]
    assert facts["tag_slugs"] == visible[0:2]
    assert facts["author_slugs"] == visible[0:4]
    assert facts["search_slugs"] == [visible[0], visible[2]]
    assert facts["after_slugs"] == visible[0:3]
    assert facts["before_slugs"] == visible[3:6]
    by_title = sorted(newsroom["articles"], key=lambda a: a.title)
    assert facts["title_order_slugs"] == [a.slug for a in by_title]
    assert facts["include_slugs"] == [visible[1], visible[4]]
    assert facts["exclude_slugs"] == [visible[0], visible[2], visible[3], visible[5]]
    assert facts["slug_lookup"] == [visible[0]]
    assert facts["draft_slug_lookup"] == []

    embed = facts["embed"]
    assert embed["relations"] == ["author", "replies", "wp:featuredmedia", "wp:term"]
    assert embed["author_names"] == ["Ada Writer"]
    assert embed["term_names"] == [["Cameras"], ["Lenses", "Weekly"]]
    lead = embed["featured_media"][0]
    assert lead["id"] == newsroom["lead"].pk and lead["alt"] == "A zeppelin over the bay"
    assert lead["source_url"].startswith("http")
    listed = _newest_first(newsroom["listed_comments"])
    assert embed["reply_ids"] == listed

    assert facts["comment_ids"] == listed
    created = facts["created"]
    assert created["http_status"] == 201
    assert created["status"] == "hold"  # the policy holds every new comment
    assert created["post"] == newsroom["articles"][0].pk
    assert created["author_name"] == "wpapi reader"
    assert not PRIVATE_COMMENT_FIELDS & set(created["fields"])
    assert Comment.objects.get(pk=created["id"]).status == Comment.Status.PENDING
    assert facts["comment_ids_after_post"] == listed  # held: not listed
    for unlisted in (facts["created_direct"], facts["pending_direct"]):
        assert unlisted["status"] in (401, 403, 404), unlisted

    assert facts["categories"] == ["cameras", "culture", "technology"]  # by name
    assert facts["category"] == "cameras"
    assert facts["tags"] == ["lenses", "weekly"]
    assert facts["tag"] == "lenses"
    assert sorted(facts["users"]) == [
        "ada-writer",
        "cy-critic",
    ]  # only bylines with published posts
    assert facts["user"] == "ada-writer"
    assert facts["media"] == [newsroom["lead"].pk]
    assert facts["media_item"] == newsroom["lead"].pk
    assert facts["comment"] == newsroom["listed_comments"][0].pk

    errors = facts["errors"]
    assert errors["missing"] == {"code": "rest_post_invalid_id", "status": 404, "http_status": 404}
    assert errors["draft"]["status"] == errors["draft"]["http_status"] in (401, 403, 404)
    assert errors["zero"] == {"code": "rest_invalid_param", "status": 400, "http_status": 400}
    assert errors["beyond"] == {
        "code": "rest_post_invalid_page_number",
        "status": 400,
        "http_status": 400,
    }

    schemas = _assert_every_body_validated(report)
    assert {
        "schemas/rest-api/collections/posts.json",
        "schemas/rest-api/post.json",
        "schemas/rest-api/collections/categories.json",
        "schemas/rest-api/category.json",
        "schemas/rest-api/collections/tags.json",
        "schemas/rest-api/tag.json",
        "schemas/rest-api/collections/users.json",
        "schemas/rest-api/user.json",
        "schemas/rest-api/collections/comments.json",
        "schemas/rest-api/comment.json",
        "schemas/rest-api/collections/media.json",
        "schemas/rest-api/attachment.json",
        "schemas/rest-api/error.json",
    } <= schemas
    _assert_no_email_in_any_form(report)
    _assert_unpublished_never_shown(report, newsroom)
    _assert_discovery_header(report, newsroom["base_url"])

    # Last, so that everything above is checked whatever this says. WordPress (since
    # 6.1?) also takes `categories` as {terms, include_children, operator}: the subtree.
    assert facts["parent_with_children_slugs"] == visible[0:4], (
        "API deviation: GET /wp-json/wp/v2/posts?categories[terms][]=<parent>"
        "&categories[include_children]=true must list the posts of the parent and its "
        "children; the object form is ignored and every post comes back"
    )


def test_wordpress_api_fetch_reads_headers_and_posts_an_approved_comment(newsroom, tmp_path):
    set_policy(default_status="approved", approved_comments_required=0)
    plan = _plan(newsroom, client="api-fetch", reader="fetch-reader")
    report = _run_clients(plan, tmp_path)
    facts = report["facts"]
    visible = [a.slug for a in newsroom["articles"]]

    assert [page["slugs"] for page in facts["pages"]] == [visible[0:2], visible[2:4], visible[4:6]]
    assert [(p["total"], p["total_pages"]) for p in facts["pages"]] == [(6, 3)] * 3
    assert [p["links"] for p in facts["pages"]] == [["next"], ["next", "prev"], ["prev"]]
    assert facts["all_slugs"] == visible
    assert facts["category_slugs"] == visible[0:3]
    assert facts["search_slugs"] == [visible[0], visible[2]]
    assert facts["slug_lookup"] == [visible[0]]
    assert facts["fields"] == [{"id": newsroom["articles"][0].pk, "slug": visible[0]}]

    newest = newsroom["articles"][0]
    assert facts["post"] == {"id": newest.pk, "slug": newest.slug, "title": newest.title}
    assert facts["embed_relations"] == ["author", "wp:term"]

    listed = _newest_first(newsroom["listed_comments"])
    assert facts["comment_ids"] == listed
    created = facts["created"]
    assert created["http_status"] == 201
    assert created["status"] == "approved"  # the policy publishes at once
    assert created["location"] == f"{newsroom['base_url']}/wp-json/wp/v2/comments/{created['id']}"
    assert not PRIVATE_COMMENT_FIELDS & set(created["fields"])
    # Listed at once: the cached list of the post's comments was not served stale.
    assert facts["comment_ids_after_post"] == [created["id"], *listed]

    errors = facts["errors"]
    assert errors["missing"] == {"code": "rest_post_invalid_id", "status": 404, "http_status": 404}
    assert errors["zero"] == {"code": "rest_invalid_param", "status": 400, "http_status": 400}
    assert errors["anonymous"] == {
        "code": "rest_comment_author_data_required",
        "status": 400,
        "http_status": 400,
    }

    schemas = _assert_every_body_validated(report)
    assert {
        "schemas/rest-api/collections/posts.json",
        "schemas/rest-api/post.json",
        "schemas/rest-api/collections/comments.json",
        "schemas/rest-api/comment.json",
        "schemas/rest-api/error.json",
    } <= schemas
    _assert_no_email_in_any_form(report)
    _assert_unpublished_never_shown(report, newsroom)
    _assert_discovery_header(report, newsroom["base_url"])
