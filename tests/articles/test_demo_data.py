"""`manage.py load_demo_data` loads the seed story and a small tree, and is idempotent."""

import html
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, Author, Category, Tag

pytestmark = pytest.mark.django_db

SEED = Path("/work/shared/seed/leica-panasonic-article.txt")
LEICA_SLUG = "leica-and-panasonic-announce-new-cooperation-for-digital-cameras-lenses-and-software"


def seed_story() -> tuple[str, str, list[str]]:
    """Title, category name and body paragraphs of the seed file (the page's comment
    form, from "Leave a Reply" on, is not part of the story)."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    title, category, *rest = lines
    return title, category, rest[: rest.index("Leave a Reply")]


def counts() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "categories": Category.objects.count(),
        "tags": Tag.objects.count(),
        "authors": Author.objects.count(),
        "article_history": Article.history.count(),
    }


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_loading_demo_data_twice_changes_nothing_the_second_time():
    load()
    first = counts()
    assert first["articles"] > 1
    assert first["categories"] > 1

    output = load()

    assert counts() == first
    assert Article.history.count() == first["article_history"]
    # The command's summary says so for every kind of row.
    for kind in ("categories", "tags", "authors", "articles"):
        assert f"{kind}: 0 created, 0 updated," in output


def test_loading_demo_data_restores_an_edited_demo_article():
    load()
    article = Article.objects.get(slug=LEICA_SLUG)
    article.title = "Edited by someone"
    article.save()
    history_before = Article.history.count()

    load()

    article.refresh_from_db()
    assert article.title.startswith("Leica And Panasonic")
    assert Article.history.count() == history_before + 1


def test_leica_article_is_published_in_tech_industry_with_paragraphs_and_curly_quotes():
    load()
    article = Article.objects.select_related("category").get(slug=LEICA_SLUG)

    assert article.title.startswith("Leica And Panasonic Announce New Cooperation")
    assert article.status == Article.Status.PUBLISHED
    assert article.is_visible
    assert article.category.name == "Tech Industry"
    assert article.category.slug == "tech-industry"
    assert article.body.startswith("<p>Today sees an important development")
    assert article.body.count("<p>") == article.body.count("</p>") == 9
    # The original typography survives: curly double and single quotes, no straight ones.
    assert "“With the arrival of an era" in article.body
    assert "”" in article.body
    assert "’" in article.body
    assert '"' not in article.body


@pytest.mark.skipif(not SEED.exists(), reason=f"seed file {SEED} not present")
def test_leica_article_matches_the_seed_text_paragraph_by_paragraph():
    load()
    title, category_name, paragraphs = seed_story()
    article = Article.objects.select_related("category").get(slug=LEICA_SLUG)

    assert article.title == title
    assert article.category.name == category_name
    assert article.body.count("<p>") == len(paragraphs)
    for paragraph in paragraphs:
        assert f"<p>{html.escape(paragraph, quote=False)}</p>" in article.body


def test_leica_article_is_visible_through_the_api(api_client):
    load()

    listed = api_client.get("/api/v1/articles/", {"category": "tech-industry"}).json()
    assert LEICA_SLUG in [item["slug"] for item in listed["results"]]

    response = api_client.get(f"/api/v1/articles/{LEICA_SLUG}/")
    assert response.status_code == 200
    detail = response.json()
    assert detail["category"]["slug"] == "tech-industry"
    assert detail["category"]["name"] == "Tech Industry"
    assert "“With the arrival of an era" in detail["body_html"]
    assert detail["body_html"].startswith("<p>Today sees an important development")


def test_demo_data_includes_a_draft_and_a_future_scheduled_article_that_stay_hidden(
    api_client,
):
    load()
    hidden = Article.objects.exclude(pk__in=Article.objects.visible())
    assert {a.status for a in hidden} >= {Article.Status.DRAFT, Article.Status.SCHEDULED}

    listed = {item["slug"] for item in api_client.get("/api/v1/articles/").json()["results"]}
    assert listed == set(Article.objects.visible().values_list("slug", flat=True))
    assert not listed & {a.slug for a in hidden}
