"""The moderators' admin: pending count, comment queue, bulk actions, policy, article overview."""

import re
from functools import partial

import pytest

from comments.models import Comment, ModerationPolicy
from comments.moderating import comments_moderate
from tests.comments.helpers import (
    admin_action,
    comment_count,
    make_comment,
    status_of,
    text_of,
)
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
POLICY_CHANGELIST = "/admin/comments/moderationpolicy/"


def listed_comment_ids(response) -> set[int]:
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r"/admin/comments/comment/(\d+)/change/", response.text)}


run_action = partial(admin_action, changelist=CHANGELIST, follow=True)


# --- the admin index -------------------------------------------------------------------------


def test_admin_index_shows_the_number_of_pending_comments(admin, article):
    make_comment(article, status="pending")
    make_comment(article, status="pending")
    make_comment(article, status="approved")
    make_comment(article, status="spam")

    response = admin.get("/admin/")

    assert response.status_code == 200
    assert "2 comments awaiting moderation" in text_of(response)
    assert f"{CHANGELIST}?status__exact=pending" in response.text


def test_admin_index_pending_count_is_singular_for_one(admin, article):
    make_comment(article, status="pending")

    assert "1 comment awaiting moderation" in text_of(admin.get("/admin/"))


def test_admin_index_pending_count_follows_moderation(admin, article):
    pending = make_comment(article, status="pending")
    assert "1 comment awaiting moderation" in text_of(admin.get("/admin/"))

    comments_moderate(ids=[pending.pk], status="approved")

    assert "0 comments awaiting moderation" in text_of(admin.get("/admin/"))


def test_admin_is_closed_to_readers(client, article):
    make_comment(article, status="pending")
    client.force_login(UserFactory())

    index = client.get("/admin/")
    queue = client.get(CHANGELIST)

    assert index.status_code == 302
    assert "/admin/login/" in index["Location"]
    assert queue.status_code == 302


# --- the comment queue -----------------------------------------------------------------------


def test_comment_queue_lists_every_status(admin, article):
    comments = [make_comment(article, status=s) for s in Comment.Status.values]

    assert listed_comment_ids(admin.get(CHANGELIST)) == {c.pk for c in comments}


def test_comment_queue_filters_by_status(admin, article):
    pending = make_comment(article, status="pending")
    make_comment(article, status="approved")
    make_comment(article, status="spam")

    response = admin.get(CHANGELIST, {"status__exact": "pending"})

    assert listed_comment_ids(response) == {pending.pk}


def test_comment_queue_filters_by_article(admin, article):
    ours = make_comment(article)
    make_comment(ArticleFactory())

    response = admin.get(CHANGELIST, {"article__id__exact": article.pk})

    assert listed_comment_ids(response) == {ours.pk}
    assert article.title in response.text  # offered in the filter sidebar


def test_comment_queue_search_finds_by_email(admin, article):
    wanted = make_comment(article, author_email="grace.hopper@navy.example")
    make_comment(article, author_email="alan@example.org")

    response = admin.get(CHANGELIST, {"q": "grace.hopper@navy.example"})

    assert listed_comment_ids(response) == {wanted.pk}
    assert "grace.hopper@navy.example" in response.text


def test_comment_queue_search_finds_by_exact_ip(admin, article):
    wanted = make_comment(article, ip_address="192.0.2.55")
    make_comment(article, ip_address="192.0.2.5")

    response = admin.get(CHANGELIST, {"q": "192.0.2.55"})

    assert listed_comment_ids(response) == {wanted.pk}


def test_comments_cannot_be_added_in_the_admin(admin):
    assert admin.get(CHANGELIST + "add/").status_code == 403


# --- bulk actions --------------------------------------------------------------------------


def test_approve_selected_publishes_and_counts(admin, staff_user, article):
    pending = [make_comment(article, status="pending") for _ in range(3)]
    left_alone = make_comment(article, status="pending")

    response = run_action(admin, "approve_selected", pending)

    assert response.status_code == 200
    assert "3 comment(s) approved." in text_of(response)
    assert {status_of(c) for c in pending} == {"approved"}
    assert status_of(left_alone) == "pending"
    assert comment_count(article) == 3
    assert Comment.objects.filter(moderated_by=staff_user).count() == 3


