"""`manage.py import_wordpress`: the WordPress Theme Unit Test export comes over whole,
importing twice changes nothing, a bad file writes nothing, and no commenter's email or
IP address reaches a public response.

Expected numbers are derived here from the export with plain `ElementTree.parse` and
`findall`, independently of the importer's streaming reader.
"""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticleSlugRedirect, Author, Category, Image, Tag
from articles.wordpress import html_to_text, tree_depths, wordpress_paragraphs
from comments.models import Comment
from comments.moderating import comments_moderate
from tests.factories import ArticleFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/themeunittestdata.wordpress.xml"
WP = "{https://wordpress.org/export/1.2/}"

# The mapping the importer promises (docs/wordpress-import.md).
POST_STATUS = {
    "publish": "published",
    "future": "scheduled",
    "draft": "draft",
    "pending": "review",
    "private": "draft",
    "trash": "archived",
}
COMMENT_STATUS = {"1": "approved", "0": "pending", "spam": "spam", "trash": "removed"}
KINDS = ("categories", "tags", "authors", "articles", "old slugs", "comments", "images", "other items")


# --- helpers -------------------------------------------------------------------------


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_file():
        pytest.fail(
            f"The WordPress test export is missing: {CORPUS}. The repository is expected "
            "to be checked out next to the shared/ folder that holds it."
        )
    return CORPUS


def run_import(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), *extra, stdout=out)
    return out.getvalue()


def summary_rows(output: str) -> dict[str, dict[str, int]]:
    """The summary table printed by the command, as {kind: {outcome: n}}."""
    rows = {}
    for line in output.splitlines():
        parts = line.rsplit(maxsplit=4)
        if len(parts) == 5 and parts[0] in KINDS and all(p.isdigit() for p in parts[1:]):
            rows[parts[0]] = dict(
                zip(
                    ("created", "updated", "unchanged", "skipped"), map(int, parts[1:]), strict=True
                )
            )
    assert set(rows) == set(KINDS), f"no complete summary table in:\n{output}"
    return rows


def row_counts() -> dict[str, int]:
    return {
        "categories": Category.objects.count(),
        "tags": Tag.objects.count(),
        "authors": Author.objects.count(),
        "articles": Article.objects.count(),
        "history": Article.history.count(),
        "redirects": ArticleSlugRedirect.objects.count(),
        "comments": Comment.objects.count(),
        "article tags": Article.tags.through.objects.count(),
    }


