"""comments.services: validation on posting, moderation, flags and the counters they keep.

The invariants checked throughout:
- `Article.comment_count` equals a fresh COUNT of the article's approved comments;
- `Comment.is_listed` is "approved, and every ancestor listed".
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, CommentFlag, ModerationPolicy
from comments.moderating import comment_moderate, comments_moderate
from comments.services import (
    USER_AGENT_MAX,
    CommentRefused,
    comment_counts_refresh,
    comment_create,
    comment_flag,
    comments_delete,
)
from tests.comments.factories import CommentFactory
from tests.comments.helpers import status_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

APPROVED = Comment.Status.APPROVED
PENDING = Comment.Status.PENDING
SPAM = Comment.Status.SPAM
REMOVED = Comment.Status.REMOVED


# --- helpers -------------------------------------------------------------------------


_posted = iter(range(1, 1_000_000))


def post(article, **overrides):
    """comment_create as a new reader each time (own name, email, IP and body)."""
    n = next(_posted)
    fields = {
        "article": article,
        "author_name": f"Poster {n}",
        "author_email": f"poster{n}@example.com",
        "body": f"Remark number {n}.",
        "ip_address": f"192.0.2.{n % 250 + 1}",
        "user_agent": "Mozilla/5.0 TestBrowser",
    }
    fields.update(overrides)
    return comment_create(**fields).comment


def pending(**kwargs) -> Comment:
    return CommentFactory(status=PENDING, is_listed=False, **kwargs)


def reply(parent: Comment, **kwargs) -> Comment:
    """A stored reply to `parent`, listed when approved under a listed parent."""
    kwargs.setdefault("status", APPROVED)
    kwargs.setdefault("is_listed", kwargs["status"] == APPROVED and parent.is_listed)
    return CommentFactory(article=parent.article, parent=parent, depth=parent.depth + 1, **kwargs)


def approved_in_db(article: Article) -> int:
    return Comment.objects.filter(article=article, status=APPROVED).count()


def assert_counts_match(*articles: Article) -> None:
    for article in articles:
        stored = Article.objects.values_list("comment_count", flat=True).get(pk=article.pk)
        assert stored == approved_in_db(article), f"comment_count of article {article.pk}"


def listed_ids(*comments: Comment) -> set[int]:
    return set(
        Comment.objects.filter(pk__in=[c.pk for c in comments], is_listed=True).values_list(
            "pk", flat=True
        )
    )


# --- comment_create: validation ------------------------------------------------------


def test_body_longer_than_policy_max_is_a_body_error(article, policy):
    policy.max_body_length = 20
    policy.save()

    with pytest.raises(ValidationError) as error:
        post(article, body="x" * 21)

    assert "body" in error.value.message_dict
    assert not Comment.objects.exists()


def test_body_of_exactly_policy_max_is_accepted(article, policy):
    policy.max_body_length = 20
    policy.save()

    comment = post(article, body="x" * 20)

    assert comment.body == "x" * 20


def test_parent_on_another_article_is_a_parent_error(article, policy):
    elsewhere = CommentFactory()

    with pytest.raises(ValidationError) as error:
        post(article, parent_id=elsewhere.pk)

    assert "parent" in error.value.message_dict
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", [PENDING, SPAM, REMOVED])
def test_parent_that_is_not_approved_is_a_parent_error(article, policy, status):
    parent = CommentFactory(article=article, status=status, is_listed=False)

    with pytest.raises(ValidationError) as error:
        post(article, parent_id=parent.pk)

    assert "parent" in error.value.message_dict


def test_parent_hidden_by_a_removed_ancestor_is_a_parent_error(article, policy):
    top = CommentFactory(article=article, status=REMOVED, is_listed=False)
    hidden = reply(top)  # approved, but not listed
    assert hidden.is_listed is False

    with pytest.raises(ValidationError) as error:
        post(article, parent_id=hidden.pk)

    assert "parent" in error.value.message_dict


def test_unknown_parent_id_is_a_parent_error(article, policy):
    with pytest.raises(ValidationError) as error:
        post(article, parent_id=987654)

    assert "parent" in error.value.message_dict


def test_replies_nest_five_levels_deep_and_no_deeper(article, policy):
    assert policy.max_depth == 5
    policy.default_status = APPROVED
    policy.approved_comments_required = 0  # no new-commenter hold
    policy.save()

    thread = [post(article)]
    for _ in range(4):
        thread.append(post(article, parent_id=thread[-1].pk))

    assert [c.depth for c in thread] == [0, 1, 2, 3, 4]
    assert all(c.is_listed for c in thread)
    with pytest.raises(ValidationError) as error:
        post(article, parent_id=thread[-1].pk)
    assert "parent" in error.value.message_dict
    assert Comment.objects.count() == 5


def test_max_depth_one_allows_no_replies(article, policy):
    policy.max_depth = 1
    policy.save()
    top = CommentFactory(article=article)

    with pytest.raises(ValidationError) as error:
        post(article, parent_id=top.pk)

    assert "parent" in error.value.message_dict


def test_email_is_stored_lower_cased_and_trimmed(article, policy):
    comment = post(article, author_email="  Ada.Reader@Example.COM ")

    comment.refresh_from_db()
    assert comment.author_email == "ada.reader@example.com"


def test_user_agent_is_truncated_to_512_characters(article, policy):
    comment = post(article, user_agent="A" * 600)

    comment.refresh_from_db()
    assert USER_AGENT_MAX == 512
    assert comment.user_agent == "A" * 512


def test_refused_comment_stores_nothing_and_names_the_reason(policy):
    article = ArticleFactory(comments_enabled=False)

    with pytest.raises(CommentRefused) as refused:
        post(article)

    assert refused.value.kind == "closed"
    assert not Comment.objects.exists()


# --- comment_create: counters and listing --------------------------------------------


def test_comment_count_grows_only_with_approved_comments(article, policy):
    policy.blocklist_keywords = "casino"
    policy.save()

    post(article)  # pending: the policy default
    post(article, body="casino")  # spam
    article.refresh_from_db()
    assert article.comment_count == 0
    assert article.comments_changed_at is None

    policy.default_status = APPROVED
    policy.approved_comments_required = 0  # no new-commenter hold
    policy.save()
    approved = post(article)

    article.refresh_from_db()
    assert approved.status == APPROVED
    assert article.comment_count == 1
    assert article.comments_changed_at is not None
    assert_counts_match(article)


def test_reply_under_an_approved_parent_is_listed(article, policy):
    policy.default_status = APPROVED
    policy.approved_comments_required = 0  # no new-commenter hold
    policy.save()
    parent = CommentFactory(article=article)

    child = post(article, parent_id=parent.pk)

    child.refresh_from_db()
    assert child.parent_id == parent.pk
    assert child.depth == 1
    assert child.is_listed is True


def test_pending_reply_is_not_listed(article, policy):
    parent = CommentFactory(article=article)

    child = post(article, parent_id=parent.pk)

    assert child.status == PENDING
    assert child.is_listed is False


def test_anonymous_user_is_not_stored_as_the_commenter(article, policy):
    from django.contrib.auth.models import AnonymousUser

    comment = post(article, user=AnonymousUser())

    assert comment.user is None


def test_signed_in_reader_is_stored_as_the_commenter(article, policy, regular_user):
    comment = post(article, user=regular_user)

    comment.refresh_from_db()
    assert comment.user == regular_user


# --- comments_moderate ---------------------------------------------------------------


def test_moderation_transitions_keep_comment_count_equal_to_approved_rows(policy):
    first, second = ArticleFactory(), ArticleFactory()
    comments = [
        CommentFactory(article=article, status=status, is_listed=status == APPROVED)
        for article in (first, second)
        for status in (APPROVED, APPROVED, PENDING, SPAM, REMOVED, PENDING)
    ]
    comment_counts_refresh(article_ids=[first.pk, second.pk])
    assert_counts_match(first, second)
    ids = [c.pk for c in comments]

    transitions = [
        (ids, APPROVED),
        (ids[:3] + ids[6:9], SPAM),
        (ids[::2], REMOVED),
        (ids[1:8], APPROVED),
        (ids, PENDING),
        (ids[::3], APPROVED),
        (ids[4:10], APPROVED),
        (ids[::2], APPROVED),
        (ids[1::2], REMOVED),
        (ids, APPROVED),
        (ids[5:], SPAM),
    ]
    for chosen, status in transitions:
        before = dict(Comment.objects.filter(pk__in=chosen).values_list("pk", "status"))

        changed = comments_moderate(ids=chosen, status=status)

        assert {c.pk for c in changed} == {pk for pk, old in before.items() if old != status}
        assert set(Comment.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {
            status
        }
        assert_counts_match(first, second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.comment_count == 5
    assert second.comment_count == 0


def test_bulk_moderation_across_two_articles_updates_both_counts(policy):
    first, second = ArticleFactory(), ArticleFactory()
    on_first = [pending(article=first) for _ in range(3)]
    on_second = [pending(article=second) for _ in range(2)]

    comments_moderate(ids=[c.pk for c in on_first + on_second], status=APPROVED)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.comment_count, second.comment_count) == (3, 2)
    assert listed_ids(*on_first, *on_second) == {c.pk for c in on_first + on_second}

    comments_moderate(ids=[on_first[0].pk, on_second[0].pk, on_second[1].pk], status=SPAM)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.comment_count, second.comment_count) == (2, 0)
    assert_counts_match(first, second)


def test_removing_a_parent_unlists_its_replies_and_relisting_restores_them(article, policy):
    parent = CommentFactory(article=article)
    child = reply(parent)
    grandchild = reply(child)
    held_child = reply(parent, status=PENDING)
    sibling = CommentFactory(article=article)
    comment_counts_refresh(article_ids=[article.pk])
    everyone = (parent, child, grandchild, held_child, sibling)
    assert listed_ids(*everyone) == {parent.pk, child.pk, grandchild.pk, sibling.pk}

    comments_moderate(ids=[parent.pk], status=REMOVED)

    assert listed_ids(*everyone) == {sibling.pk}
    # The replies keep their own status; only their visibility follows the parent.
    assert status_of(child) == APPROVED
    assert status_of(grandchild) == APPROVED
    assert_counts_match(article)

    comments_moderate(ids=[parent.pk], status=APPROVED)

    assert listed_ids(*everyone) == {parent.pk, child.pk, grandchild.pk, sibling.pk}
    assert_counts_match(article)


def test_approving_a_held_reply_under_a_listed_parent_lists_it_and_its_replies(article, policy):
    parent = CommentFactory(article=article)
    held = reply(parent, status=PENDING)
    below = reply(held)  # approved, unlisted while `held` is pending
    assert below.is_listed is False

    comments_moderate(ids=[held.pk], status=APPROVED)

    assert listed_ids(held, below) == {held.pk, below.pk}


def test_approving_a_reply_under_a_hidden_parent_keeps_it_unlisted(article, policy):
    parent = CommentFactory(article=article, status=SPAM, is_listed=False)
    held = reply(parent, status=PENDING)

    comments_moderate(ids=[held.pk], status=APPROVED)

    assert status_of(held) == APPROVED
    assert listed_ids(held) == set()


def test_moderating_a_parent_and_its_reply_together(article, policy):
    parent = pending(article=article)
    child = reply(parent, status=PENDING)
    grandchild = reply(child, status=PENDING)

    comments_moderate(ids=[grandchild.pk, parent.pk, child.pk], status=APPROVED)

    assert listed_ids(parent, child, grandchild) == {parent.pk, child.pk, grandchild.pk}
    assert_counts_match(article)


def test_moderation_records_who_and_when(article, policy, staff_user):
    comment = pending(article=article)
    before = timezone.now()

    changed = comments_moderate(ids=[comment.pk], status=APPROVED, moderator=staff_user)

    comment.refresh_from_db()
    assert [c.pk for c in changed] == [comment.pk]
    assert comment.moderated_by == staff_user
    assert comment.moderated_at is not None
    assert before <= comment.moderated_at <= timezone.now()


def test_moderation_without_a_moderator_records_only_when(article, policy):
    comment = pending(article=article)

    comments_moderate(ids=[comment.pk], status=SPAM)

    comment.refresh_from_db()
    assert comment.moderated_by is None
    assert comment.moderated_at is not None


def test_invalid_status_is_a_status_error(article, policy):
    comment = pending(article=article)

    with pytest.raises(ValidationError) as error:
        comments_moderate(ids=[comment.pk], status="published")

    assert "status" in error.value.message_dict
    assert status_of(comment) == PENDING


def test_unchanged_status_changes_nothing(article, policy, staff_user):
    comment = CommentFactory(article=article)

    changed = comments_moderate(ids=[comment.pk], status=APPROVED, moderator=staff_user)

    comment.refresh_from_db()
    assert changed == []
    assert comment.moderated_at is None
    assert comment.moderated_by is None


def test_unknown_ids_are_ignored(article, policy):
    assert comments_moderate(ids=[987654], status=APPROVED) == []


def test_comment_moderate_returns_the_fresh_comment(article, policy, staff_user):
    comment = pending(article=article)

    result = comment_moderate(comment=comment, status=APPROVED, moderator=staff_user)

    assert result.status == APPROVED
    assert result.is_listed is True
    assert result.moderated_by == staff_user
    assert_counts_match(article)


def test_moderation_query_count_does_not_grow_with_the_number_of_comments(
    article, policy, django_assert_num_queries
):
    one = [pending(article=article)]
    thirty = [pending(article=article) for _ in range(30)]

    with CaptureQueriesContext(connection) as for_one:
        comments_moderate(ids=[c.pk for c in one], status=APPROVED)
    with django_assert_num_queries(len(for_one.captured_queries)):
        comments_moderate(ids=[c.pk for c in thirty], status=APPROVED)

    assert listed_ids(*one, *thirty) == {c.pk for c in one + thirty}
    assert_counts_match(article)


# --- comments_delete and comment_counts_refresh --------------------------------------


def test_deleting_comments_recounts_the_articles(policy):
    first, second = ArticleFactory(), ArticleFactory()
    parent = CommentFactory(article=first)
    reply(parent)
    keep = CommentFactory(article=first)
    gone = CommentFactory(article=second)
    comment_counts_refresh(article_ids=[first.pk, second.pk])
    first.refresh_from_db()
    assert first.comment_count == 3

    comments_delete(comments=Comment.objects.filter(pk__in=[parent.pk, gone.pk]))

    first.refresh_from_db()
    second.refresh_from_db()
    assert list(Comment.objects.values_list("pk", flat=True)) == [keep.pk]
    assert (first.comment_count, second.comment_count) == (1, 0)


def test_count_refresh_repairs_a_wrong_counter(article, policy):
    CommentFactory(article=article)
    CommentFactory(article=article)
    pending(article=article)
    Article.objects.filter(pk=article.pk).update(comment_count=42)

    comment_counts_refresh(article_ids=[article.pk])

    article.refresh_from_db()
    assert article.comment_count == 2


# --- comment_flag --------------------------------------------------------------------


def test_flags_below_the_threshold_leave_the_comment_approved(article, policy):
    assert policy.flag_threshold == 3
    comment = CommentFactory(article=article)
    comment_counts_refresh(article_ids=[article.pk])

    assert comment_flag(comment=comment, ip_address="198.51.100.1") is True
    assert comment_flag(comment=comment, ip_address="198.51.100.2", reason="rude") is True

    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == APPROVED
    assert comment.is_listed is True
    assert article.comment_count == 1


def test_flags_at_the_threshold_return_the_comment_to_moderation(article, policy):
    comment = CommentFactory(article=article)
    child = reply(comment)
    comment_counts_refresh(article_ids=[article.pk])

    for n in range(1, 4):
        comment_flag(comment=comment, ip_address=f"198.51.100.{n}")

    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == PENDING
    assert listed_ids(comment, child) == set()
    assert article.comment_count == 1  # the reply is still approved
    assert_counts_match(article)


def test_same_reporter_flagging_twice_counts_once(article, policy):
    comment = CommentFactory(article=article)

    assert comment_flag(comment=comment, ip_address="198.51.100.1") is True
    assert comment_flag(comment=comment, ip_address="198.51.100.1") is False
    comment_flag(comment=comment, ip_address="198.51.100.2")
    assert comment_flag(comment=comment, ip_address="198.51.100.1") is False

    assert CommentFlag.objects.filter(comment=comment).count() == 2
    assert status_of(comment) == APPROVED


def test_reporters_without_an_address_count_as_one(article, policy):
    comment = CommentFactory(article=article)

    for _ in range(3):
        comment_flag(comment=comment, ip_address=None)

    assert CommentFlag.objects.filter(comment=comment).count() == 1
    assert status_of(comment) == APPROVED


def test_flagging_a_held_comment_records_the_flag_only(article, policy):
    comment = pending(article=article)

    for n in range(1, 5):
        comment_flag(comment=comment, ip_address=f"198.51.100.{n}")

    assert CommentFlag.objects.filter(comment=comment).count() == 4
    assert status_of(comment) == PENDING


def test_flag_reason_is_truncated_to_200_characters(article, policy):
    comment = CommentFactory(article=article)

    comment_flag(comment=comment, ip_address="198.51.100.1", reason="r" * 300)

    assert CommentFlag.objects.get(comment=comment).reason == "r" * 200


# --- the policy row ------------------------------------------------------------------


def test_policy_is_a_single_row_that_cannot_be_deleted(policy):
    other = ModerationPolicy(hold_link_count=7)
    other.save()

    assert ModerationPolicy.objects.count() == 1
    assert ModerationPolicy.load().hold_link_count == 7
    with pytest.raises(RuntimeError):
        ModerationPolicy.load().delete()


def test_policy_row_exists_after_migrations_so_reads_never_write(db):
    assert ModerationPolicy.objects.filter(pk=1).exists()


def test_missing_policy_row_is_recreated_from_the_settings_defaults(db, settings):
    ModerationPolicy.objects.all().delete()  # queryset delete: the row's own delete() refuses
    settings.COMMENTS_DEFAULTS = {**settings.COMMENTS_DEFAULTS, "flag_threshold": 9}

    assert ModerationPolicy.load().flag_threshold == 9


def test_flood_applies_through_comment_create(article):
    now = timezone.now()
    comment_create(
        article=article,
        author_name="Ada",
        author_email="ada@example.com",
        body="First.",
        ip_address="192.0.2.1",
        now=now - timedelta(seconds=2),
    )

    with pytest.raises(CommentRefused) as refused:
        comment_create(
            article=article,
            author_name="Ada",
            author_email="ADA@example.com",
            body="Second.",
            ip_address="192.0.2.99",
            now=now,
        )

    assert refused.value.kind == "flood"


def test_a_moderators_approval_clears_old_flags_so_one_new_report_does_not_hide_it(
    article, policy, staff_user
):
    comment = CommentFactory(article=article)
    comment_counts_refresh(article_ids=[article.pk])
    for n in range(1, 4):
        comment_flag(comment=comment, ip_address=f"198.51.100.{n}")
    comment.refresh_from_db()
    assert comment.status == PENDING

    comments_moderate(ids=[comment.pk], status=Comment.Status.APPROVED, moderator=staff_user)
    assert not CommentFlag.objects.filter(comment=comment).exists()
    comment_flag(comment=comment, ip_address="198.51.100.50")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_approval_by_the_pipeline_itself_keeps_flags(article, policy):
    comment = CommentFactory(article=article, status=PENDING, is_listed=False)
    CommentFlag.objects.create(comment=comment, ip_address="198.51.100.9")

    comments_moderate(ids=[comment.pk], status=Comment.Status.APPROVED)

    assert CommentFlag.objects.filter(comment=comment).count() == 1
