"""The editors' admin: access, article and category screens, workflow actions, preview, history."""

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by the user factories


def test_non_staff_user_cannot_log_in_to_the_admin(regular_user):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": regular_user.username, "password": PASSWORD, "next": "/admin/"},
    )
    # The form is shown again with an error instead of redirecting into the admin.
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_logged_in_non_staff_user_is_sent_to_the_login_page(regular_user):
    client = Client()
    client.force_login(regular_user)
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_user_can_log_in_to_the_admin(staff_user):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff_user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_can_open_the_article_changelist(admin_client):
    ArticleFactory(title="A listed story")
    response = admin_client.get("/admin/articles/article/")
    assert response.status_code == 200
    assert b"A listed story" in response.content
    assert b"publish_selected" in response.content
    assert b"archive_selected" in response.content


def test_article_add_form_prepopulates_the_slug_from_the_title(admin_client):
    assert admin.site._registry[Article].prepopulated_fields == {"slug": ["title"]}
    response = admin_client.get("/admin/articles/article/add/")
    assert response.status_code == 200
    assert b"prepopulated" in response.content
    assert b'name="slug"' in response.content


def test_staff_can_open_the_category_changelist(admin_client):
    parent = CategoryFactory(name="Technology")
    CategoryFactory(name="Tech Industry", parent=parent)
    response = admin_client.get("/admin/articles/category/")
    assert response.status_code == 200
    assert b"Technology" in response.content
    assert b"Tech Industry" in response.content


def test_moving_a_category_under_its_descendant_in_the_admin_shows_an_error(admin_client):
    root = CategoryFactory(name="Technology", slug="technology")
    child = CategoryFactory(name="Cameras", slug="cameras", parent=root)
    form = {"name": "Technology", "slug": "technology", "parent": child.pk, "position": 0}

    response = admin_client.post(f"/admin/articles/category/{root.pk}/change/", form)

    assert response.status_code == 200  # the form again, with the error
    assert b"cannot move under its own descendant" in response.content
    root.refresh_from_db()
    assert root.parent is None


def test_moving_a_category_in_the_admin_rewrites_its_descendants(admin_client):
    technology = CategoryFactory(slug="technology")
    science = CategoryFactory(slug="science")
    cameras = CategoryFactory(slug="cameras", parent=technology)
    mirrorless = CategoryFactory(slug="mirrorless", parent=cameras)
    form = {"name": "Cameras", "slug": "cameras", "parent": science.pk, "position": 0}

    response = admin_client.post(f"/admin/articles/category/{cameras.pk}/change/", form)

    assert response.status_code == 302
    mirrorless.refresh_from_db()
    assert mirrorless.path == ["science", "cameras", "mirrorless"]


def test_staff_can_open_an_article_change_form(admin_client):
    article = ArticleFactory(title="Editable story")
    response = admin_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    assert b"Editable story" in response.content
    assert f"/admin/articles/article/{article.pk}/preview/".encode() in response.content


def test_publish_selected_action_publishes_drafts(admin_client):
    drafts = ArticleFactory.create_batch(2, status=Article.Status.DRAFT, published_at=None)
    untouched = ArticleFactory(status=Article.Status.DRAFT, published_at=None)

    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "publish_selected", "_selected_action": [a.pk for a in drafts]},
    )

    assert response.status_code == 302
    for article in drafts:
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at <= timezone.now()
    untouched.refresh_from_db()
    assert untouched.status == Article.Status.DRAFT


def test_archive_selected_action_archives_articles(admin_client, api_client):
    published = ArticleFactory.create_batch(2)

    response = admin_client.post(
        "/admin/articles/article/",
        {"action": "archive_selected", "_selected_action": [a.pk for a in published]},
    )

    assert response.status_code == 302
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.ARCHIVED}
    assert api_client.get("/api/v1/articles/").json()["count"] == 0


def test_staff_can_preview_a_draft(admin_client):
    article = ArticleFactory(
        title="Unpublished scoop", status=Article.Status.DRAFT, published_at=None
    )
    response = admin_client.get(f"/admin/articles/article/{article.pk}/preview/")
    assert response.status_code == 200
    assert b"Unpublished scoop" in response.content
    assert b"<p>Body text.</p>" in response.content


def test_anonymous_preview_redirects_to_login():
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    response = Client().get(f"/admin/articles/article/{article.pk}/preview/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_preview_of_a_missing_article_is_404(admin_client):
    assert admin_client.get("/admin/articles/article/999999/preview/").status_code == 404


def test_history_view_shows_an_edit_made_in_the_admin(admin_client, staff_user):
    article = ArticleFactory(title="First title", status=Article.Status.DRAFT, published_at=None)
    form = {
        "title": "Second title",
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body": article.body,
        "category": article.category_id,
        "author": article.author_id,
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        "slug_redirects-TOTAL_FORMS": "0",
        "slug_redirects-INITIAL_FORMS": "0",
        "slug_redirects-MIN_NUM_FORMS": "0",
        "slug_redirects-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }

    response = admin_client.post(f"/admin/articles/article/{article.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "Second title"
    records = list(article.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].history_user == staff_user

    history = admin_client.get(f"/admin/articles/article/{article.pk}/history/")
    assert history.status_code == 200
    content = history.content.decode()
    table = content[content.index('id="change-history"') :]
    table = table[: table.index("</table>")]
    assert "<td>Changed</td>" in table
    assert "<td>Created</td>" in table
    assert f">{staff_user.username}</a>" in table
    # The "Changes" column shows what the edit did.
    assert "<strong>Title:</strong>" in table
    assert "First title" in table
    assert "Second title" in table