def snapshot() -> dict[str, list]:
    """Every row the import writes, every column, in a stable order."""
    return {
        "categories": list(Category.objects.order_by("pk").values()),
        "tags": list(Tag.objects.order_by("pk").values()),
        "authors": list(Author.objects.order_by("pk").values()),
        "articles": list(Article.objects.order_by("pk").values()),
        "article tags": list(Article.tags.through.objects.order_by("pk").values()),
        "redirects": list(ArticleSlugRedirect.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "history": list(Article.history.order_by("pk").values_list("pk", flat=True)),
    }


def _text(element, name: str) -> str:
    return (element.findtext(WP + name) or "").strip()


def expected_from_corpus(path: Path) -> dict:
    """Counts read from the export the simple way (the whole tree in memory)."""
    channel = ET.parse(path).getroot().find("channel")
    items = channel.findall("item")
    posts = [item for item in items if _text(item, "post_type") == "post"]
    declared_tags = {_text(tag, "tag_slug") for tag in channel.findall(WP + "tag")}
    tags_named_by_posts = {
        element.get("nicename")
        for post in posts
        for element in post.findall("category")
        if element.get("domain") == "post_tag"
    }
    post_statuses = Counter()
    for post in posts:
        status = POST_STATUS[_text(post, "status")]
        if _text(post, "post_password") and status in ("published", "scheduled"):
            status = "draft"  # no password protection here: kept off the site
        post_statuses[status] += 1
    comment_statuses, comments_skipped = Counter(), 0
    for item in items:
        for comment in item.findall(WP + "comment"):
            reader_comment = _text(comment, "comment_type") in ("", "comment")
            if _text(item, "post_type") == "post" and reader_comment:
                comment_statuses[COMMENT_STATUS[_text(comment, "comment_approved")]] += 1
            else:
                comments_skipped += 1  # pingbacks, trackbacks, comments on pages
    return {
        "categories": len(channel.findall(WP + "category")),
        "tags": len(declared_tags | tags_named_by_posts),
        "authors": len(channel.findall(WP + "author")),
        "post statuses": post_statuses,
        "comment statuses": comment_statuses,
        "comments skipped": comments_skipped,
        "other items": Counter(
            _text(item, "post_type")
            for item in items
            if _text(item, "post_type") not in ("post", "attachment")
        ),
        # {attachment post id: its URL}, and {post id: its featured image's post id}.
        "attachments": {
            int(_text(item, "post_id")): _text(item, "attachment_url")
            for item in items
            if _text(item, "post_type") == "attachment"
        },
        "featured": {
            int(_text(post, "post_id")): int(_text(meta, "meta_value"))
            for post in posts
            for meta in post.findall(WP + "postmeta")
            if _text(meta, "meta_key") == "_thumbnail_id"
        },
        "old slugs": sum(
            1
            for post in posts
            for meta in post.findall(WP + "postmeta")
            if _text(meta, "meta_key") == "_wp_old_slug"
        ),
        "private strings": {
            value.lower()
            for item in items
            for comment in item.findall(WP + "comment")
            for value in (
                _text(comment, "comment_author_email"),
                _text(comment, "comment_author_IP"),
            )
            if value
        }
        | {_text(author, "author_email").lower() for author in channel.findall(WP + "author")},
    }


# --- the Theme Unit Test export ------------------------------------------------------


def test_the_corpus_is_imported_whole(corpus):
    expected = expected_from_corpus(corpus)

    output = run_import(corpus)

    rows = summary_rows(output)

    assert Category.objects.filter(wordpress_id__isnull=False).count() == expected["categories"]
    assert Category.objects.count() == expected["categories"]
    assert Tag.objects.count() == expected["tags"]
    assert Author.objects.count() == expected["authors"]
    assert Counter(Article.objects.values_list("status", flat=True)) == expected["post statuses"]
    assert Counter(Comment.objects.values_list("status", flat=True)) == expected["comment statuses"]
    assert ArticleSlugRedirect.objects.count() == expected["old slugs"]
    assert rows["categories"]["created"] == expected["categories"]
    assert rows["tags"]["created"] == expected["tags"]
    assert rows["articles"]["created"] == sum(expected["post statuses"].values())
    assert rows["comments"]["created"] == sum(expected["comment statuses"].values())
    assert rows["comments"]["skipped"] == expected["comments skipped"]
    assert rows["other items"]["skipped"] == sum(expected["other items"].values())
    by_type = re.search(r"Other items skipped by post type: (.*)\.", output)
    assert by_type is not None, output
    listed = {name: int(n) for n, name in re.findall(r"(\d+) ([\w-]+)", by_type.group(1))}
    assert listed == dict(expected["other items"])
    # Attachments are library pictures left where they are; featured images are leads.
    assert rows["images"]["created"] == len(expected["attachments"]) > 0
    assert dict(Image.objects.values_list("wordpress_id", "source_url")) == expected["attachments"]
    assert not any(Image.objects.values_list("file", flat=True))  # nothing downloaded
    featured = {
        post: expected["attachments"][image]
        for post, image in expected["featured"].items()
        if image in expected["attachments"]
    }
    assert featured, "the corpus features images"
    assert (
        dict(
            Article.objects.filter(lead_image__isnull=False).values_list(
                "wordpress_id", "lead_image__source_url"
            )
        )
        == featured
    )


def test_categories_keep_their_hierarchy(corpus, api_client):
    run_import(corpus)

    grandchild = Category.objects.get(wordpress_id=57037077)
    assert grandchild.slug == "grandchild-category"
    assert grandchild.parent.slug == "child-category-03"
    assert grandchild.parent.parent.slug == "parent-category"
    assert grandchild.parent.parent.parent is None
    assert Category.objects.get(slug="child-2").parent.slug == "child-1"
    assert Category.objects.get(slug="sub").parent.slug == "aciform"
    response = api_client.get("/api/v1/categories/grandchild-category/")
    assert response.json()["path"] == [
        "parent-category",
        "child-category-03",
        "grandchild-category",
    ]


def test_posts_map_their_status_date_title_terms_and_old_slug(corpus, api_client):
    run_import(corpus)

    scheduled = Article.objects.get(wordpress_id=1153)
    assert scheduled.status == Article.Status.SCHEDULED
    assert scheduled.published_at == datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)
    assert Article.objects.get(wordpress_id=1164).status == Article.Status.DRAFT
    assert Article.objects.get(wordpress_id=1168).status == Article.Status.DRAFT  # password
    assert Article.objects.get(wordpress_id=1173).title == "Markup: Title With Markup"
    response = api_client.get("/api/v1/articles/8-2/")  # _wp_old_slug of post 8
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/articles/text-category-blocks/")

    many = Article.objects.get(wordpress_id=1152)  # "Edge Case: Many Categories"
    assert many.category.depth == 2  # the deepest of the many it is filed under
    tagged = Article.objects.get(wordpress_id=1151)  # "Edge Case: Many Tags"
    channel = ET.parse(corpus).getroot().find("channel")
    item = next(i for i in channel.findall("item") if _text(i, "post_id") == "1151")
    tag_slugs = {
        c.get("nicename") for c in item.findall("category") if c.get("domain") == "post_tag"
    }
    assert set(tagged.tags.values_list("slug", flat=True)) == tag_slugs
    assert tagged.author.name == "Theme Buster"
    assert tagged.author.email == "themeshaperwp+demos@gmail.com"


