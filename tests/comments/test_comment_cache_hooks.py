"""The comment write paths tell the public response cache which articles changed: once
per write, only when what the public sees (the list, its order, the counts) changed."""

import pytest

from comments import cache as comments_cache
from comments import moderating, services
from comments.models import Comment
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Each thread invalidation the comments app asks for, as a set of article ids."""
    from articles.models import Article

    recorded: list[set[int]] = []

    def invalidate_threads(*, slugs=(), article_ids=()):
        ids = {int(pk) for pk in article_ids}
        ids.update(Article.objects.filter(slug__in=list(slugs)).values_list("pk", flat=True))
        recorded.append(ids)

    monkeypatch.setattr(comments_cache, "invalidate_threads", invalidate_threads)
    return recorded


def post(article, **fields):
    values = {
        "article": article,
        "author_name": "Ada",
        "author_email": "ada@example.com",
        "body": "A remark.",
    }
    return services.comment_create(**{**values, **fields})


def test_a_comment_published_at_once_notifies_its_article(calls, article):
    set_policy(default_status="approved", approved_comments_required=0, flood_interval_seconds=0)

    post(article)

    assert calls == [{article.pk}]


def test_a_held_comment_notifies_nothing(calls, article):
    set_policy(approved_comments_required=0)

    post(article)

    assert calls == []


def test_bulk_moderation_notifies_once_with_every_article_whose_list_changed(calls, article):
    other, untouched = ArticleFactory(), ArticleFactory()
    ours = make_comment(article, status="pending")
    theirs = make_comment(other, status="pending")
    make_comment(untouched, status="pending")
    calls.clear()

    moderating.comments_moderate(ids=[ours.pk, theirs.pk], status="approved")

    assert calls == [{article.pk, other.pk}]


def test_moderation_between_hidden_statuses_notifies_nothing(calls, article):
    comment = make_comment(article, status="pending")
    calls.clear()

    moderating.comments_moderate(ids=[comment.pk], status="spam")
    moderating.comments_moderate(ids=[comment.pk], status="removed")

    assert calls == []


def test_hiding_a_comment_notifies_its_article(calls, article):
    comment = make_comment(article)
    calls.clear()

    moderating.comments_moderate(ids=[comment.pk], status="removed")

    assert calls == [{article.pk}]


def test_an_edit_of_a_listed_comment_notifies_once(calls, article):
    set_policy(default_status="approved", approved_comments_required=0, flood_interval_seconds=0)
    comment = post(article).comment
    calls.clear()

    services.comment_edit(comment=comment, body="Better words.")

    assert calls == [{article.pk}]


def test_an_edit_of_a_held_comment_that_stays_held_notifies_nothing(calls, article):
    set_policy(approved_comments_required=0)
    comment = post(article).comment
    assert comment.status == Comment.Status.PENDING

    services.comment_edit(comment=comment, body="Still held.")

    assert calls == []


def test_featuring_notifies_and_unfeaturing_notifies(calls, article):
    comment = make_comment(article)
    calls.clear()

    moderating.comment_feature(comment=comment)
    moderating.comment_feature(comment=comment)  # already featured: nothing changes
    moderating.comment_unfeature(comment=comment)

    assert calls == [{article.pk}, {article.pk}]


def test_deleting_comments_notifies_once(calls, article):
    comments = [make_comment(article) for _ in range(3)]
    calls.clear()

    services.comments_delete(comments=Comment.objects.filter(pk__in=[c.pk for c in comments]))

    assert calls == [{article.pk}]


def test_a_staff_edit_in_the_admin_of_a_listed_comment_notifies(calls, admin, article):
    comment = make_comment(article)
    calls.clear()

    response = admin.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": "Typo fixed by staff",
            "status": "approved",
            "flags-TOTAL_FORMS": "0",
            "flags-INITIAL_FORMS": "0",
            "flags-MIN_NUM_FORMS": "0",
            "flags-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    assert calls == [{article.pk}]
