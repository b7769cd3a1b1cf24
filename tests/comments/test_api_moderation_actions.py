"""The staff API of the audit trail (GET /api/v1/moderation/actions/) and moderating with a
reason and note (PATCH /api/v1/moderation/comments/{id}/, POST .../bulk/), plus the queue's
priority order."""

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments import moderating, services
from comments.models import Comment, ModerationAction
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIONS_URL = "/api/v1/moderation/actions/"
MODERATION_URL = "/api/v1/moderation/comments/"
BULK_URL = MODERATION_URL + "bulk/"


@pytest.fixture
def article():
    return ArticleFactory(slug="the-story")


@pytest.fixture
def moderator(staff_user):
    return staff_user


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def staff_decision(comment, status, moderator, **kwargs) -> ModerationAction:
    moderating.comments_moderate(ids=[comment.pk], status=status, moderator=moderator, **kwargs)
    return ModerationAction.objects.filter(comment_id=comment.pk).latest("id")


# --- who may read it ------------------------------------------------------------------------


def test_anonymous_callers_are_refused(api_client, article):
    make_comment(article)

    response = api_client.get(ACTIONS_URL)

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}


def test_signed_in_readers_are_refused(article):
    make_comment(article)
    client = APIClient()
    client.force_login(UserFactory())

    assert client.get(ACTIONS_URL).status_code == 403


def test_readers_with_a_token_are_refused(article):
    token = Token.objects.create(user=UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(ACTIONS_URL).status_code == 403


def test_staff_with_a_token_may_read_it(article):
    make_comment(article)
    token = Token.objects.create(user=StaffUserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(ACTIONS_URL).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_trail_cannot_be_written_through_the_api(staff_client, article, method):
    action = staff_decision(make_comment(article), "removed", None)

    response = getattr(staff_client, method)(f"{ACTIONS_URL}{action.pk}/", {}, format="json")
    listing = getattr(staff_client, method)(ACTIONS_URL, {}, format="json")

    assert response.status_code in (404, 405)
    assert listing.status_code == 405
    assert ModerationAction.objects.filter(pk=action.pk).exists()


# --- what it lists --------------------------------------------------------------------------


def test_rows_carry_who_what_and_why_newest_first(staff_client, moderator, article):
    comment = make_comment(article, status="pending")  # stored directly: no row yet
    decision = staff_decision(comment, "removed", moderator, reason="harassment", note="Threats")

    response = staff_client.get(ACTIONS_URL)

    assert ids(response)[:1] == [decision.pk]
    item = response.json()["results"][0]
    assert item == {
        "id": decision.pk,
        "comment": comment.pk,
        "article": "the-story",
        "from_status": "pending",
        "to_status": "removed",
        "actor": moderator.username,
        "reason": "harassment",
        "step": "",
        "note": "Threats",
        "created_at": item["created_at"],
    }


def test_pipeline_rows_have_no_actor_and_name_the_step(staff_client, article):
    set_policy(flood_interval_seconds=0, approved_comments_required=0, hold_link_count=1)
    created = services.comment_create(
        article=article,
        author_name="Ada",
        author_email="ada@example.com",
        body="Look: https://example.com/x",
    )

    response = staff_client.get(ACTIONS_URL, {"comment": created.comment.pk})

    [item] = response.json()["results"]
    assert item["actor"] is None
    assert item["from_status"] == ""
    assert item["to_status"] == "pending"
    assert item["step"] == "comments.moderation.too_many_links"
    assert item["reason"] == "links"


def test_nothing_private_about_the_commenter_is_in_a_row(staff_client, article):
    comment = make_comment(article, author_email="secret@example.org", ip_address="192.0.2.99")
    staff_decision(comment, "spam", None)

    body = staff_client.get(ACTIONS_URL).content.decode()

    # Staff may see these elsewhere; the trail itself has no need of them.
    assert "secret@example.org" not in body
    assert "192.0.2.99" not in body


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def trail(article, moderator):
    """A small history: pipeline rows (make_comment approves through the service, actor
    none) and staff decisions with reasons, on two articles."""
    other_mod = StaffUserFactory(username="mod-bob")
    a = make_comment(article, status="pending")
    b = make_comment(article)
    c = make_comment(ArticleFactory(slug="elsewhere"))
    return {
        "comments": (a, b, c),
        "offensive": staff_decision(a, "removed", moderator, reason="offensive"),
        "spam": staff_decision(b, "spam", other_mod),
        "restored": staff_decision(b, "approved", other_mod, note="False alarm"),
        "moderators": (moderator, other_mod),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"reason": "offensive"}, ["offensive"]),
        ({"reason": "spam"}, ["spam"]),
        ({"to_status": "approved", "by": "staff"}, ["restored"]),
        ({"from_status": "spam"}, ["restored"]),
        ({"actor": "mod-bob"}, ["restored", "spam"]),
        (
            {"by": "staff", "created_after": "2000-01-01T00:00:00Z"},
            ["restored", "spam", "offensive"],
        ),
    ],
)
def test_filters_select_the_matching_rows(staff_client, trail, params, expected):
    response = staff_client.get(ACTIONS_URL, params)

    assert ids(response) == [trail[name].pk for name in expected]


