"""Preview tokens for frontends (issue #16): staff get one on the article's admin page;
`?preview=TOKEN` answers the unpublished article, privately, and opens no other."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from articles.models import Article
from articles.previews import preview_token
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return ArticleFactory(slug="draft-story", title="Not out yet", status=Article.Status.DRAFT)


def test_a_token_opens_its_draft_privately(api_client, draft):
    token = preview_token(article=draft)

    response = api_client.get("/api/v1/articles/draft-story/", {"preview": token})

    assert response.status_code == 200
    assert response.json()["title"] == "Not out yet"
    assert response["Cache-Control"] == "private, no-store"


def test_without_a_valid_token_a_draft_is_not_found(api_client, draft):
    assert api_client.get("/api/v1/articles/draft-story/").status_code == 404
    for token in ("", "nonsense", preview_token(article=draft) + "x"):
        response = api_client.get("/api/v1/articles/draft-story/", {"preview": token})
        assert response.status_code == 404, token
        assert response.json() == {"detail": "Not found."}


def test_a_token_opens_no_other_article(api_client, draft):
    other = ArticleFactory(slug="other-draft", status=Article.Status.REVIEW)
    token = preview_token(article=draft)

    assert api_client.get("/api/v1/articles/other-draft/", {"preview": token}).status_code == 404
    assert (
        api_client.get(
            f"/api/v1/articles/{other.slug}/", {"preview": preview_token(article=other)}
        ).status_code
        == 200
    )


def test_an_expired_token_is_refused(api_client, draft, settings):
    token = preview_token(article=draft)
    settings.ARTICLE_PREVIEW_SECONDS = -1
    assert api_client.get("/api/v1/articles/draft-story/", {"preview": token}).status_code == 404


def test_a_preview_is_never_kept_by_the_response_cache(api_client, draft, response_cache_on):
    token = preview_token(article=draft)
    api_client.get("/api/v1/articles/draft-story/", {"preview": token})
    with CaptureQueriesContext(connection) as queries:
        again = api_client.get("/api/v1/articles/draft-story/", {"preview": token})
    assert again.status_code == 200 and len(queries.captured_queries) > 0
    # And the public URL still answers 404.
    assert api_client.get("/api/v1/articles/draft-story/").status_code == 404


def test_staff_find_the_preview_path_on_the_article_page(admin_client, api_client, draft):
    page = admin_client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()

    found = re.search(r"/api/v1/articles/draft-story/\?preview=([^<\s]+)", page)
    assert found
    assert api_client.get("/api/v1/articles/draft-story/", {"preview": found[1]}).status_code == 200


# --- the staff API: POST /api/v1/desk/articles/{slug}/preview/ ---------------------------


def _staff_client(*, codenames: tuple[str, ...]) -> APIClient:
    """A signed-in staff member (not a superuser) with these article permissions."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_login(user)
    return client


def test_an_editor_gets_a_token_from_the_api_that_opens_the_draft(api_client, draft):
    editor = _staff_client(codenames=("view_article", "change_article"))

    issued = editor.post("/api/v1/desk/articles/draft-story/preview/")

    assert issued.status_code == 200
    assert issued["Cache-Control"] == "private, no-store"
    body = issued.json()
    assert set(body) == {"token", "expires_at", "url"}
    assert body["url"].endswith(f"/api/v1/articles/draft-story/?preview={body['token']}")
    opened = api_client.get("/api/v1/articles/draft-story/", {"preview": body["token"]})
    assert opened.status_code == 200 and opened.json()["title"] == "Not out yet"


def test_the_token_api_needs_the_admins_change_permission(api_client, draft):
    # Staff who may only view articles (a moderator) are refused, as the admin refuses
    # them an edit; a reader or an anonymous caller too.
    viewer = _staff_client(codenames=("view_article",))

    assert viewer.post("/api/v1/desk/articles/draft-story/preview/").status_code == 403
    assert api_client.post("/api/v1/desk/articles/draft-story/preview/").status_code in (401, 403)


def test_the_token_api_answers_404_for_an_unknown_slug(staff_client):
    response = staff_client.post("/api/v1/desk/articles/nothing-here/preview/")

    assert response.status_code == 404 and set(response.json()) == {"detail"}
