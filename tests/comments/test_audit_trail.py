"""The moderation audit trail: one ModerationAction row per status change of a comment,
from the pipeline (with the deciding step and its reason code) and from staff (with the
actor, reason and note); one row for each edit by the author, status changed or not;
none when nothing changes."""

import pytest
from django.core.exceptions import ValidationError

from comments import moderating, services
from comments.models import Comment, CommentFlag, ModerationAction
from tests.comments.helpers import make_comment, set_policy, status_of
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

EDIT_STEP = "comments.services.comment_edit"
TWO_LINKS = "See https://one.example/a and https://two.example/b for more."


@pytest.fixture(autouse=True)
def policy():
    # Whatever the rules for first-time commenters, these tests look at one step at a time.
    return set_policy(flood_interval_seconds=0, approved_comments_required=0)


@pytest.fixture
def moderator():
    return StaffUserFactory(username="mod-ada")


def post(article, **fields):
    values = {
        "article": article,
        "author_name": "Ada",
        "author_email": "ada@example.com",
        "body": "A thoughtful remark.",
        "ip_address": "192.0.2.10",
    }
    values.update(fields)
    return services.comment_create(**values)


def actions_of(comment) -> list[ModerationAction]:
    """The comment's rows, oldest first."""
    return list(ModerationAction.objects.filter(comment_id=comment.pk).order_by("created_at", "id"))


def row(action: ModerationAction) -> tuple:
    return (action.from_status, action.to_status, action.actor_id, action.reason, action.step)


# --- the pipeline's decision when a comment is posted -----------------------------------------


def test_a_comment_held_for_links_gets_a_row_naming_the_step_and_code(article):
    created = post(article, body=TWO_LINKS)

    comment = created.comment
    assert comment.status == Comment.Status.PENDING
    [action] = actions_of(comment)
    assert row(action) == ("", "pending", None, "links", "comments.moderation.too_many_links")
    assert action.note == created.verdict.reason == "2 or more links"
    assert action.created_at == comment.submitted_at
    assert (comment.moderation_step, comment.moderation_reason) == (
        "comments.moderation.too_many_links",
        "links",
    )


def test_a_blocklisted_comment_gets_a_spam_row(article, policy):
    policy.blocklist_keywords = "casino"
    policy.save()

    comment = post(article, body="Visit my casino").comment

    [action] = actions_of(comment)
    assert row(action) == ("", "spam", None, "spam", "comments.moderation.blocklist")
    assert action.note == "blocklisted keyword"


def test_a_comment_published_at_once_gets_a_row_without_a_reason(article, policy):
    policy.default_status = "approved"
    policy.save()

    comment = post(article).comment

    [action] = actions_of(comment)
    assert row(action) == ("", "approved", None, "", "comments.moderation.policy_default")
    assert comment.moderation_step == "comments.moderation.policy_default"


def test_a_refused_comment_leaves_no_row(article, policy):
    post(article)
    policy.flood_interval_seconds = 60
    policy.save()

    with pytest.raises(services.CommentRefused):
        post(article, body="Again, too fast.")

    assert ModerationAction.objects.count() == 1


def test_a_plug_in_step_with_an_unknown_code_is_recorded_as_other(article, settings):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = ["tests.comments.test_audit_trail.odd_step"]

    comment = post(article).comment

    [action] = actions_of(comment)
    assert row(action) == ("", "pending", None, "other", "tests.comments.test_audit_trail.odd_step")


def odd_step(submission):
    from comments.moderation import Verdict

    return Verdict.hold("asked an oracle", code="not-a-code")


# --- staff decisions ----------------------------------------------------------------------------


def test_a_moderators_decision_records_actor_reason_and_note(article, moderator):
    comment = make_comment(article)
    before = set(ModerationAction.objects.values_list("pk", flat=True))

    moderating.comments_moderate(
        ids=[comment.pk],
        status="removed",
        moderator=moderator,
        reason="offensive",
        note="Name-calling in the second line.",
    )

    action = ModerationAction.objects.exclude(pk__in=before).get()
    assert row(action) == ("approved", "removed", moderator.pk, "offensive", "")
    assert action.note == "Name-calling in the second line."
    comment.refresh_from_db()
    assert (comment.moderation_step, comment.moderation_reason) == ("", "offensive")
    assert comment.moderated_by == moderator


def test_bulk_moderation_writes_one_row_per_changed_comment(article, moderator):
    pending = [make_comment(article, status="pending") for _ in range(3)]
    already = make_comment(article, status="approved")
    before = set(ModerationAction.objects.values_list("pk", flat=True))

    changed = moderating.comments_moderate(
        ids=[c.pk for c in pending] + [already.pk],
        status="approved",
        moderator=moderator,
        note="Morning queue",
    )

    assert len(changed) == 3
    new = ModerationAction.objects.exclude(pk__in=before)
    assert sorted(new.values_list("comment_id", flat=True)) == sorted(c.pk for c in pending)
    assert {row(a) for a in new} == {("pending", "approved", moderator.pk, "", "")}
    assert set(new.values_list("note", flat=True)) == {"Morning queue"}
    assert len({a.created_at for a in new}) == 1  # one decision, one moment


def test_marking_spam_without_a_reason_records_spam(article, moderator):
    comment = make_comment(article)

    moderating.comments_moderate(ids=[comment.pk], status="spam", moderator=moderator)

    assert actions_of(comment)[-1].reason == "spam"