def test_comments_keep_their_threads_and_counts(corpus, api_client):
    run_import(corpus)

    reply = Comment.objects.get(wordpress_id=905)
    assert reply.parent.wordpress_id == 904
    assert reply.depth == 1
    deepest = Comment.objects.get(wordpress_id=915)  # "Comment Depth 10"
    assert deepest.depth == 9
    assert deepest.is_listed
    held = Comment.objects.get(wordpress_id=1015)
    assert held.status == Comment.Status.PENDING
    assert not held.is_listed
    assert not Comment.objects.filter(wordpress_id__in=[921, 922, 923, 924]).exists()  # pings

    article = Article.objects.get(wordpress_id=1148)
    listed = []
    url = f"/api/v1/articles/{article.slug}/comments/?page_size=7"
    while url:
        page = api_client.get(url).json()
        listed += page["results"]
        url = page["next"]
    assert len(listed) == Comment.objects.filter(article=article, is_listed=True).count()
    by_id = {c["id"]: c for c in listed}
    assert by_id[reply.pk]["parent"] == reply.parent_id
    assert by_id[deepest.pk]["depth"] == 9

    for article in Article.objects.all():
        approved = article.comments.filter(status=Comment.Status.APPROVED).count()
        assert article.comment_count == approved, article.slug
    assert Article.objects.get(wordpress_id=1148).comment_count > 0


def test_importing_twice_changes_nothing(corpus):
    first = summary_rows(run_import(corpus))
    before_counts, before_rows = row_counts(), snapshot()

    output = run_import(corpus)

    second = summary_rows(output)
    assert row_counts() == before_counts
    assert snapshot() == before_rows  # no new history record, not even a touched updated_at
    for kind in KINDS:
        assert second[kind]["created"] == 0, kind
        assert second[kind]["updated"] == 0, kind
        assert second[kind]["unchanged"] == first[kind]["created"] + first[kind]["unchanged"]
        assert second[kind]["skipped"] == first[kind]["skipped"]
    assert "Read 100%" in output  # plain progress lines when stdout is not a terminal