def test_filter_by_comment_and_by_article(staff_client, trail):
    a, b, c = trail["comments"]

    by_comment = ids(staff_client.get(ACTIONS_URL, {"comment": b.pk}))
    by_article = ids(staff_client.get(ACTIONS_URL, {"article": "elsewhere"}))

    assert by_comment[:2] == [trail["restored"].pk, trail["spam"].pk]
    assert set(
        ModerationAction.objects.filter(pk__in=by_comment).values_list("comment", flat=True)
    ) == {b.pk}
    assert set(
        ModerationAction.objects.filter(pk__in=by_article).values_list("comment", flat=True)
    ) == {c.pk}


def test_filter_pipeline_rows_and_first_decisions(staff_client, article):
    set_policy(flood_interval_seconds=0, approved_comments_required=0)
    created = services.comment_create(
        article=article, author_name="Ada", author_email="ada@example.com", body="Hello"
    )
    staff_decision(created.comment, "approved", StaffUserFactory())

    pipeline = ids(staff_client.get(ACTIONS_URL, {"by": "pipeline", "from_status": "new"}))

    assert pipeline == [ModerationAction.objects.get(comment=created.comment, from_status="").pk]


@pytest.mark.parametrize("step", ["comments.moderation.policy_default", "policy_default"])
def test_filter_by_step_path_or_short_name(staff_client, article, step):
    set_policy(flood_interval_seconds=0, approved_comments_required=0)
    created = services.comment_create(
        article=article, author_name="Ada", author_email="ada@example.com", body="Hello"
    )
    make_comment(article)

    response = staff_client.get(ACTIONS_URL, {"step": step})

    assert ids(response) == [ModerationAction.objects.get(comment=created.comment).pk]


def test_filter_by_time_window(staff_client, trail):
    now = timezone.now()
    old = trail["offensive"]
    ModerationAction.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=10))

    before = ids(
        staff_client.get(ACTIONS_URL, {"created_before": (now - timedelta(days=5)).isoformat()})
    )
    after = ids(
        staff_client.get(ACTIONS_URL, {"created_after": (now - timedelta(days=5)).isoformat()})
    )

    assert before == [old.pk]
    assert old.pk not in after
    assert trail["restored"].pk in after


@pytest.mark.parametrize(
    "params",
    [
        {"reason": "rude"},
        {"to_status": "deleted"},
        {"from_status": "gone"},
        {"actor": "nobody-by-that-name"},
        {"article": "no-such-article"},
        {"comment": "abc"},
        {"comment": "0"},
        {"comment": str(2**63)},
        {"by": "robots"},
        {"created_after": "yesterday"},
        {"created_before": "0001-01-01T00:00:00+05:00"},
        {"step": "x" * 201},
    ],
)
def test_an_unknown_filter_value_is_a_400_naming_the_parameter(staff_client, trail, params):
    response = staff_client.get(ACTIONS_URL, params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


# --- pagination --------------------------------------------------------------------------------


def walk(client, url, params=None, direction="next") -> list[list[int]]:
    pages = []
    response = client.get(url, params)
    while True:
        pages.append(ids(response))
        link = response.json()[direction]
        if not link:
            return pages
        response = client.get(link)


def test_walking_every_page_returns_every_row_once_newest_first(staff_client, moderator, article):
    # One bulk decision: many rows with the very same created_at.
    comments = [make_comment(article, status="pending") for _ in range(7)]
    moderating.comments_moderate(
        ids=[c.pk for c in comments], status="approved", moderator=moderator
    )
    expected = list(
        ModerationAction.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    )

    pages = walk(staff_client, ACTIONS_URL, {"page_size": 3})

    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == 3 for page in pages[:-1])
    assert len(expected) == 7