def test_an_unknown_reason_is_refused_and_changes_nothing(article, moderator):
    comment = make_comment(article, status="pending")
    before = ModerationAction.objects.count()

    with pytest.raises(ValidationError) as refused:
        moderating.comments_moderate(
            ids=[comment.pk], status="removed", moderator=moderator, reason="rude"
        )

    assert "reason" in refused.value.message_dict
    assert ModerationAction.objects.count() == before
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_no_row_when_the_status_does_not_change(article, moderator):
    comment = make_comment(article)
    before = ModerationAction.objects.count()

    assert (
        moderating.comments_moderate(ids=[comment.pk], status="approved", moderator=moderator) == []
    )

    assert ModerationAction.objects.count() == before


def test_the_trail_keeps_every_change_in_order(article, moderator):
    comment = make_comment(article, status="pending")

    for status in ("approved", "spam", "approved", "removed"):
        moderating.comments_moderate(ids=[comment.pk], status=status, moderator=moderator)

    trail = [(a.from_status, a.to_status) for a in actions_of(comment)]
    # make_comment's own approval (by no one) first, then the moderator's four.
    assert trail[-4:] == [
        ("pending", "approved"),
        ("approved", "spam"),
        ("spam", "approved"),
        ("approved", "removed"),
    ]


def test_moderating_many_comments_takes_as_many_queries_as_one(
    article, moderator, django_assert_num_queries
):
    one = [make_comment(article, status="pending")]
    many = [make_comment(article, status="pending") for _ in range(12)]

    # savepoint, lock, status update, flags cleared, audit insert, count update, thread
    # walk, listing update, the cache's slug lookup, release
    with django_assert_num_queries(MODERATE_QUERIES):
        moderating.comments_moderate(
            ids=[c.pk for c in one], status="approved", moderator=moderator
        )
    with django_assert_num_queries(MODERATE_QUERIES):
        moderating.comments_moderate(
            ids=[c.pk for c in many], status="approved", moderator=moderator
        )

    assert ModerationAction.objects.filter(actor=moderator).count() == 13


MODERATE_QUERIES = 10


# --- changes the pipeline makes later ----------------------------------------------------------


def test_reader_reports_past_the_threshold_leave_a_flagged_row(article, policy):
    policy.flag_threshold = 2
    policy.save()
    comment = make_comment(article)

    for ip in ("192.0.2.1", "192.0.2.2"):
        services.comment_flag(comment=comment, ip_address=ip)

    action = actions_of(comment)[-1]
    assert row(action) == ("approved", "pending", None, "flagged", "comments.services.comment_flag")
    assert "2 reader report(s)" in action.note
    comment.refresh_from_db()
    assert (comment.moderation_reason, comment.flag_count) == ("flagged", 2)
    assert CommentFlag.objects.filter(comment=comment).count() == 2


def test_an_edit_that_changes_the_status_leaves_a_row_with_the_deciding_step(article, policy):
    policy.default_status = "approved"
    policy.blocklist_keywords = "casino"
    policy.save()
    comment = post(article).comment
    assert comment.status == "approved"

    services.comment_edit(comment=comment, body="Now with a casino link")

    created, edit, action = actions_of(comment)
    assert created.to_status == "approved"
    # The edit's own row comes first, then the status change it caused.
    assert row(edit) == ("approved", "approved", None, "", EDIT_STEP)
    assert row(action) == ("approved", "spam", None, "spam", "comments.moderation.blocklist")
    assert action.note == "blocklisted keyword"


def test_an_edit_into_links_is_held_with_the_links_step(article, policy):
    policy.default_status = "approved"
    policy.save()
    comment = post(article).comment

    services.comment_edit(comment=comment, body=TWO_LINKS)

    action = actions_of(comment)[-1]
    assert row(action) == (
        "approved",
        "pending",
        None,
        "links",
        "comments.moderation.too_many_links",
    )


def test_an_edit_that_keeps_the_status_leaves_one_edit_row(article, policy):
    policy.default_status = "approved"
    policy.save()
    comment = post(article).comment

    services.comment_edit(comment=comment, body="Same verdict, other words.")

    # The audit trail shows the edit: one row from the status to itself, no status change.
    created, edit = actions_of(comment)
    assert row(created) == ("", "approved", None, "", "comments.moderation.policy_default")
    assert row(edit) == ("approved", "approved", None, "", EDIT_STEP)
    assert edit.note.startswith("edited by the author")
    assert status_of(comment) == "approved"


def test_withdrawal_by_the_author_leaves_a_row_with_a_note(article, policy):
    policy.default_status = "approved"
    policy.save()
    comment = post(article).comment

    services.comment_withdraw(comment=comment)

    action = actions_of(comment)[-1]
    assert row(action) == ("approved", "removed", None, "", "comments.services.comment_withdraw")
    assert action.note == "withdrawn by the author"


def test_a_hard_deleted_comment_takes_its_trail_with_it(article, moderator):
    comment = make_comment(article)
    moderating.comments_moderate(ids=[comment.pk], status="removed", moderator=moderator)

    services.comments_delete(comments=Comment.objects.filter(pk=comment.pk))

    assert not ModerationAction.objects.filter(comment_id=comment.pk).exists()