def test_no_public_response_carries_an_imported_email_or_ip(corpus, tmp_path, api_client):
    expected = expected_from_corpus(corpus)
    edge_file = tmp_path / "edge.xml"
    edge_file.write_text(EDGE_CASES)
    run_import(corpus)
    run_import(edge_file)
    needles = expected["private strings"] | EDGE_PRIVATE_STRINGS
    stored = {e.lower() for e in Comment.objects.values_list("author_email", flat=True)}
    assert "example@example.org" in stored and "mixed.case@example.com" in stored
    assert Comment.objects.filter(ip_address="203.0.113.9").exists()

    def get_clean(url: str) -> dict:
        response = api_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
        for needle in needles:
            assert needle not in body and needle not in headers, f"{url} leaks {needle}"
        return response.json()

    def get_all(url: str) -> list[dict]:
        results = []
        while url:  # every page, following `next` (page numbers or comment cursors)
            data = get_clean(url)
            results += data["results"]
            url = data["next"]
        return results

    articles = get_all("/api/v1/articles/?page_size=10")
    visible_imported = Article.objects.visible().filter(wordpress_id__isnull=False)
    assert {a["slug"] for a in articles} == set(visible_imported.values_list("slug", flat=True))
    for article in articles:
        get_clean(f"/api/v1/articles/{article['slug']}/")
        comments = get_all(f"/api/v1/articles/{article['slug']}/comments/?page_size=3")
        assert (
            len(comments)
            == Comment.objects.filter(article__slug=article["slug"], is_listed=True).count()
        )
    assert len(get_all("/api/v1/categories/?page_size=25")) == Category.objects.count()
    assert len(get_all("/api/v1/tags/?page_size=25")) == Tag.objects.count()


# --- files that cannot be imported ---------------------------------------------------

PLAIN_RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>A feed</title>
<item><title>Not WordPress</title><link>https://example.com/</link></item>
</channel></rss>"""


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    truncated = EDGE_CASES[: EDGE_CASES.index("<title>My Draft</title>")]  # after 2 posts
    broken_entity = EDGE_CASES.replace("<title>My Draft</title>", "<title>Q&A</title>")
    files = {
        "missing": ("does-not-exist.xml", "no such file"),
        "empty": ("", "not well-formed XML"),
        "truncated": (truncated, "not well-formed XML"),
        "broken entity": (broken_entity, "not well-formed XML"),
        "plain RSS": (PLAIN_RSS, "not a WordPress export"),
        "HTML": ("<html><body><p>Hello</p></body></html>", "not a WordPress export"),
        "no channel": (EDGE_CASES_HEAD + "</rss>", "not a WordPress export"),
    }
    paths = {}
    for name, (content, message) in files.items():
        path = tmp_path / f"{name.replace(' ', '-')}.xml"
        if name != "missing":
            path.write_text(content)
        paths[name] = (path, message)
    return paths


@pytest.mark.parametrize(
    "case", ["missing", "empty", "truncated", "broken entity", "plain RSS", "HTML", "no channel"]
)
def test_a_file_that_cannot_be_imported_writes_nothing(case, tmp_path):
    path, message = _bad_files(tmp_path)[case]

    with pytest.raises(CommandError) as raised:
        run_import(path)

    assert message in str(raised.value)
    assert str(path) in str(raised.value)
    assert "\n" not in str(raised.value)
    assert set(row_counts().values()) == {0}


def test_the_command_fails_with_one_line_and_a_non_zero_exit(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_wordpress", str(tmp_path / "nope.xml")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {tmp_path / 'nope.xml'}: no such file"
    ]


def test_a_dry_run_writes_nothing(edge_file):
    output = run_import(edge_file, "--dry-run")

    assert summary_rows(output)["articles"]["created"] > 0
    assert set(row_counts().values()) == {0}


# --- edge cases, in a handcrafted WXR 1.1 file ---------------------------------------

EDGE_CASES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
    xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:wfw="http://wellformedweb.org/CommentAPI/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:wp="http://wordpress.org/export/1.1/">
"""


