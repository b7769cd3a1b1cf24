"""Roles: the Editor and Moderator groups the migrations create, what each sees and may
do in the admin, the site's machinery kept to superusers, and the admin's branding."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings

from comments.models import Comment
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

ARTICLE_MODELS = ("article", "category", "tag", "author", "articleslugredirect", "image")
EDITOR = {
    *(
        f"articles.{action}_{model}"
        for model in ARTICLE_MODELS
        for action in ("add", "change", "delete", "view")
    ),
    "articles.view_historicalarticle",
    "comments.view_comment",
}
MODERATOR = {
    "articles.view_article",
    "articles.view_category",
    "comments.view_comment",
    "comments.change_comment",
    "comments.view_commentflag",
    "comments.view_moderationaction",
    "comments.view_commenter",
    "comments.change_commenter",
    "comments.view_commenternote",
    "comments.add_commenternote",
    "comments.view_commentersanction",
    "comments.add_commentersanction",
    "comments.change_commentersanction",
    "comments.view_moderationpolicy",
}

# The site's machinery: superusers only.
MACHINERY_PAGES = [
    "/admin/authtoken/tokenproxy/",
    "/admin/axes/accessattempt/",
    "/admin/axes/accesslog/",
    "/admin/axes/accessfailurelog/",
    "/admin/django_tasks_database/dbtaskresult/",
    "/admin/auth/user/",
    "/admin/auth/group/",
    "/admin/auth/user/add/",
    "/admin/axes/",
    "/admin/authtoken/",
    "/admin/django_tasks_database/",
    "/admin/auth/",
]
MACHINERY_APPS = {"auth", "authtoken", "axes", "django_tasks_database"}


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def member_of(group_name: str):
    user = UserFactory(is_staff=True, is_superuser=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_menu(response) -> dict[str, set[str]]:
    """{app label: {model names}} of the admin index's app list."""
    assert response.status_code == 200
    menu: dict[str, set[str]] = {}
    for app_label, body in re.findall(
        r'<div class="app-(\w+) module[^"]*">(.*?)</table>', response.text, flags=re.S
    ):
        menu.setdefault(app_label, set()).update(re.findall(r'<tr class="model-(\w+)', body))
    return menu


# --- the groups ---------------------------------------------------------------------------


def test_the_editor_group_has_exactly_the_editors_permissions():
    assert permissions_of("Editor") == EDITOR


def test_the_moderator_group_has_exactly_the_moderators_permissions():
    assert permissions_of("Moderator") == MODERATOR


def test_the_roles_migration_takes_machinery_permissions_away_and_keeps_the_roles():
    editor = Group.objects.get(name="Editor")
    editor.permissions.add(Permission.objects.get(codename="view_tokenproxy"))
    editor.permissions.remove(Permission.objects.get(codename="view_tag"))

    # Run the migration's function on the migration state it was written for.
    from importlib import import_module

    migration = import_module("comments.migrations.0008_role_permissions")
    state = MigrationExecutor(connection).loader.project_state(
        ("comments", "0008_role_permissions")
    )
    migration.grant_roles_without_machinery(state.apps, None)

    assert permissions_of("Editor") == EDITOR
    assert permissions_of("Moderator") == MODERATOR


# --- what an editor may do ----------------------------------------------------------------


def test_an_editor_sees_articles_and_reads_comments_only():
    menu = admin_menu(client_for(member_of("Editor")).get("/admin/"))

    assert menu == {
        "articles": {"article", "category", "tag", "author", "image"},
        "comments": {"comment"},
    }


def test_an_editor_opens_the_article_add_page():
    assert client_for(member_of("Editor")).get("/admin/articles/article/add/").status_code == 200


def test_an_editor_reads_the_queue_but_cannot_moderate():
    comment = make_comment(ArticleFactory(), status="pending")
    editor = client_for(member_of("Editor"))

    assert editor.get("/admin/comments/comment/").status_code == 200
    answer = editor.post(
        f"/admin/comments/comment/{comment.pk}/moderate/", {"decision": "approved:"}
    )

    assert answer.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize("role", ["Editor", "Moderator"])
@pytest.mark.parametrize("page", MACHINERY_PAGES)
def test_roles_do_not_reach_the_machinery(role, page):
    assert client_for(member_of(role)).get(page).status_code in (403, 404)


@pytest.mark.parametrize("page", MACHINERY_PAGES)
def test_machinery_stays_hidden_even_from_staff_given_its_permissions(page):
    staff = UserFactory(is_staff=True, is_superuser=False)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=MACHINERY_APPS)
    )
    client = client_for(staff)

    assert client.get(page).status_code in (403, 404)
    assert not MACHINERY_APPS & set(admin_menu(client.get("/admin/")))


def test_superusers_still_see_the_machinery():
    client = client_for(StaffUserFactory())

    assert set(admin_menu(client.get("/admin/"))) >= MACHINERY_APPS
    for page in MACHINERY_PAGES:
        assert client.get(page).status_code == 200, page


# --- what a moderator may do --------------------------------------------------------------


def test_a_moderator_sees_the_moderation_screens_and_reads_articles():
    menu = admin_menu(client_for(member_of("Moderator")).get("/admin/"))

    assert menu == {
        "articles": {"article", "category"},
        "comments": {"comment", "commenter", "commentersanction", "moderationpolicy"},
    }


def test_a_moderator_approves_from_the_queue():
    comment = make_comment(ArticleFactory(), status="pending")
    moderator = client_for(member_of("Moderator"))

    queue = moderator.get("/admin/comments/comment/?status__exact=pending")
    assert f"/admin/comments/comment/{comment.pk}/moderate/" in queue.text
    answer = moderator.post(
        f"/admin/comments/comment/{comment.pk}/moderate/", {"decision": "approved:"}
    )

    assert answer.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_a_moderator_rejects_from_the_queue():
    comment = make_comment(ArticleFactory(), status="pending")
    moderator = client_for(member_of("Moderator"))

    moderator.post(
        f"/admin/comments/comment/{comment.pk}/moderate/", {"decision": "removed:off_topic"}
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


def test_a_moderator_cannot_add_or_change_an_article():
    article = ArticleFactory()
    moderator = client_for(member_of("Moderator"))

    assert moderator.get("/admin/articles/article/add/").status_code == 403
    change = moderator.get(f"/admin/articles/article/{article.pk}/change/")
    assert change.status_code == 200  # read-only: no save button
    assert 'name="_save"' not in change.text


# --- branding -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/admin/login/", "/admin/"])
def test_the_admin_is_branded_from_site_name(page):
    client = client_for(StaffUserFactory()) if page == "/admin/" else Client()

    with override_settings(SITE_NAME="Daily Planet"):
        text = client.get(page).text

    assert "Daily Planet desk" in text
    assert "<title>" in text and "Daily Planet desk</title>" in text
    assert "Django administration" not in text
    assert "Django site admin" not in text


def test_view_site_goes_to_site_url():
    client = client_for(member_of("Editor"))

    with override_settings(SITE_URL="https://news.example"):
        text = client.get("/admin/").text

    assert '<a href="https://news.example">View site</a>' in text


def test_no_view_site_link_without_a_site_url():
    client = client_for(member_of("Editor"))

    with override_settings(SITE_URL=""):
        text = client.get("/admin/").text

    assert "View site" not in text
