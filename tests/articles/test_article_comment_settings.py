"""Per-article comment settings: edited in the article admin, applied by the pipeline."""

import pytest

from articles.models import Article
from comments.models import Comment
from tests.comments.helpers import make_comment, proof_header, set_policy
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


@pytest.fixture(autouse=True)
def _policy():
    set_policy(flood_interval_seconds=0)


def article_form(article: Article, **fields) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body": article.body,
        "category": article.category_id,
        "author": article.author_id,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "comments_enabled": "on",
        "comments_message": "",
        "slug_redirects-TOTAL_FORMS": "0",
        "slug_redirects-INITIAL_FORMS": "0",
        "slug_redirects-MIN_NUM_FORMS": "0",
        "slug_redirects-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def post_comment(client, article, *, proven: bool = False, **fields):
    """POST a comment; with `proven`, with the address's commenter token (so its earlier
    approved comments count: a known author)."""
    data = {"author_name": "Ada", "author_email": EMAIL, "body": "A remark."}
    data.update(fields)
    headers = proof_header(data["author_email"]) if proven else {}
    return client.post(f"/api/v1/articles/{article.slug}/comments/", data, format="json", **headers)


def test_the_article_form_shows_the_comment_settings(admin_client):
    article = ArticleFactory()

    html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    for field in [
        "comments_enabled",
        "comments_premoderate",
        "comments_premoderate_links",
        "comments_message",
    ]:
        assert f'name="{field}"' in html


def test_editors_set_the_comment_settings_in_the_admin(admin_client):
    article = ArticleFactory()

    response = admin_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(
            article,
            comments_premoderate="on",
            comments_premoderate_links="on",
            comments_message="Comments on this story are moderated before they appear.",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.comments_premoderate is True
    assert article.comments_premoderate_links is True
    assert article.comments_message == "Comments on this story are moderated before they appear."


def test_a_message_longer_than_1000_characters_is_refused(admin_client):
    article = ArticleFactory()

    response = admin_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, comments_message="x" * 1001),
    )

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.comments_message == ""


def test_closing_an_article_in_the_admin_refuses_comments_with_403(admin_client, api_client):
    article = ArticleFactory()
    admin_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, comments_enabled=None),
    )

    response = post_comment(api_client, article)

    assert response.status_code == 403
    assert response.json() == {"detail": "Comments are closed on this article."}
    assert not Comment.objects.filter(article=article).exists()


def test_a_premoderated_article_answers_202_even_for_a_known_author(api_client):
    make_comment(ArticleFactory(), author_email=EMAIL)
    article = ArticleFactory(comments_premoderate=True)

    response = post_comment(api_client, article, proven=True)

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert Comment.objects.get(pk=response.json()["id"]).moderation_step.endswith(
        "article_premoderate"
    )


def test_an_article_premoderating_links_holds_a_link_and_publishes_plain_text(api_client):
    make_comment(ArticleFactory(), author_email=EMAIL)
    article = ArticleFactory(comments_premoderate_links=True)

    with_link = post_comment(
        api_client, article, proven=True, body="Source: https://example.org/data"
    )
    plain = post_comment(api_client, article, proven=True, body="No source, just an opinion.")

    assert with_link.status_code == 202
    assert plain.status_code == 201