def _item(post_id, title, name, status, *, gmt="0000-00-00 00:00:00", date="2020-05-01 10:00:00",
          content="<p>Text.</p>", extra="", post_type="post"):  # fmt: skip
    return f"""
<item>
  <title>{title}</title>
  <dc:creator><![CDATA[editor]]></dc:creator>
  <content:encoded><![CDATA[{content}]]></content:encoded>
  <excerpt:encoded><![CDATA[]]></excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date>{date}</wp:post_date>
  <wp:post_date_gmt>{gmt}</wp:post_date_gmt>
  <wp:comment_status>open</wp:comment_status>
  <wp:post_name>{name}</wp:post_name>
  <wp:status>{status}</wp:status>
  <wp:post_type>{post_type}</wp:post_type>
  <wp:post_password></wp:post_password>
  {extra}
</item>"""


def _comment(comment_id, *, parent=0, approved="1", email="reader@example.net", ip="",
             body="A comment.", comment_type="", url="", gmt="2020-05-02 08:00:00"):  # fmt: skip
    return f"""
  <wp:comment>
    <wp:comment_id>{comment_id}</wp:comment_id>
    <wp:comment_author><![CDATA[Reader {comment_id}]]></wp:comment_author>
    <wp:comment_author_email>{email}</wp:comment_author_email>
    <wp:comment_author_url>{url}</wp:comment_author_url>
    <wp:comment_author_IP>{ip}</wp:comment_author_IP>
    <wp:comment_date>2020-05-02 10:00:00</wp:comment_date>
    <wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
    <wp:comment_approved>{approved}</wp:comment_approved>
    <wp:comment_type>{comment_type}</wp:comment_type>
    <wp:comment_parent>{parent}</wp:comment_parent>
  </wp:comment>"""


HELLO_BODY = """First paragraph, <strong>bold</strong>.
Same paragraph, next line.

<script>alert("owned")</script><a href="javascript:alert(1)" onclick="steal()">Second</a> paragraph."""

HELLO_EXTRA = (
    '<category domain="category" nicename="mom"><![CDATA[Mom & Pop]]></category>'
    '<category domain="category" nicename="kid"><![CDATA[Kid]]></category>'
    '<category domain="post_tag" nicename="news"><![CDATA[News]]></category>'
    '<category domain="post_format" nicename="post-format-aside"><![CDATA[Aside]]></category>'
    "<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key>"
    "<wp:meta_value><![CDATA[old-hello]]></wp:meta_value></wp:postmeta>"
    + _comment(1001, email="Mixed.Case@Example.COM", ip="203.0.113.9", url="javascript:alert(1)",
               body='First! See <a href="https://example.org/x">this</a>.')
    + _comment(1002, parent=1001, email="reply@example.net", ip="2001:db8::7")
    + _comment(1003, parent=999, email="orphan@example.net", ip="198.51.100.23")
    + _comment(1004, parent=1001, approved="0", email="held@example.net")
    + _comment(1005, parent=1004, email="under-held@example.net")
    + _comment(1006, approved="spam", email="spammer@example.net", ip="192.0.2.66")
    + _comment(1007, approved="trash", email="trashed@example.net")
    + _comment(1008, comment_type="pingback", email="", url="https://elsewhere.example/")
    + _comment(1009, comment_type="comment", gmt="0000-00-00 00:00:00")
)  # fmt: skip

