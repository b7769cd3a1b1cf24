"""The admin moderation queue: why a comment is held, the pending queue by priority,
one-click decisions with a reason, the bulk action with a reason and note, the audit
trail on each comment's page; bounded queries."""

import re

import pytest
from django.test import Client

from comments import moderating, services
from comments.models import Comment, ModerationAction
from tests.comments.helpers import admin_action, make_comment, set_policy, status_of, text_of
from tests.factories import ArticleFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


def moderate_url(comment) -> str:
    return f"{CHANGELIST}{comment.pk}/moderate/"


def row_order(response) -> list[int]:
    """Comment ids in the order of the changelist's rows."""
    assert response.status_code == 200
    found = re.findall(r'<tr[^>]*>\s*<td class="action-checkbox">.*?value="(\d+)"', response.text)
    return [int(pk) for pk in found]


def row_of(response, comment) -> str:
    """The HTML of one changelist row."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", response.text, flags=re.S)
    return next(r for r in rows if f'value="{comment.pk}"' in r)


def latest_action(comment) -> ModerationAction:
    return ModerationAction.objects.filter(comment_id=comment.pk).latest("id")


def held_for_links(article) -> Comment:
    set_policy(flood_interval_seconds=0, approved_comments_required=0)
    return services.comment_create(
        article=article,
        author_name="Linker",
        author_email="linker@example.com",
        body="https://a.example/1 and https://b.example/2",
    ).comment


# --- why a comment is where it is -------------------------------------------------------------


def test_the_why_column_names_the_deciding_step_and_reason(admin, article):
    comment = held_for_links(article)

    row = row_of(admin.get(CHANGELIST, {"status__exact": "pending"}), comment)

    assert "2 links" in row
    assert "too_many_links" not in row  # words, not codes


def test_the_why_column_names_the_moderator_for_staff_decisions(admin, staff_user, article):
    comment = make_comment(article, status="pending")
    moderating.comments_moderate(
        ids=[comment.pk], status="removed", moderator=staff_user, reason="harassment"
    )

    row = row_of(admin.get(CHANGELIST), comment)

    assert f"removed by {staff_user.username}: harassment" in row


def test_the_queue_filters_by_reason(admin, article):
    linked = held_for_links(article)
    make_comment(article, status="pending")

    response = admin.get(CHANGELIST, {"moderation_reason__exact": "links"})

    assert row_order(response) == [linked.pk]


# --- priority ---------------------------------------------------------------------------------


def test_the_pending_queue_comes_by_priority(admin, article):
    plain_old = make_comment(article, status="pending")
    plain_new = make_comment(article, status="pending")
    newcomer = make_comment(article, status="pending", new_commenter=True)
    linked = make_comment(article, status="pending", link_count=2)
    reported = make_comment(article, status="pending", flag_count=2)

    response = admin.get(CHANGELIST, {"status__exact": "pending"})

    assert row_order(response) == [reported.pk, linked.pk, newcomer.pk, plain_old.pk, plain_new.pk]


def test_other_lists_keep_their_order_and_columns_still_sort(admin, article):
    first = make_comment(article, flag_count=0)
    second = make_comment(article, flag_count=5)

    assert row_order(admin.get(CHANGELIST)) == [first.pk, second.pk]  # oldest first, as before
    flags_column = admin.get(CHANGELIST, {"status__exact": "pending", "o": "-8"})
    assert flags_column.status_code == 200


# --- one-click decisions ---------------------------------------------------------------------------


def test_each_row_offers_one_click_decisions_posting_to_the_moderate_view(admin, article):
    pending = make_comment(article, status="pending")

    row = row_of(admin.get(CHANGELIST), pending)

    assert f'formaction="{moderate_url(pending)}"' in row
    assert 'value="approved:"' in row
    assert 'value="spam:spam"' in row
    assert 'value="removed:offensive"' in row
    assert 'name="index"' not in row  # the bulk actions' Go button stays the only one


def test_one_click_approve_records_the_moderator(admin, staff_user, article):
    comment = make_comment(article, status="pending")

    response = admin.post(moderate_url(comment), {"decision": "approved:"})

    assert response.status_code == 302
    assert status_of(comment) == "approved"
    action = latest_action(comment)
    assert (action.from_status, action.to_status, action.actor, action.reason) == (
        "pending",
        "approved",
        staff_user,
        "",
    )


def test_one_click_reject_with_a_reason(admin, staff_user, article):
    comment = make_comment(article)

    response = admin.post(moderate_url(comment), {"decision": "removed:off_topic"}, follow=True)

    assert status_of(comment) == "removed"
    action = latest_action(comment)
    assert (action.to_status, action.actor, action.reason) == ("removed", staff_user, "off_topic")
    assert f"Comment {comment.pk}: removed." in text_of(response)
    assert Comment.objects.get(pk=comment.pk).is_listed is False


def test_one_click_spam(admin, article):
    comment = make_comment(article, status="pending")

    admin.post(moderate_url(comment), {"decision": "spam:spam"})

    assert (status_of(comment), latest_action(comment).reason) == ("spam", "spam")


def test_one_click_goes_back_to_the_filtered_queue(admin, article):
    comment = make_comment(article, status="pending")
    queue = f"http://testserver{CHANGELIST}?status__exact=pending"

    response = admin.post(moderate_url(comment), {"decision": "approved:"}, HTTP_REFERER=queue)

    assert response["Location"] == queue


def test_a_foreign_referer_is_not_followed(admin, article):
    comment = make_comment(article, status="pending")

    response = admin.post(
        moderate_url(comment), {"decision": "approved:"}, HTTP_REFERER="https://evil.example/"
    )

    assert response["Location"] == CHANGELIST


@pytest.mark.parametrize("decision", ["deleted:", "removed:rude", "", "spam:spam:1"])
def test_an_invalid_decision_changes_nothing(admin, article, decision):
    comment = make_comment(article, status="pending")
    before = ModerationAction.objects.count()

    response = admin.post(moderate_url(comment), {"decision": decision}, follow=True)

    assert response.status_code == 200
    assert status_of(comment) == "pending"
    assert ModerationAction.objects.count() == before
    assert "That decision is not valid." in text_of(response)


def test_get_shows_a_form_and_changes_nothing(admin, article):
    comment = make_comment(article, status="pending", body="Hold me gently")
    before = ModerationAction.objects.count()

    response = admin.get(moderate_url(comment), {"decision": "approved:", "status": "approved"})

    assert response.status_code == 200
    assert "Hold me gently" in response.text
    assert 'name="reason"' in response.text
    assert 'name="note"' in response.text
    assert status_of(comment) == "pending"
    assert ModerationAction.objects.count() == before


def test_the_form_page_records_a_reason_and_a_note(admin, staff_user, article):
    comment = make_comment(article)

    response = admin.post(
        moderate_url(comment),
        {"status": "removed", "reason": "misinformation", "note": "Fabricated quote", "next": ""},
    )

    assert response.status_code == 302
    action = latest_action(comment)
    assert (action.to_status, action.reason, action.note, action.actor) == (
        "removed",
        "misinformation",
        "Fabricated quote",
        staff_user,
    )


def test_the_form_page_shows_errors_for_a_bad_status(admin, article):
    comment = make_comment(article, status="pending")

    response = admin.post(moderate_url(comment), {"status": "deleted", "reason": ""})

    assert response.status_code == 200
    assert "errorlist" in response.text
    assert status_of(comment) == "pending"


def test_the_moderate_view_needs_a_csrf_token(staff_user, article):
    comment = make_comment(article, status="pending")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)

    response = client.post(moderate_url(comment), {"decision": "approved:"})

    assert response.status_code == 403
    assert status_of(comment) == "pending"


def test_readers_cannot_use_the_moderate_view(client, article):
    comment = make_comment(article, status="pending")
    client.force_login(UserFactory())

    response = client.post(moderate_url(comment), {"decision": "approved:"})

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert status_of(comment) == "pending"


def test_staff_without_the_change_permission_cannot_moderate(client, article):
    comment = make_comment(article, status="pending")
    viewer = StaffUserFactory(is_superuser=False)
    client.force_login(viewer)

    response = client.post(moderate_url(comment), {"decision": "approved:"})

    assert response.status_code == 403
    assert status_of(comment) == "pending"


def test_moderating_an_unknown_comment_is_404(admin):
    assert admin.post(f"{CHANGELIST}987654/moderate/", {"decision": "approved:"}).status_code == 404


# --- the bulk action with a reason ----------------------------------------------------------------


def bulk(admin, comments, **extra):
    data = {"action": "moderate_with_reason", "_selected_action": [str(c.pk) for c in comments]}
    return admin.post(CHANGELIST, {**data, **extra})


def test_the_bulk_action_first_asks_for_the_reason(admin, article):
    comments = [make_comment(article, status="pending") for _ in range(2)]

    response = admin_action(admin, "moderate_with_reason", comments, changelist=CHANGELIST)

    assert response.status_code == 200
    assert "2 comments selected" in text_of(response)
    assert 'name="reason"' in response.text
    assert {status_of(c) for c in comments} == {"pending"}


def test_the_bulk_action_applies_status_reason_and_note(admin, staff_user, article):
    comments = [make_comment(article) for _ in range(3)]
    spared = make_comment(article)

    response = bulk(
        admin,
        comments,
        apply="Apply",
        status="removed",
        reason="harassment",
        note="Pile-on in the thread",
    )

    assert response.status_code == 302
    assert {status_of(c) for c in comments} == {"removed"}
    assert status_of(spared) == "approved"
    rows = ModerationAction.objects.filter(comment__in=comments, to_status="removed")
    assert set(rows.values_list("actor", "reason", "note")) == {
        (staff_user.pk, "harassment", "Pile-on in the thread")
    }
    assert rows.count() == 3


def test_the_bulk_action_with_a_bad_reason_asks_again(admin, article):
    comment = make_comment(article, status="pending")

    response = bulk(admin, [comment], apply="Apply", status="removed", reason="rude")

    assert response.status_code == 200
    assert "errorlist" in response.text
    assert status_of(comment) == "pending"


# --- the audit trail on the comment's page ---------------------------------------------------------


def test_the_change_page_shows_the_audit_trail(admin, staff_user, article):
    comment = held_for_links(article)
    moderating.comments_moderate(
        ids=[comment.pk], status="removed", moderator=staff_user, reason="other", note="Ad"
    )

    response = admin.get(f"{CHANGELIST}{comment.pk}/change/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Audit trail" in text
    assert "link limit" in text  # the deciding check, in words
    assert "comments.moderation.too_many_links" not in text
    assert "Ad" in text
    assert staff_user.username in text
    # Read-only: no inputs for the trail's rows.
    assert 'name="actions-0-note"' not in response.text


def test_the_change_form_records_a_status_change_with_its_reason(admin, staff_user, article):
    comment = make_comment(article)

    response = admin.post(
        f"{CHANGELIST}{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": comment.body,
            "status": "removed",
            "change_reason": "off_topic",
            "change_note": "Belongs under the other story",
            "flags-TOTAL_FORMS": "0",
            "flags-INITIAL_FORMS": "0",
            "flags-MIN_NUM_FORMS": "0",
            "flags-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.content
    action = latest_action(comment)
    assert (action.to_status, action.reason, action.note, action.actor) == (
        "removed",
        "off_topic",
        "Belongs under the other story",
        staff_user,
    )


def test_the_change_page_takes_the_same_queries_for_a_short_or_long_trail(
    admin, staff_user, article, django_assert_num_queries
):
    short = make_comment(article, status="pending")
    moderating.comments_moderate(ids=[short.pk], status="approved", moderator=staff_user)
    long = make_comment(article, status="pending")
    for status in ["approved", "spam", "approved", "removed", "pending"] * 3:
        moderating.comments_moderate(
            ids=[long.pk], status=status, moderator=StaffUserFactory(), reason="other"
        )

    admin.get(f"{CHANGELIST}{short.pk}/change/")  # warms Django's content-type cache

    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        assert admin.get(f"{CHANGELIST}{short.pk}/change/").status_code == 200
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        assert admin.get(f"{CHANGELIST}{long.pk}/change/").status_code == 200


# session, user, the comment, the trail (with its actors in the same query), the flags,
# the article and the moderator shown read-only.
CHANGE_PAGE_QUERIES = 7


# --- the list's cost ----------------------------------------------------------------------------------


def test_the_queue_takes_the_same_queries_for_one_or_many_comments(
    admin, staff_user, django_assert_num_queries
):
    first = make_comment(ArticleFactory(), status="pending")
    moderating.comments_moderate(ids=[first.pk], status="removed", moderator=staff_user)
    with django_assert_num_queries(QUEUE_QUERIES):
        assert admin.get(CHANGELIST).status_code == 200

    for n in range(20):
        comment = make_comment(ArticleFactory(), status="pending", link_count=n % 3)
        moderating.comments_moderate(ids=[comment.pk], status="spam", moderator=StaffUserFactory())
    with django_assert_num_queries(QUEUE_QUERIES):
        assert admin.get(CHANGELIST).status_code == 200


def test_the_pending_queue_takes_the_same_queries_for_one_or_many(admin, django_assert_num_queries):
    make_comment(ArticleFactory(), status="pending", flag_count=1)
    with django_assert_num_queries(QUEUE_QUERIES):
        admin.get(CHANGELIST, {"status__exact": "pending"})

    for n in range(20):
        make_comment(ArticleFactory(), status="pending", new_commenter=bool(n % 2))
    with django_assert_num_queries(QUEUE_QUERIES):
        response = admin.get(CHANGELIST, {"status__exact": "pending"})
    assert len(row_order(response)) == 21


# session, user, the article filter's choices, the filtered and the total counts, the
# page of comments (with article and moderator), the date hierarchy's range and dates.
QUEUE_QUERIES = 8