def test_previous_links_walk_back_the_same_pages(staff_client, moderator, article):
    comments = [make_comment(article, status="pending") for _ in range(5)]
    moderating.comments_moderate(
        ids=[c.pk for c in comments], status="removed", moderator=moderator
    )
    forward = walk(staff_client, ACTIONS_URL, {"page_size": 2})

    last = staff_client.get(ACTIONS_URL, {"page_size": 2})
    while last.json()["next"]:
        last = staff_client.get(last.json()["next"])
    backward = [ids(last)]
    response = last
    while response.json()["previous"]:
        response = staff_client.get(response.json()["previous"])
        backward.append(ids(response))

    assert list(reversed(backward)) == forward


def test_rows_added_between_pages_do_not_shift_the_walk(staff_client, moderator, article):
    comments = [make_comment(article, status="pending") for _ in range(4)]
    moderating.comments_moderate(
        ids=[c.pk for c in comments], status="approved", moderator=moderator
    )
    first = staff_client.get(ACTIONS_URL, {"page_size": 3})
    seen = ids(first)

    staff_decision(comments[0], "removed", moderator)  # newer than everything listed
    rest = walk(staff_client, first.json()["next"])

    everything = seen + [pk for page in rest for pk in page]
    assert len(everything) == len(set(everything)) == 4  # the new row is before page one


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        _cursor("p=not-a-date&i=1"),
        _cursor("p=2024-01-01T00:00:00Z"),
        _cursor("i=5"),
        _cursor("p=2024-01-01T00:00:00Z&i=-1"),
        _cursor(f"p=2024-01-01T00:00:00Z&i={2**63}"),
        _cursor("p=0001-01-01T00:00:00+05:00&i=1"),
        _cursor("p=2024-01-01T00:00:00Z&i=1&x=1"),
        _cursor("r=2"),
    ],
)
def test_a_forged_cursor_is_a_404_not_a_server_error(staff_client, trail, cursor):
    response = staff_client.get(ACTIONS_URL, {"cursor": cursor})

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_page_size_is_capped(staff_client, trail):
    response = staff_client.get(ACTIONS_URL, {"page_size": 100000})

    assert response.status_code == 200
    next_link = response.json()["next"]
    assert next_link is None or "page_size=200" in next_link


def test_the_next_link_carries_the_filters(staff_client, moderator, article):
    comments = [make_comment(article, status="pending") for _ in range(3)]
    moderating.comments_moderate(
        ids=[c.pk for c in comments], status="removed", moderator=moderator
    )

    response = staff_client.get(ACTIONS_URL, {"to_status": "removed", "page_size": 2})

    query = parse_qs(urlsplit(response.json()["next"]).query)
    assert query["to_status"] == ["removed"]
    rest = walk(staff_client, response.json()["next"])
    assert len(ids(response)) + sum(len(page) for page in rest) == 3


# --- cost -------------------------------------------------------------------------------------


def test_the_list_takes_the_same_queries_for_one_row_or_many(
    staff_client, moderator, article, django_assert_num_queries
):
    staff_decision(make_comment(article, status="pending"), "removed", moderator, reason="other")
    with django_assert_num_queries(ACTIONS_LIST_QUERIES):
        assert len(ids(staff_client.get(ACTIONS_URL))) == 1

    for _ in range(20):
        comment = make_comment(ArticleFactory(), status="pending")
        staff_decision(comment, "spam", StaffUserFactory())
    with django_assert_num_queries(ACTIONS_LIST_QUERIES):
        assert len(ids(staff_client.get(ACTIONS_URL))) == 21


def test_filters_add_a_fixed_number_of_queries(staff_client, trail, django_assert_num_queries):
    # actor and article are checked against their tables (an unknown value is a 400).
    with django_assert_num_queries(ACTIONS_LIST_QUERIES + 2):
        response = staff_client.get(ACTIONS_URL, {"actor": "mod-bob", "article": "the-story"})
    assert ids(response) == [trail["restored"].pk, trail["spam"].pk]


# session, user, the page (actions joined to their actor, comment and article)
ACTIONS_LIST_QUERIES = 3


# --- moderating with a reason through the staff API ---------------------------------------------