EDGE_CASES = (
    EDGE_CASES_HEAD
    + """<channel>
<title>Edge cases</title>
<wp:wxr_version>1.1</wp:wxr_version>
<wp:author>
  <wp:author_id>7</wp:author_id>
  <wp:author_login>editor</wp:author_login>
  <wp:author_email>Editor.Private@Newsroom.example</wp:author_email>
  <wp:author_display_name><![CDATA[Ed Itor]]></wp:author_display_name>
</wp:author>
<wp:category>
  <wp:term_id>501</wp:term_id>
  <wp:category_nicename>kid</wp:category_nicename>
  <wp:category_parent>mom</wp:category_parent>
  <wp:cat_name><![CDATA[Kid]]></wp:cat_name>
</wp:category>
<wp:category>
  <wp:term_id>500</wp:term_id>
  <wp:category_nicename>mom</wp:category_nicename>
  <wp:category_parent></wp:category_parent>
  <wp:cat_name><![CDATA[Mom &amp; Pop]]></wp:cat_name>
  <wp:category_description><![CDATA[The parent.]]></wp:category_description>
</wp:category>
<wp:tag>
  <wp:term_id>600</wp:term_id>
  <wp:tag_slug>news</wp:tag_slug>
  <wp:tag_name><![CDATA[News]]></wp:tag_name>
</wp:tag>
"""
    + _item(101, "Hello world", "hello-world", "publish", content=HELLO_BODY, extra=HELLO_EXTRA)
    + _item(102, "Later", "later", "future", gmt="2099-01-01 00:00:00", date="2099-01-01 02:00:00")
    + _item(103, "My Draft", "", "draft", date="2021-01-01 00:00:00")
    + _item(104, "Private", "private-one", "private", gmt="2020-01-01 00:00:00")
    + _item(105, "Pending", "pending-one", "pending")
    + _item(106, "Trashed", "trashed-one", "trash", gmt="2020-01-01 00:00:00")
    + _item(107, "Locked", "locked", "publish", gmt="2020-01-01 00:00:00").replace(
        "<wp:post_password></wp:post_password>", "<wp:post_password>secret</wp:post_password>"
    )
    + _item(108, "Auto", "", "auto-draft")
    + _item(200, "About", "about", "publish", post_type="page", extra=_comment(2001))
    + _item(201, "Photo", "photo", "inherit", post_type="attachment")
    + "\n</channel>\n</rss>\n"
)
EDGE_PRIVATE_STRINGS = {
    "mixed.case@example.com",
    "reply@example.net",
    "orphan@example.net",
    "held@example.net",
    "under-held@example.net",
    "spammer@example.net",
    "trashed@example.net",
    "editor.private@newsroom.example",
    "203.0.113.9",
    "2001:db8::7",
    "198.51.100.23",
    "192.0.2.66",
}


@pytest.fixture
def edge_file(tmp_path) -> Path:
    path = tmp_path / "edge.xml"
    path.write_text(EDGE_CASES)
    return path


@pytest.fixture
def existing_rows():
    """Rows made in this CMS before the import, whose slugs the export also uses."""
    return {
        "category": CategoryFactory(slug="mom"),
        "tag": TagFactory(slug="news"),
        "article": ArticleFactory(slug="hello-world"),
    }


def test_edge_cases_summary(edge_file):
    rows = summary_rows(run_import(edge_file))

    assert rows["categories"] == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    assert rows["articles"] == {"created": 7, "updated": 0, "unchanged": 0, "skipped": 1}
    assert rows["comments"] == {"created": 8, "updated": 0, "unchanged": 0, "skipped": 2}
    assert rows["old slugs"]["created"] == 1
    assert rows["other items"]["skipped"] == 2


def test_a_child_category_listed_before_its_parent_gets_it(edge_file):
    run_import(edge_file)

    kid = Category.objects.get(wordpress_id=501)
    assert kid.parent.wordpress_id == 500
    assert kid.parent.name == "Mom & Pop"
    assert kid.slug_path == "mom/kid"


