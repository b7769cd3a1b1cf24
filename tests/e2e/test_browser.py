"""End-to-end: an editor publishes through the admin, a moderator works the comment
queue, and the API docs render from local assets; each step a real browser click."""

import json
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article, Category
from comments.models import Comment
from tests.e2e.helpers import admin_login, api_get, select2_choose
from tests.factories import ArticleFactory

pytestmark = pytest.mark.e2e


def test_editor_creates_category_and_publishes_article(page, shot, editor, live_server):
    call_command("load_demo_data", verbosity=0)  # Technology › Tech Industry, and others
    tech_industry = Category.objects.get(slug="tech-industry")

    admin_login(page, editor, shot=shot)
    shot("admin-index")

    # A new category under Tech Industry; the slug is filled in from the name by the
    # admin's prepopulate script, the parent chosen in the autocomplete widget.
    page.goto("/admin/articles/category/add/")
    page.locator("#id_name").press_sequentially("Chip Makers")
    expect(page.locator("#id_slug")).to_have_value("chip-makers")
    select2_choose(page, "id_parent", "Tech", "Tech Industry")
    expect(page.locator("#id_parent")).to_have_value(str(tech_industry.pk))
    shot("category-form")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text(
        "The category “Chip Makers” was added successfully."
    )
    shot("category-saved")
    category = Category.objects.get(slug="chip-makers")
    assert category.parent == tech_industry
    assert category.path == ["technology", "tech-industry", "chip-makers"]

    # An article in it, published with no date: saving stamps it with the current time.
    page.goto("/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Chipmakers Race Toward Smaller Transistors")
    expect(page.locator("#id_slug")).to_have_value("chipmakers-race-toward-smaller-transistors")
    page.fill("#id_excerpt", "Foundries promise denser chips within two years.")
    # The body through the editor's source view (its "edit HTML" dialog).
    page.locator(".prose-editor > .ProseMirror[contenteditable=true]").click()
    page.click(".prose-menubar__button[title='edit HTML']")
    page.fill(
        "dialog[open] textarea[name=html]",
        "<p>Foundries say the next node is <strong>on schedule</strong>.</p>"
        "<script>alert(1)</script>",
    )
    page.click("dialog[open] button[type=submit]")
    select2_choose(page, "id_category", "Chip", "Chip Makers")
    page.select_option("#id_status", "published")
    expect(page.locator("#id_published_at_0")).to_have_value("")
    shot("article-form")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Chipmakers Race Toward Smaller Transistors” was added successfully."
    )
    shot("article-saved")
    article = Article.objects.get(slug="chipmakers-race-toward-smaller-transistors")
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None
    assert article.body == "<p>Foundries say the next node is <strong>on schedule</strong>.</p>"

    # The public API lists it under the new category and under its ancestors.
    listing = api_get(page, "/api/v1/articles/?category=chip-makers")
    shot("api-category-filter")
    assert listing["count"] == 1
    item = listing["results"][0]
    assert item["slug"] == "chipmakers-race-toward-smaller-transistors"
    assert item["title"] == "Chipmakers Race Toward Smaller Transistors"
    assert item["category"] == {
        "name": "Chip Makers",
        "slug": "chip-makers",
        "path": ["technology", "tech-industry", "chip-makers"],
    }
    assert item["published_at"]
    parent_listing = api_get(page, "/api/v1/articles/?category=tech-industry&page_size=100")
    assert item["slug"] in [a["slug"] for a in parent_listing["results"]]


def test_moderator_approves_pending_comment(page, shot, editor, live_server):
    article = ArticleFactory(title="Leica And Panasonic", slug="leica-and-panasonic")
    comments_url = f"{live_server.url}/api/v1/articles/{article.slug}/comments/"
    body = "Will L2 Technology reach the compact cameras too?"

    # A reader posts through the API; a first-time commenter is held for moderation.
    request = urllib.request.Request(
        comments_url,
        data=json.dumps(
            {"author_name": "Rita Reader", "author_email": "rita@example.org", "body": body}
        ).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
        posted = json.load(response)
    assert posted["status"] == "pending"
    assert "author_email" not in posted
    with urllib.request.urlopen(comments_url, timeout=10) as response:
        assert json.load(response)["results"] == []  # not public yet

    # The moderator sees the count on the admin index and the comment in the queue.
    admin_login(page, editor, shot=shot)
    pending_box = page.locator("#pending-comments")
    expect(pending_box).to_contain_text("1 comment awaiting moderation")
    shot("admin-index-pending")
    pending_box.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/admin/comments/comment/\?status__exact=pending$"))
    row = page.locator("#result_list tbody tr", has_text=body)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rita Reader")

    # Select it and run the bulk action.
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", label="Approve selected comments")
    shot("pending-selected")
    page.click("button[name=index]")
    expect(page.locator(".messagelist .success")).to_contain_text("1 comment(s) approved.")
    expect(page.locator("#result_list tbody tr", has_text=body)).to_have_count(0)
    shot("approved")
    comment = Comment.objects.get(pk=posted["id"])
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == editor

    page.goto("/admin/")
    expect(page.locator("#pending-comments")).to_contain_text("0 comments awaiting moderation")

    # Now it is in the public list.
    public = api_get(page, f"/api/v1/articles/{article.slug}/comments/")
    shot("public-comments")
    assert [(c["id"], c["author_name"], c["body"]) for c in public["results"]] == [
        (posted["id"], "Rita Reader", body)
    ]
    assert "rita@example.org" not in json.dumps(public)


def test_api_docs_render_from_local_assets(page, shot, live_server):
    live_host = urlsplit(live_server.url).netloc
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))

    page.goto("/api/docs/")
    # Swagger UI has fetched the schema and drawn one block per operation.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Newsroom CMS API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(
        page.locator('.opblock-summary-path[data-path="/api/v1/articles/"]').first
    ).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot("swagger-ui")

    # Every path of the schema is listed (Swagger UI puts zero-width spaces into the
    # displayed path, so compare the data-path attributes).
    schema = page.request.get("/api/schema/?format=json")
    assert schema.ok
    schema_paths = set(schema.json()["paths"])
    shown_paths = set(
        page.locator(".opblock-summary-path").evaluate_all(
            "nodes => nodes.map(n => n.dataset.path)"
        )
    )
    assert {"/api/v1/articles/", "/api/v1/articles/{slug}/comments/"} <= schema_paths
    assert shown_paths == schema_paths

    # Everything came from the live server: no CDN, no validator badge, no fonts.
    assert requested, "no requests recorded"
    web = [url for url in requested if urlsplit(url).scheme in {"http", "https", "ws", "wss"}]
    assert [url for url in web if urlsplit(url).netloc != live_host] == []
    assert any("/static/drf_spectacular_sidecar/" in url for url in web), web
    assert failed == []
