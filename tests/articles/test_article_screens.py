"""The editors' article screens (#17): the list readable at a glance (status labels,
categories by full name, the category filter as a tree), "View on site" only where the
site says where its pages are, in a fixed number of queries."""

import re

import pytest

from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("desk", "d@x.org", "pw"))
    return client


@pytest.fixture
def tree():
    technology = CategoryFactory(name="Technology", slug="technology")
    industry = CategoryFactory(name="Tech Industry", slug="tech-industry", parent=technology)
    culture = CategoryFactory(name="Culture", slug="culture")
    return technology, industry, culture


def test_the_list_shows_status_labels_and_full_category_names(desk, tree):
    _, industry, _ = tree
    ArticleFactory(title="Chipmakers report", category=industry, status="review")
    html = desk.get("/admin/articles/article/").content.decode()
    assert '<span class="status-label status-review">In review</span>' in html
    assert "Technology › Tech Industry" in html


def test_the_category_filter_is_a_tree_and_takes_the_subtree(desk, tree):
    technology, industry, culture = tree
    in_industry = ArticleFactory(title="In industry", category=industry)
    ArticleFactory(title="In culture", category=culture)
    html = desk.get("/admin/articles/article/").content.decode()
    filter_items = re.findall(r"category_tree=\d+\">([^<]+)<", html)
    assert filter_items == ["Technology", "— Tech Industry", "Culture"]

    html = desk.get(f"/admin/articles/article/?category_tree={technology.pk}").content.decode()
    assert in_industry.title in html and "In culture" not in html


def _list_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/admin/articles/article/")
    return len(captured)


def test_list_queries_do_not_grow(desk, tree):
    _, industry, culture = tree
    ArticleFactory(category=industry)
    one = _list_queries(desk)
    for i in range(40):
        ArticleFactory(category=industry if i % 2 else culture)
    assert _list_queries(desk) == one


def test_view_on_site_follows_the_article_path_template(desk, settings):
    article = ArticleFactory(slug="leica-panasonic", status="published")
    settings.ARTICLE_PATH_TEMPLATE = ""
    html = desk.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "View on site" not in html  # no frontend page to go to: not the API's JSON

    settings.SITE_URL = "https://news.example.org"
    settings.ARTICLE_PATH_TEMPLATE = "/stories/{slug}/"
    html = desk.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'href="https://news.example.org/stories/leica-panasonic/"' in html


def test_view_on_site_is_hidden_for_a_draft(desk, settings):
    settings.ARTICLE_PATH_TEMPLATE = "/stories/{slug}/"
    draft = ArticleFactory(status="draft")
    html = desk.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()
    assert "View on site" not in html


def test_view_site_goes_to_site_url(desk, settings):
    settings.SITE_URL = "https://news.example.org"
    html = desk.get("/admin/").content.decode()
    assert re.search(r'<a href="https://news.example.org">View site</a>', html)
    assert "Django administration" not in html and "Site administration" not in html