def test_mark_spam_selected_unpublishes_and_counts(admin, article):
    approved = [make_comment(article) for _ in range(2)]
    pending = make_comment(article, status="pending")
    assert comment_count(article) == 2

    run_action(admin, "mark_spam_selected", [*approved, pending])

    assert {status_of(c) for c in [*approved, pending]} == {"spam"}
    assert comment_count(article) == 0


def test_remove_selected_unpublishes_and_counts(admin, article):
    removed, kept = make_comment(article), make_comment(article)
    reply = make_comment(article, parent=removed)
    assert comment_count(article) == 3

    run_action(admin, "remove_selected", [removed])

    assert status_of(removed) == "removed"
    assert status_of(kept) == "approved"
    assert comment_count(article) == 2
    public = admin.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert [c["id"] for c in public] == [kept.pk]
    assert reply.pk not in [c["id"] for c in public]


def test_bulk_action_across_articles_keeps_each_count(admin, article):
    other = ArticleFactory()
    ours = [make_comment(article, status="pending") for _ in range(2)]
    theirs = make_comment(other, status="pending")

    run_action(admin, "approve_selected", [*ours, theirs])

    assert (comment_count(article), comment_count(other)) == (2, 1)


def test_approving_already_approved_comments_does_not_double_count(admin, article):
    approved = make_comment(article)

    response = run_action(admin, "approve_selected", [approved])

    assert "0 comment(s) approved." in text_of(response)
    assert comment_count(article) == 1


def test_deleting_comments_in_the_admin_recounts(admin, article):
    doomed, kept = make_comment(article), make_comment(article)

    response = admin_action(admin, "delete_selected", [doomed], changelist=CHANGELIST, post="yes")

    assert response.status_code == 302
    assert not Comment.objects.filter(pk=doomed.pk).exists()
    assert Comment.objects.filter(pk=kept.pk).exists()
    assert comment_count(article) == 1


# --- the change form -----------------------------------------------------------------------