def test_slugs_taken_by_rows_made_here_get_a_suffix(edge_file, existing_rows, api_client):
    run_import(edge_file)
    run_import(edge_file)  # and keep it the second time

    assert Category.objects.get(wordpress_id=500).slug == "mom-2"
    assert Category.objects.get(wordpress_id=501).slug_path == "mom-2/kid"
    assert Tag.objects.get(wordpress_id=600).slug == "news-2"
    hello = Article.objects.get(wordpress_id=101)
    assert hello.slug == "hello-world-2"
    existing_rows["article"].refresh_from_db()
    assert existing_rows["article"].slug == "hello-world"
    assert (
        api_client.get("/api/v1/articles/hello-world/").json()["id"] == existing_rows["article"].pk
    )


def test_a_post_maps_dates_statuses_and_sanitized_paragraphs(edge_file, api_client):
    run_import(edge_file)
    articles = {a.wordpress_id: a for a in Article.objects.all()}

    hello = articles[101]
    # GMT date "0000-00-00 00:00:00": the local date, taken as UTC.
    assert hello.published_at == datetime(2020, 5, 1, 10, 0, tzinfo=UTC)
    assert hello.status == Article.Status.PUBLISHED
    assert hello.category.wordpress_id == 501  # the deepest of "mom" and "kid"
    assert list(hello.tags.values_list("wordpress_id", flat=True)) == [600]
    assert hello.author.name == "Ed Itor"
    assert "<script" not in hello.body and "alert" not in hello.body
    assert "onclick" not in hello.body and "javascript:" not in hello.body
    assert hello.body.startswith(
        "<p>First paragraph, <strong>bold</strong>.<br>\nSame paragraph, next line.</p>"
    )
    assert articles[102].status == Article.Status.SCHEDULED
    assert articles[102].published_at == datetime(2099, 1, 1, tzinfo=UTC)
    assert api_client.get(f"/api/v1/articles/{articles[102].slug}/").status_code == 404
    assert articles[103].status == Article.Status.DRAFT
    assert articles[103].published_at is None  # a draft with no GMT date has none
    assert articles[103].slug == "my-draft"  # no post_name: from the title
    assert articles[104].status == Article.Status.DRAFT  # private
    assert articles[105].status == Article.Status.REVIEW  # pending
    assert articles[106].status == Article.Status.ARCHIVED  # trash
    assert articles[107].status == Article.Status.DRAFT  # password-protected
    assert 108 not in articles  # auto-draft
    assert Author.objects.get(wordpress_login="editor").email == "editor.private@newsroom.example"


def test_an_old_slug_answers_301(edge_file, existing_rows, api_client):
    run_import(edge_file)

    response = api_client.get("/api/v1/articles/old-hello/")

    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/articles/hello-world-2/")


def test_comment_statuses_threads_and_private_fields(edge_file, api_client):
    run_import(edge_file)
    comments = {c.wordpress_id: c for c in Comment.objects.all()}

    assert set(comments) == {1001, 1002, 1003, 1004, 1005, 1006, 1007, 1009}  # no pingback
    first = comments[1001]
    assert first.author_email == "mixed.case@example.com"
    assert first.ip_address == "203.0.113.9"
    assert first.author_url == ""  # javascript: is not a link we show
    assert first.body == "First! See this (https://example.org/x)."
    assert first.submitted_at == datetime(2020, 5, 2, 8, 0, tzinfo=UTC)
    assert comments[1009].submitted_at == datetime(2020, 5, 2, 10, 0, tzinfo=UTC)
    assert comments[1002].parent_id == first.pk and comments[1002].depth == 1
    assert comments[1003].parent_id is None and comments[1003].depth == 0  # parent missing
    assert comments[1004].status == Comment.Status.PENDING
    assert comments[1005].depth == 2 and not comments[1005].is_listed  # under a held one
    assert comments[1006].status == Comment.Status.SPAM
    assert comments[1007].status == Comment.Status.REMOVED
    listed = {c.wordpress_id for c in Comment.objects.filter(is_listed=True)}
    assert listed == {1001, 1002, 1003, 1009}
    hello = Article.objects.get(wordpress_id=101)
    assert hello.comment_count == 5  # approved, listed or not: 1001-1003, 1005, 1009
    public = api_client.get(f"/api/v1/articles/{hello.slug}/comments/").json()["results"]
    assert {c["id"] for c in public} == {comments[i].pk for i in (1001, 1002, 1003, 1009)}


