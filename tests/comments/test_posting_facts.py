"""The comment POST's one read (comments/posting_sql.py, SQL written once) answers what
the same questions asked through the ORM answer, for every shape it can take (#15)."""

from datetime import timedelta
from itertools import product

import pytest
from django.db.models import Count, Max, Q
from django.utils import timezone

from comments.models import Comment, ModerationPolicy
from comments.selectors import posting_facts
from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

EMAIL, IP = "ann@example.com", "203.0.113.9"


def _through_the_orm(*, email, since, now, excluding, flood_since, ip, same_words) -> tuple:
    """The aggregate as the ORM wrote it before #15 (the oracle)."""
    by_address = Q(author_email=email) & (~Q(pk=excluding) if excluding else Q())
    recent = Q(submitted_at__gte=since, submitted_at__lte=now)
    approved = Q(status="approved")
    rejected = Q(status="spam") | Q(status="removed", moderated_by__isnull=False)
    rows = Q(author_email=email)
    aggregates = {
        "approved": Count("pk", filter=by_address & approved),
        "decided": Count("pk", filter=by_address & recent & (approved | rejected)),
        "rejected": Count("pk", filter=by_address & recent & rejected),
    }
    if flood_since is not None:
        if ip:
            rows |= Q(ip_address=ip, submitted_at__gt=flood_since)
        aggregates["last"] = Max("submitted_at", filter=Q(submitted_at__gt=flood_since))
    if same_words is not None:
        aggregates["duplicates"] = Count(
            "pk", filter=Q(author_email=email, **same_words) & ~Q(status="removed")
        )
    got = Comment.objects.filter(rows).aggregate(**aggregates)
    return (
        got["approved"],
        got["decided"],
        got["rejected"],
        got.get("last"),
        bool(got.get("duplicates")),
    )


@pytest.fixture
def history():
    """Comments from the address and the IP in every status, old and recent."""
    now = timezone.now()
    article, other = ArticleFactory(), ArticleFactory()
    moderator = StaffUserFactory()
    parent = CommentFactory(article=article, author_email="x@example.com")
    rows = [
        ("approved", None, now - timedelta(days=400), article, None),
        ("approved", None, now - timedelta(days=2), article, None),
        ("spam", None, now - timedelta(days=3), article, None),
        ("removed", moderator, now - timedelta(days=4), other, None),
        ("removed", None, now - timedelta(days=5), other, None),  # withdrawn by the reader
        ("pending", None, now - timedelta(seconds=20), article, parent),
        ("approved", None, now - timedelta(seconds=5), article, None),
    ]
    made = [
        CommentFactory(
            article=where,
            parent=reply_to,
            depth=1 if reply_to else 0,
            author_email=EMAIL,
            author_name="Ann",
            body="Same words.",
            status=status,
            moderated_by=by,
            submitted_at=at,
            ip_address="198.51.100.1",
        )
        for status, by, at, where, reply_to in rows
    ]
    # Another reader on the same IP, just now: the flood check sees the IP's post too.
    CommentFactory(author_email="bob@example.com", ip_address=IP, submitted_at=now)
    return {"now": now, "article": article, "parent": parent, "comments": made}


@pytest.mark.parametrize(
    ("editing", "flood", "with_ip", "duplicate", "reply"),
    list(product([False, True], [False, True], [False, True], [False, True], [False, True])),
)
def test_the_sql_answers_as_the_orm_does(history, editing, flood, with_ip, duplicate, reply):
    now = history["now"]
    policy = ModerationPolicy.load()
    since = now - timedelta(days=max(policy.rejection_rate_window_days, 1))
    asked = {
        "email": EMAIL,
        "now": now,
        "excluding": history["comments"][1].pk if editing else None,
        "flood_since": now - timedelta(seconds=30) if flood else None,
        "ip": IP if with_ip else None,
        "same_words": {
            "article": history["article"],
            "parent_id": history["parent"].pk if reply else None,
            "author_name": "Ann",
            "body": "Same words.",
        }
        if duplicate
        else None,
    }

    facts = posting_facts(
        email=asked["email"],
        policy=policy,
        now=now,
        ip_address=asked["ip"],
        flood_since=asked["flood_since"],
        same_words=asked["same_words"],
        excluding_comment_id=asked["excluding"],
    )

    expected = _through_the_orm(since=since, **asked)
    got = (
        facts.history.approved,
        facts.history.recent_decided,
        facts.history.recent_rejected,
        facts.last_post_at,
        facts.duplicate,
    )
    assert got == expected
    # And the fixture makes each answer mean something (none is trivially zero).
    assert expected[0] >= 1 and expected[1] >= 1 and expected[2] >= 1
    if flood:
        assert expected[3] is not None
    if duplicate:
        assert expected[4] is True


def test_the_latest_post_is_an_aware_datetime_on_every_database(history):
    facts = posting_facts(
        email=EMAIL,
        policy=ModerationPolicy.load(),
        now=history["now"],
        ip_address=IP,
        flood_since=history["now"] - timedelta(minutes=1),
    )
    assert facts.last_post_at is not None and facts.last_post_at.utcoffset() == timedelta(0)
    assert abs(facts.last_post_at - history["now"]) < timedelta(seconds=1)