def _change_form_data(comment, **overrides) -> dict:
    data = {
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body": comment.body,
        "status": comment.status,
        # The (empty) inline formset of reader flags.
        "flags-TOTAL_FORMS": "0",
        "flags-INITIAL_FORMS": "0",
        "flags-MIN_NUM_FORMS": "0",
        "flags-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_change_form_shows_the_comment(admin, article):
    comment = make_comment(article, author_email="grace@example.org", ip_address="192.0.2.8")

    response = admin.get(f"{CHANGELIST}{comment.pk}/change/")

    assert response.status_code == 200
    assert "grace@example.org" in response.text
    assert "192.0.2.8" in response.text


def test_changing_status_on_the_form_goes_through_moderation(admin, staff_user, article):
    comment = make_comment(article, status="pending")

    response = admin.post(
        f"{CHANGELIST}{comment.pk}/change/", _change_form_data(comment, status="approved")
    )

    assert response.status_code == 302, response.content
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == "approved"
    assert stored.is_listed
    assert stored.moderated_by == staff_user
    assert stored.moderated_at is not None
    assert comment_count(article) == 1

    admin.post(f"{CHANGELIST}{comment.pk}/change/", _change_form_data(stored, status="removed"))

    assert status_of(comment) == "removed"
    assert not Comment.objects.get(pk=comment.pk).is_listed
    assert comment_count(article) == 0


def test_removing_a_parent_on_the_form_hides_its_replies(admin, article):
    parent = make_comment(article)
    reply = make_comment(article, parent=parent)

    admin.post(f"{CHANGELIST}{parent.pk}/change/", _change_form_data(parent, status="spam"))

    assert not Comment.objects.get(pk=reply.pk).is_listed
    assert comment_count(article) == 1


def test_editing_other_fields_leaves_status_and_count_alone(admin, article):
    comment = make_comment(article)

    response = admin.post(
        f"{CHANGELIST}{comment.pk}/change/", _change_form_data(comment, body="Typo fixed")
    )

    assert response.status_code == 302
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.body == "Typo fixed"
    assert stored.status == "approved"
    assert stored.is_listed
    assert stored.moderated_by is None
    assert comment_count(article) == 1


# --- the moderation policy -----------------------------------------------------------------------


def _policy_form_data(**overrides) -> dict:
    data = {
        "comments_open": "on",
        "close_after_days": "0",
        "default_status": "pending",
        "auto_approve_known_authors": "on",
        "approved_comments_required": "1",
        "hold_link_count": "2",
        "moderation_keywords": "",
        "suspect_words": "",
        "rejection_rate_percent": "30",
        "rejection_rate_window_days": "30",
        "rejection_rate_min_comments": "3",
        "banned_words": "",
        "reactions_enabled": "on",
        "reaction_label": "Respect",
        "blocklist_keywords": "",
        "blocklist_emails": "",
        "blocklist_domains": "",
        "blocklist_ips": "",
        "flood_interval_seconds": "15",
        "max_depth": "5",
        "max_body_length": "5000",
        "flag_threshold": "3",
        "edit_window_minutes": "15",
        "erase_keeps_approved_bodies": "on",
        "metadata_retention_days": "30",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_policy_list_goes_straight_to_the_single_row(admin):
    response = admin.get(POLICY_CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"{POLICY_CHANGELIST}1/change/"
    assert admin.get(response["Location"]).status_code == 200
    assert ModerationPolicy.objects.count() == 1


def test_policy_cannot_be_added_or_deleted(admin):
    ModerationPolicy.load()

    assert admin.get(POLICY_CHANGELIST + "add/").status_code == 403
    assert admin.post(f"{POLICY_CHANGELIST}1/delete/", {"post": "yes"}).status_code == 403
    assert ModerationPolicy.objects.count() == 1


def test_saving_the_policy_changes_how_comments_are_treated(admin, api_client, article):
    url = f"/api/v1/articles/{article.slug}/comments/"
    payload = {"author_name": "Ada", "author_email": "ada@example.com", "body": "First"}
    assert api_client.post(url, payload, format="json").status_code == 202

    response = admin.post(
        f"{POLICY_CHANGELIST}1/change/",
        _policy_form_data(
            default_status="approved", approved_comments_required="0", flood_interval_seconds="0"
        ),
    )

    assert response.status_code == 302, response.content
    policy = ModerationPolicy.load()
    assert (policy.default_status, policy.flood_interval_seconds) == ("approved", 0)
    second = api_client.post(
        url, {**payload, "author_email": "bob@example.com", "body": "Second"}, format="json"
    )
    assert second.status_code == 201
    assert second.json()["status"] == "approved"


def test_closing_comments_in_the_policy_admin_refuses_posts(admin, api_client, article):
    ModerationPolicy.load()
    admin.post(f"{POLICY_CHANGELIST}1/change/", _policy_form_data(comments_open=None))

    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"author_name": "Ada", "author_email": "ada@example.com", "body": "Hello"},
        format="json",
    )

    assert ModerationPolicy.load().comments_open is False
    assert response.status_code == 403


def test_policy_form_rejects_a_zero_max_depth(admin):
    ModerationPolicy.load()
    response = admin.post(f"{POLICY_CHANGELIST}1/change/", _policy_form_data(max_depth="0"))

    assert response.status_code == 200  # the form again, with the error
    assert ModerationPolicy.load().max_depth == 5


# --- the article change page ------------------------------------------------------------------


def test_article_change_page_shows_the_comments_overview(admin, article):
    make_comment(article, author_name="Grace Hopper", status="approved")
    make_comment(article, author_name="Alan Turing", status="pending")
    make_comment(ArticleFactory(), author_name="Someone Else")

    response = admin.get(f"/admin/articles/article/{article.pk}/change/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Grace Hopper" in text
    assert "Alan Turing" in text
    assert "Someone Else" not in text
    assert "1 approved" in text
    assert "1 pending" in text
    assert f"{CHANGELIST}?article__id__exact={article.pk}" in response.text


def test_article_overview_escapes_comment_authors(admin, article):
    make_comment(article, author_name='<img src=x onerror="alert(1)">')

    response = admin.get(f"/admin/articles/article/{article.pk}/change/")

    assert '<img src=x onerror="alert(1)">' not in response.text
    assert "&lt;img src=x" in response.text


def test_article_overview_shows_only_the_latest_ten(admin, article):
    for n in range(12):
        make_comment(article, author_name=f"Commenter {n:02d}")

    text = text_of(admin.get(f"/admin/articles/article/{article.pk}/change/"))

    assert "Commenter 11" in text
    assert "Commenter 02" in text
    assert "Commenter 01" not in text
    assert "12 approved" in text


def test_email_edited_in_the_admin_is_stored_lower_case(admin, article):
    comment = make_comment(article, author_email="grace@example.org")

    admin.post(
        f"{CHANGELIST}{comment.pk}/change/",
        _change_form_data(comment, author_email="Grace.Hopper@Example.ORG"),
    )

    comment.refresh_from_db()
    assert comment.author_email == "grace.hopper@example.org"
