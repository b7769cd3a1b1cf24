"""RSS/Atom feeds and the XML sitemap: right content, visible articles only, authors by
display name, no email anywhere, a fixed number of queries."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def rss_titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


@pytest.fixture
def tree():
    parent = CategoryFactory(slug="tech", name="Tech")
    child = CategoryFactory(slug="tech-industry", name="Tech Industry", parent=parent)
    other = CategoryFactory(slug="sport", name="Sport")
    return parent, child, other


def test_site_feed_lists_visible_articles_newest_first(client, tree):
    now = timezone.now()
    ArticleFactory(title="Old", published_at=now - timedelta(days=2))
    ArticleFactory(title="New", published_at=now - timedelta(hours=1))
    ArticleFactory(title="Draft", status=Article.Status.DRAFT)
    ArticleFactory(
        title="Future", status=Article.Status.SCHEDULED, published_at=now + timedelta(days=1)
    )
    ArticleFactory(title="Archived", status=Article.Status.ARCHIVED)

    assert rss_titles(client.get("/feeds/articles/")) == ["New", "Old"]


def test_atom_feed_has_entries_with_author_names_only(client):
    author = AuthorFactory(name="Ana Lima", email="ana.private@newsroom.example")
    ArticleFactory(title="Atom story", author=author)

    response = client.get("/feeds/articles/atom/")

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Atom story"]
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Ana Lima"
    assert entries[0].find(f"{ATOM}author").find(f"{ATOM}email") is None
    assert b"ana.private@newsroom.example" not in response.content


def test_category_feed_includes_descendants(client, tree):
    parent, child, other = tree
    ArticleFactory(title="In child", category=child)
    ArticleFactory(title="In parent", category=parent)
    ArticleFactory(title="Elsewhere", category=other)

    assert sorted(rss_titles(client.get("/feeds/categories/tech/"))) == ["In child", "In parent"]
    assert rss_titles(client.get("/feeds/categories/tech-industry/")) == ["In child"]
    assert client.get("/feeds/categories/no-such/").status_code == 404


def test_tag_feed(client):
    tag = TagFactory(slug="leica")
    ArticleFactory(title="Tagged", tags=[tag])
    ArticleFactory(title="Untagged")

    assert rss_titles(client.get("/feeds/tags/leica/")) == ["Tagged"]
    assert client.get("/feeds/tags/no-such/").status_code == 404


def test_comment_feed_lists_approved_comments_by_name_without_email(client):
    article = ArticleFactory(slug="story")
    CommentFactory(
        article=article,
        author_name="Visible Vera",
        author_email="vera@private.example",
        body="Hello <b>there</b>",
    )
    CommentFactory(article=article, author_name="Held Hank", status="pending", is_listed=False)
    CommentFactory(article=article, author_name="Spam Sam", status="spam", is_listed=False)

    response = client.get("/feeds/articles/story/comments/")

    assert rss_titles(response) == ["By Visible Vera"]
    root = ET.fromstring(response.content)
    description = root.find("channel/item/description").text
    assert "&lt;b&gt;there&lt;/b&gt;" in description  # the comment's markup stays text
    assert b"vera@private.example" not in response.content
    assert b"Held Hank" not in response.content


def test_comment_feed_of_invisible_article_is_404(client):
    ArticleFactory(slug="draft-story", status=Article.Status.DRAFT)
    assert client.get("/feeds/articles/draft-story/comments/").status_code == 404


def test_sitemap_index_and_sections(client, settings, tree):
    settings.SITE_URL = "https://news.example.com"
    ArticleFactory(slug="visible-one")
    ArticleFactory(slug="hidden-draft", status=Article.Status.DRAFT)

    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = [loc.text for loc in ET.fromstring(index.content).iter(f"{SITEMAP}loc")]
    assert any(url.endswith("/sitemap-articles.xml") for url in sections)
    assert any(url.endswith("/sitemap-categories.xml") for url in sections)

    articles = client.get("/sitemap-articles.xml")
    locations = [loc.text for loc in ET.fromstring(articles.content).iter(f"{SITEMAP}loc")]
    assert locations == ["https://news.example.com/api/v1/articles/visible-one/"]

    categories = client.get("/sitemap-categories.xml")
    locations = [loc.text for loc in ET.fromstring(categories.content).iter(f"{SITEMAP}loc")]
    assert "https://news.example.com/api/v1/categories/tech-industry/" in locations


def test_frontend_path_templates_shape_links(client, settings):
    settings.SITE_URL = "https://news.example.com"
    settings.ARTICLE_PATH_TEMPLATE = "/articles/{slug}/"
    ArticleFactory(slug="linked")

    root = ET.fromstring(client.get("/feeds/articles/").content)
    assert root.find("channel/item/link").text == "https://news.example.com/articles/linked/"
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert "https://news.example.com/articles/linked/" in sitemap


@pytest.mark.parametrize("count", [1, 20])
def test_article_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    tags = [TagFactory(), TagFactory()]
    for _ in range(count):
        ArticleFactory(tags=tags)
    with django_assert_num_queries(2):  # articles with category and author; their tags
        assert len(rss_titles(client.get("/feeds/articles/"))) == count


@pytest.mark.parametrize("count", [1, 25])
def test_comment_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    article = ArticleFactory(slug="busy")
    CommentFactory.create_batch(count, article=article)
    with django_assert_num_queries(2):  # the article; its comments
        assert len(rss_titles(client.get("/feeds/articles/busy/comments/"))) == count