def test_a_changed_export_updates_only_what_changed(edge_file):
    run_import(edge_file)
    history = Article.history.count()
    changed = (
        EDGE_CASES.replace("<title>Hello world</title>", "<title>Hello, world</title>")
        .replace("<wp:comment_approved>0</wp:comment_approved>", "<wp:comment_approved>1</wp:comment_approved>")
        .replace("<wp:tag_name><![CDATA[News]]>", "<wp:tag_name><![CDATA[Newsroom]]>")
    )  # fmt: skip
    edge_file.write_text(changed)

    rows = summary_rows(run_import(edge_file))

    assert rows["articles"] == {"created": 0, "updated": 1, "unchanged": 6, "skipped": 1}
    assert rows["comments"]["updated"] == 1
    assert rows["tags"]["updated"] == 1
    assert Article.history.count() == history + 1
    hello = Article.objects.get(wordpress_id=101)
    assert hello.title == "Hello, world"
    assert hello.slug == "hello-world"  # the slug comes from post_name, which did not change
    assert hello.comment_count == 6
    assert Comment.objects.get(wordpress_id=1005).is_listed  # its parent is approved now


def test_a_later_import_keeps_what_was_done_here_to_comments(edge_file):
    run_import(edge_file)
    erased = Comment.objects.get(wordpress_id=1001)
    # What a reader's erasure and the metadata purge leave behind.
    Comment.objects.filter(pk=erased.pk).update(
        author_name="Anonymous", author_email="", author_url="", ip_address=None
    )
    comments_moderate(ids=[Comment.objects.get(wordpress_id=1002).pk], status="spam")

    rows = summary_rows(run_import(edge_file))

    assert rows["comments"]["updated"] == 0
    erased.refresh_from_db()
    assert (erased.author_name, erased.author_email, erased.ip_address) == ("Anonymous", "", None)
    assert Comment.objects.get(wordpress_id=1002).status == Comment.Status.SPAM
    assert Article.objects.get(wordpress_id=101).comment_count == 4


# --- the conversions -----------------------------------------------------------------


def test_classic_editor_text_gets_paragraphs_and_block_content_is_left_alone():
    assert wordpress_paragraphs("One\ntwo\n\nThree") == "<p>One<br>\ntwo</p>\n<p>Three</p>\n"
    assert wordpress_paragraphs("<pre>a\n\nb</pre>") == "<pre>a\n\nb</pre>\n"  # kept whole
    block = "<!-- wp:paragraph -->\n<p>Hi</p>\n<!-- /wp:paragraph -->"
    assert wordpress_paragraphs(block) == block


def test_comment_html_becomes_plain_text():
    assert html_to_text("<p>Hi &amp; bye</p>\n<p>Two</p>") == "Hi & bye\n\nTwo"
    assert html_to_text("<script>x()</script>ok") == "ok"
    assert html_to_text("Markup: <em>With</em>", one_line=True) == "Markup: With"


def test_thread_depths_are_computed_without_recursion():
    chain = {n: (n - 1 if n else None) for n in range(5000)}  # deeper than the stack
    assert tree_depths(chain)[4999] == 4999
    assert tree_depths({"kid": "mom"}, outside={"mom": 3}.__getitem__) == {"kid": 4}
