"""Editor's picks: staff feature an approved comment (service, staff API, admin action);
a comment that leaves `approved` is no longer featured."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from comments import moderating, services
from comments.models import Comment
from tests.comments.helpers import admin_action, make_comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODERATION_URL = "/api/v1/moderation/comments/"
CHANGELIST = "/admin/comments/comment/"


def stored(comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


# --- the services ----------------------------------------------------------------------------


def test_featuring_an_approved_comment_marks_it_with_the_time(article, staff_user):
    comment = make_comment(article)

    moderating.comment_feature(comment=comment, by=staff_user)

    fresh = stored(comment)
    assert fresh.featured is True
    assert fresh.featured_at is not None


def test_featuring_twice_keeps_the_first_time(article, staff_user):
    comment = make_comment(article)
    moderating.comment_feature(comment=comment, by=staff_user)
    first = stored(comment).featured_at

    moderating.comment_feature(comment=comment, by=staff_user)

    assert stored(comment).featured_at == first


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_only_an_approved_comment_can_be_featured(article, staff_user, status):
    comment = make_comment(article, status=status)

    with pytest.raises(ValidationError) as refused:
        moderating.comment_feature(comment=comment, by=staff_user)

    assert "featured" in refused.value.message_dict
    assert stored(comment).featured is False


def test_unfeaturing_clears_the_pick(article, staff_user):
    comment = make_comment(article)
    moderating.comment_feature(comment=comment, by=staff_user)

    moderating.comment_unfeature(comment=comment, by=staff_user)

    fresh = stored(comment)
    assert (fresh.featured, fresh.featured_at) == (False, None)


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_a_comment_leaving_approved_is_unfeatured(article, staff_user, status):
    comment = make_comment(article)
    moderating.comment_feature(comment=comment, by=staff_user)

    moderating.comments_moderate(ids=[comment.pk], status=status, moderator=staff_user)
    moderating.comments_moderate(ids=[comment.pk], status="approved", moderator=staff_user)

    fresh = stored(comment)
    assert fresh.status == "approved"
    assert (fresh.featured, fresh.featured_at) == (False, None)  # re-approval is not a pick


def test_reader_reports_that_hold_a_pick_unfeature_it(article, staff_user):
    from tests.comments.helpers import set_policy

    set_policy(flag_threshold=1)
    comment = make_comment(article)
    moderating.comment_feature(comment=comment, by=staff_user)

    services.comment_flag(comment=stored(comment), ip_address="192.0.2.1")

    assert (stored(comment).status, stored(comment).featured) == ("pending", False)


# --- the staff API -----------------------------------------------------------------------------


def test_staff_feature_and_unfeature_through_the_api(staff_client, api_client, article):
    comment = make_comment(article)

    featured = staff_client.post(f"{MODERATION_URL}{comment.pk}/feature/")

    assert featured.status_code == 200
    assert featured.json()["featured"] is True
    assert featured.json()["featured_at"]
    public = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert [item["featured"] for item in public] == [True]

    unfeatured = staff_client.post(f"{MODERATION_URL}{comment.pk}/unfeature/")

    assert unfeatured.status_code == 200
    assert unfeatured.json()["featured"] is False
    public = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert [item["featured"] for item in public] == [False]


def test_featuring_a_held_comment_through_the_api_is_400(staff_client, article):
    comment = make_comment(article, status="pending")

    response = staff_client.post(f"{MODERATION_URL}{comment.pk}/feature/")

    assert response.status_code == 400
    assert set(response.json()) == {"featured"}
    assert stored(comment).featured is False


def test_featuring_an_unknown_comment_is_404(staff_client):
    assert staff_client.post(f"{MODERATION_URL}987654/feature/").status_code == 404


@pytest.mark.parametrize("verb", ["feature", "unfeature"])
def test_only_staff_may_feature(api_client, article, verb):
    comment = make_comment(article)
    if verb == "unfeature":
        moderating.comment_feature(comment=comment)
    reader = APIClient()
    reader.force_login(UserFactory())

    anonymous = api_client.post(f"{MODERATION_URL}{comment.pk}/{verb}/")
    signed_in = reader.post(f"{MODERATION_URL}{comment.pk}/{verb}/")

    assert anonymous.status_code in (401, 403)
    assert signed_in.status_code == 403
    assert stored(comment).featured is (verb == "unfeature")


def test_staff_list_filters_featured(staff_client, article):
    pick = make_comment(article)
    make_comment(article)
    moderating.comment_feature(comment=pick)

    response = staff_client.get(MODERATION_URL, {"featured": "true"})

    assert [item["id"] for item in response.json()["results"]] == [pick.pk]


# --- the admin actions --------------------------------------------------------------------------


run_action = partial(admin_action, changelist=CHANGELIST, follow=True)


def test_admin_features_the_approved_ones_and_says_which_were_skipped(admin, article):
    approved = make_comment(article)
    held = make_comment(article, status="pending")

    response = run_action(admin, "feature_selected", [approved, held])

    assert stored(approved).featured is True
    assert stored(held).featured is False
    text = response.content.decode()
    assert "1 comment(s) featured." in text
    assert "1 comment(s) not featured: only approved comments can be." in text


def test_admin_unfeatures(admin, article):
    comment = make_comment(article)
    moderating.comment_feature(comment=comment)

    response = run_action(admin, "unfeature_selected", [comment])

    assert stored(comment).featured is False
    assert "1 comment(s) unfeatured." in response.content.decode()