def test_patch_with_a_reason_and_note_records_them(staff_client, moderator, article):
    comment = make_comment(article, status="pending")

    response = staff_client.patch(
        f"{MODERATION_URL}{comment.pk}/",
        {"status": "removed", "reason": "off_topic", "note": "About another story"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["moderation_reason"], body["moderation_step"]) == ("off_topic", "")
    action = ModerationAction.objects.filter(comment=comment).latest("id")
    assert (action.actor, action.reason, action.note) == (
        moderator,
        "off_topic",
        "About another story",
    )


def test_patch_without_a_reason_still_works(staff_client, article):
    comment = make_comment(article, status="pending")

    response = staff_client.patch(
        f"{MODERATION_URL}{comment.pk}/", {"status": "approved"}, format="json"
    )

    assert response.status_code == 200
    assert ModerationAction.objects.filter(comment=comment).latest("id").reason == ""


def test_bulk_with_a_reason_writes_a_row_per_comment(staff_client, moderator, article):
    comments = [make_comment(article) for _ in range(3)]

    response = staff_client.post(
        BULK_URL,
        {
            "ids": [c.pk for c in comments],
            "status": "removed",
            "reason": "misinformation",
            "note": "Debunked claim",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"updated": 3, "status": "removed"}
    rows = ModerationAction.objects.filter(comment__in=comments, to_status="removed")
    assert rows.count() == 3
    assert set(rows.values_list("actor", "reason", "note")) == {
        (moderator.pk, "misinformation", "Debunked claim")
    }


@pytest.mark.parametrize(
    "extra",
    [{"reason": "rude"}, {"reason": 5}, {"note": "x" * 1001}, {"reason": None}],
    ids=["unknown-reason", "number", "long-note", "null"],
)
def test_bulk_with_a_bad_reason_or_note_is_400_and_changes_nothing(staff_client, article, extra):
    comment = make_comment(article, status="pending")
    before = ModerationAction.objects.count()

    response = staff_client.post(
        BULK_URL, {"ids": [comment.pk], "status": "removed", **extra}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == set(extra)
    assert Comment.objects.get(pk=comment.pk).status == "pending"
    assert ModerationAction.objects.count() == before


def test_staff_list_shows_the_new_fields(staff_client, article):
    comment = make_comment(article, status="pending")

    item = staff_client.get(f"{MODERATION_URL}{comment.pk}/").json()

    for field in (
        "moderation_step",
        "moderation_reason",
        "flag_count",
        "link_count",
        "new_commenter",
        "featured",
        "featured_at",
        "reaction_count",
    ):
        assert field in item


# --- the queue's priority order -------------------------------------------------------------------


def test_priority_order_puts_reports_then_links_then_new_commenters_then_oldest(
    staff_client, article
):
    plain_old = make_comment(article, status="pending")
    plain_new = make_comment(article, status="pending")
    newcomer = make_comment(article, status="pending", new_commenter=True)
    linked = make_comment(article, status="pending", link_count=3)
    linked_newcomer = make_comment(article, status="pending", link_count=3, new_commenter=True)
    reported = make_comment(article, status="pending", flag_count=1)
    much_reported = make_comment(article, status="pending", flag_count=4, link_count=0)

    response = staff_client.get(MODERATION_URL, {"status": "pending", "ordering": "priority"})

    assert ids(response) == [
        much_reported.pk,
        reported.pk,
        linked_newcomer.pk,
        linked.pk,
        newcomer.pk,
        plain_old.pk,
        plain_new.pk,
    ]


def test_default_order_is_still_newest_first(staff_client, article):
    older = make_comment(article, status="pending")
    newer = make_comment(article, status="pending", flag_count=3)

    assert ids(staff_client.get(MODERATION_URL)) == [newer.pk, older.pk]
    assert ids(staff_client.get(MODERATION_URL, {"ordering": "oldest"})) == [older.pk, newer.pk]


def test_an_unknown_ordering_is_400(staff_client, article):
    response = staff_client.get(MODERATION_URL, {"ordering": "loudest"})

    assert response.status_code == 400
    assert set(response.json()) == {"ordering"}


def test_priority_queue_takes_the_same_queries_for_one_or_many(
    staff_client, article, django_assert_num_queries
):
    make_comment(article, status="pending", flag_count=1)
    # session, user, count, page
    with django_assert_num_queries(4):
        staff_client.get(MODERATION_URL, {"status": "pending", "ordering": "priority"})
    for n in range(15):
        make_comment(ArticleFactory(), status="pending", link_count=n % 3)
    with django_assert_num_queries(4):
        response = staff_client.get(MODERATION_URL, {"status": "pending", "ordering": "priority"})
    assert response.json()["count"] == 16
