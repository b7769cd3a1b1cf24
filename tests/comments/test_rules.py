"""The newsroom moderation rules: per-article settings, the new-commenter threshold, the
rejection rate, suspect and banned words, and how each behaves when an author edits.

Steps are plain functions of a `Submission`; tests call them alone where the rule is the
point, and go through `comment_create` / `comment_edit` (what the API calls) where the
order of the pipeline or what gets stored is. The commenter's history counts only when
the address is proven: tests about it post with `proven=True` (the commenter token),
edit with `commenter_token=` or build the submission with `email_proven=True`.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from comments import moderation
from comments.models import Comment, Commenter, ModerationPolicy, ReasonCode
from comments.moderation import run_pipeline
from comments.services import CommentRefused, comment_edit
from comments.wordlist import MAX_PHRASE_WORDS, compile_word_list
from tests.comments.factories import CommentFactory
from tests.comments.helpers import READER_EMAIL, commenter_token, post, submission
from tests.factories import ArticleFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

EMAIL = READER_EMAIL  # the address submission() and post() use
STEP = "comments.moderation."


def past(days: float = 2, **kwargs) -> Comment:
    """A stored comment by EMAIL `days` ago (outside the flood window)."""
    kwargs.setdefault("author_email", EMAIL)
    kwargs.setdefault("submitted_at", timezone.now() - timedelta(days=days))
    return CommentFactory(**kwargs)


def approved(count: int, **kwargs) -> list[Comment]:
    return [past(status=Comment.Status.APPROVED, **kwargs) for _ in range(count)]


# --- per-article settings -------------------------------------------------------------


def test_a_closed_article_refuses_comments_as_closed(policy):
    article = ArticleFactory(comments_enabled=False)

    with pytest.raises(CommentRefused) as refused:
        post(article)

    assert refused.value.kind == "closed"
    assert not Comment.objects.exists()


def test_a_premoderated_article_holds_even_a_known_authors_comment(policy):
    article = ArticleFactory(comments_premoderate=True)
    approved(3)

    created = post(article, proven=True)

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "article_premoderate"
    assert created.comment.moderation_reason == ReasonCode.OTHER


def test_premoderation_on_one_article_leaves_the_others_alone(policy):
    ArticleFactory(comments_premoderate=True)
    approved(1)

    created = post(ArticleFactory(), proven=True)

    assert created.comment.status == Comment.Status.APPROVED


def test_an_article_that_premoderates_links_holds_a_single_link(policy):
    article = ArticleFactory(comments_premoderate_links=True)
    approved(1)

    created = post(article, proven=True, body="See https://example.org/report for the numbers.")

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "article_premoderate_links"
    assert created.verdict.code == ReasonCode.LINKS
    assert created.comment.link_count == 1


def test_an_article_that_premoderates_links_publishes_comments_without_one(policy):
    article = ArticleFactory(comments_premoderate_links=True)
    approved(1)

    created = post(article, proven=True, body="No links here, only example dot org in words.")

    assert created.comment.status == Comment.Status.APPROVED
    assert created.comment.link_count == 0


def test_without_the_article_setting_one_link_is_below_the_policy_limit(policy):
    approved(1)

    created = post(ArticleFactory(), proven=True, body="Source: www.example.org")

    assert created.comment.status == Comment.Status.APPROVED
    assert created.comment.link_count == 1


def test_article_steps_alone(policy):
    plain = ArticleFactory()
    links = ArticleFactory(comments_premoderate_links=True)
    everything = ArticleFactory(comments_premoderate=True)
    with_link = {"body": "http://example.org"}

    assert moderation.article_premoderate(submission(plain, policy)) is None
    assert moderation.article_premoderate_links(submission(plain, policy, **with_link)) is None
    assert moderation.article_premoderate_links(submission(links, policy)) is None
    assert moderation.article_premoderate_links(submission(links, policy, **with_link)).code == (
        ReasonCode.LINKS
    )
    assert moderation.article_premoderate(submission(everything, policy)).status == "pending"


# --- new commenters -----------------------------------------------------------------------


def test_a_first_comment_is_held_as_a_new_commenters(policy, article):
    assert policy.approved_comments_required == 1  # the default: WordPress's rule

    created = post(article)

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "new_commenter"
    assert created.verdict.code == ReasonCode.NEW_COMMENTER
    assert created.comment.moderation_reason == ReasonCode.NEW_COMMENTER
    assert created.comment.new_commenter is True


def test_the_hold_applies_even_when_the_policy_publishes_at_once(policy, article):
    policy.default_status = ModerationPolicy.DefaultStatus.APPROVED
    policy.save()

    assert post(article).comment.status == Comment.Status.PENDING


def test_one_approved_comment_is_enough_at_n_equals_1(policy, article):
    approved(1)

    created = post(article, proven=True)

    assert created.comment.status == Comment.Status.APPROVED
    assert created.verdict.step == STEP + "known_author"
    assert created.comment.new_commenter is False


@pytest.mark.parametrize(("approved_so_far", "status"), [(2, "pending"), (3, "approved")])
def test_at_n_equals_3_the_third_approved_comment_opens_the_door(
    policy, article, approved_so_far, status
):
    policy.approved_comments_required = 3
    policy.save()
    approved(approved_so_far)

    created = post(article, proven=True)

    assert created.comment.status == status
    assert created.comment.new_commenter is (status == "pending")
    if status == "pending":
        assert created.verdict.reason == "new commenter: 2 of 3 approved comments"


def test_only_approved_comments_count_towards_the_threshold(policy, article):
    for status in [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]:
        past(status=status, is_listed=False)
    past(status=Comment.Status.APPROVED, author_email="someone.else@example.com")

    created = post(article, proven=True)

    assert created.verdict.step == STEP + "new_commenter"
    assert created.verdict.reason == "new commenter: 0 of 1 approved comments"


def test_without_proof_the_address_is_held_whatever_its_history(policy, article):
    approved(3)

    created = post(article)

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "new_commenter"
    assert created.verdict.code == ReasonCode.NEW_COMMENTER
    assert created.verdict.reason.startswith("address not confirmed")


def test_the_threshold_at_zero_turns_the_rule_off(policy, article):
    policy.approved_comments_required = 0
    policy.default_status = ModerationPolicy.DefaultStatus.APPROVED
    policy.save()

    created = post(article)

    assert created.comment.status == Comment.Status.APPROVED
    assert created.verdict.step == STEP + "policy_default"
    assert created.comment.new_commenter is False


def test_known_author_approval_off_leaves_known_authors_to_the_default(policy, article):
    policy.auto_approve_known_authors = False
    policy.save()
    approved(1)

    created = post(article, proven=True)

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "policy_default"


def test_the_known_author_step_alone_follows_the_threshold(policy, article):
    policy.approved_comments_required = 2
    approved(1)
    assert moderation.known_author(submission(article, policy, email_proven=True)) is None

    approved(1)
    proven = submission(article, policy, email_proven=True)
    assert moderation.known_author(proven).status == "approved"
    assert moderation.known_author(submission(article, policy)) is None  # not without proof


# --- rejection rate -----------------------------------------------------------------------


def test_a_commenter_whose_comments_were_mostly_rejected_is_held(policy, article):
    approved(2, days=3)
    for _ in range(2):
        past(days=3, status=Comment.Status.SPAM, is_listed=False)

    created = post(article, proven=True)

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "rejection_rate"
    assert created.verdict.code == ReasonCode.OTHER
    assert created.verdict.reason == "2 of 4 comments in the last 30 days rejected (more than 30 %)"


@pytest.mark.parametrize(("offset", "held"), [(+1, True), (-1, False)])
def test_rejection_rate_window_boundary(policy, article, offset, held):
    """Three approved and two spam comments: 40 % rejected. Move one spam a minute
    outside the 30-day window and it is 1 of 4 (25 %): no longer held."""
    now = timezone.now()
    window = timedelta(days=policy.rejection_rate_window_days)
    approved(3, days=1)
    past(days=1, status=Comment.Status.SPAM, is_listed=False)
    past(
        submitted_at=now - window + timedelta(minutes=offset),
        status=Comment.Status.SPAM,
        is_listed=False,
    )

    verdict = moderation.rejection_rate(submission(article, policy, now=now, email_proven=True))

    assert (verdict is not None) is held
    if held:
        assert verdict.reason.startswith("2 of 5 comments")


def test_rejection_rate_needs_the_minimum_number_of_comments(policy, article):
    assert policy.rejection_rate_min_comments == 3
    for _ in range(2):
        past(status=Comment.Status.SPAM, is_listed=False)

    assert moderation.rejection_rate(submission(article, policy, email_proven=True)) is None

    past(status=Comment.Status.SPAM, is_listed=False)
    assert moderation.rejection_rate(submission(article, policy, email_proven=True)) is not None


def test_rejection_rate_ignores_an_unproven_address(policy, article):
    for _ in range(5):
        past(status=Comment.Status.SPAM, is_listed=False)

    assert moderation.rejection_rate(submission(article, policy)) is None
    assert moderation.rejection_rate(submission(article, policy, email_proven=True)) is not None


def test_rejection_rate_at_exactly_the_threshold_is_not_more_than_it(policy, article):
    policy.rejection_rate_percent = 50
    approved(2)
    for _ in range(2):
        past(status=Comment.Status.SPAM, is_listed=False)

    assert moderation.rejection_rate(submission(article, policy, email_proven=True)) is None


def test_rejection_rate_zero_turns_the_rule_off(policy, article):
    policy.rejection_rate_percent = 0
    for _ in range(5):
        past(status=Comment.Status.SPAM, is_listed=False)

    assert moderation.rejection_rate(submission(article, policy, email_proven=True)) is None


def test_pending_comments_and_own_withdrawals_are_not_rejections(policy, article):
    approved(2)
    for _ in range(3):
        past(status=Comment.Status.PENDING, is_listed=False)
    # A reader's own withdrawal: removed, with no moderator.
    for _ in range(2):
        past(status=Comment.Status.REMOVED, is_listed=False)
    sub = submission(article, policy, email_proven=True)

    assert moderation.rejection_rate(sub) is None
    assert moderation.commenter_history(sub).recent_rejected == 0

    past(status=Comment.Status.REMOVED, is_listed=False, moderated_by=StaffUserFactory())
    history = moderation.commenter_history(submission(article, policy))
    assert (history.recent_decided, history.recent_rejected) == (3, 1)


def test_history_is_one_query_shared_by_the_steps(policy, article, django_assert_num_queries):
    approved(2)
    sub = submission(article, policy, email_proven=True)

    with django_assert_num_queries(1):
        moderation.rejection_rate(sub)
        moderation.new_commenter(sub)
        moderation.known_author(sub)
        assert moderation.is_new_commenter(sub) is False


# --- suspect and banned words ---------------------------------------------------------------


def test_a_banned_word_marks_spam(policy, article):
    policy.banned_words = "scam"
    policy.save()

    created = post(article, body="This is a SCAM, people.")

    assert created.comment.status == Comment.Status.SPAM
    assert created.verdict.step == STEP + "banned_words"
    assert created.verdict.code == ReasonCode.BANNED_WORD


def test_a_suspect_word_holds(policy, article):
    policy.suspect_words = "vaccine"
    policy.save()
    approved(1)

    created = post(article, proven=True, body="The Vaccine data is in.")

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == STEP + "suspect_words"
    assert created.verdict.code == ReasonCode.BANNED_WORD
    assert created.verdict.reason == "suspect word: vaccine"


def test_banned_beats_suspect_and_known_author(policy, article):
    policy.suspect_words = "idiot"
    policy.banned_words = "idiot"
    approved(5)

    verdict = run_pipeline(submission(article, policy, body="what an idiot", email_proven=True))

    assert verdict.status == Comment.Status.SPAM


def test_a_banned_word_in_the_name_counts(policy, article):
    policy.banned_words = "casino"

    assert moderation.banned_words(submission(article, policy, author_name="Casino King"))


@pytest.mark.parametrize(
    ("entry", "text", "matches"),
    [
        ("ass", "That is a class act.", False),
        ("ass", "What an ASS!", True),
        ("ass", "assess the passage", False),
        ("spam", "spammer spamming", False),
        ("spam", "(spam)", True),
        ("buy now", "Buy   NOW, before it ends", True),
        ("buy now", "buy, now!", True),
        ("buy now", "buy it now", False),
        ("buy now", "buy", False),
        ("don't", "I DON'T care", True),
        ("straße", "STRASSE gesperrt", True),
        ("дурак", "Ты ДУРАК.", True),
        ("дурак", "дураки", False),
        ("ｓｐａｍ", "spam", True),
        ("spam", "ｓｐａｍ", True),
        ("café", "CAFE\u0301 au lait", True),
        ("naïve", "naive", False),
        ("5g", "the 5G towers", True),
        ("", "anything", False),
    ],
)
def test_word_matching_is_whole_word_any_case_unicode(policy, article, entry, text, matches):
    policy.banned_words = f"\n  {entry}  \n\n"

    verdict = moderation.banned_words(submission(article, policy, body=text))

    assert (verdict is not None) is matches


def test_a_phrase_is_found_anywhere_in_the_text(policy, article):
    policy.suspect_words = "alpha\nfake news today\nbeta gamma"
    sub = submission(article, policy, body="This is fake fake news today, I say.")

    assert moderation.suspect_words(sub).reason == "suspect word: fake news today"


def test_word_lists_are_compiled_once_per_text():
    text = "one\ntwo words\n"

    assert compile_word_list(text) is compile_word_list("one\ntwo words\n")
    compiled = compile_word_list(text)
    assert compiled.singles == {"one"}
    assert compiled.phrases == {("two", "words")}
    assert compile_word_list("") == compile_word_list("\n \n")
    assert not compile_word_list("")


def test_long_entries_are_cut_to_the_phrase_limit():
    words = [f"w{i}" for i in range(MAX_PHRASE_WORDS + 4)]
    compiled = compile_word_list(" ".join(words))

    assert compiled.longest == MAX_PHRASE_WORDS
    assert compiled.first_match(" ".join(words[:MAX_PHRASE_WORDS])) is not None


def test_matching_5000_words_against_5000_characters_is_fast(policy, article):
    """The bound the benchmark measures properly (bench/wordlist_bench.py): here only a
    generous ceiling, so a quadratic regression fails the suite."""
    policy.suspect_words = "\n".join(f"suspect{i}" for i in range(5000))
    policy.banned_words = "\n".join(
        f"banned{i} phrase{i}" if i % 10 == 0 else f"banned{i}" for i in range(5000)
    )
    body = ("lorem ipsum dolor sit amet banned phrase " * 200)[:5000]
    sub = submission(article, policy, body=body)
    moderation.banned_words(sub)  # compile once

    start = time.perf_counter()
    for _ in range(20):
        fresh = dataclasses.replace(sub, memo={})  # no words carried over between runs
        assert moderation.banned_words(fresh) is None
        assert moderation.suspect_words(fresh) is None
    per_comment = (time.perf_counter() - start) / 20

    assert per_comment < 0.05


# --- edits --------------------------------------------------------------------------------


def test_an_edit_adding_a_banned_word_makes_the_comment_spam(policy, article):
    approved(1)
    comment = post(article, proven=True).comment
    assert comment.status == Comment.Status.APPROVED
    policy.banned_words = "scam"
    policy.save()

    edited = comment_edit(
        comment=comment, body="Actually it is a scam.", commenter_token=commenter_token(EMAIL)
    )

    assert edited.status == Comment.Status.SPAM


def test_an_edit_adding_a_link_on_a_link_premoderated_article_holds_it(policy):
    article = ArticleFactory(comments_premoderate_links=True)
    approved(1)
    comment = post(article, proven=True).comment
    assert comment.status == Comment.Status.APPROVED

    edited = comment_edit(
        comment=comment, body="More at https://example.org", commenter_token=commenter_token(EMAIL)
    )

    assert edited.status == Comment.Status.PENDING
    assert edited.moderation_reason == ReasonCode.LINKS


def test_the_comment_being_edited_is_left_out_of_the_history(policy, article):
    comment = past(status=Comment.Status.SPAM, is_listed=False)
    approved(1)

    editing = submission(article, policy, editing_comment_id=comment.pk)
    posting = submission(article, policy)

    assert moderation.commenter_history(editing).recent_decided == 1
    assert moderation.commenter_history(posting).recent_decided == 2


def test_a_known_authors_edit_stays_approved(policy, article):
    approved(1)
    comment = post(article, proven=True).comment

    edited = comment_edit(
        comment=comment, body="Edited, still fine.", commenter_token=commenter_token(EMAIL)
    )

    assert edited.status == Comment.Status.APPROVED


# --- what comment_create stores -----------------------------------------------------------


def test_posting_keeps_one_commenter_record_with_the_latest_name(policy, article):
    post(article, author_name="Ada", author_email="Ada@Example.com")
    post(article, author_name="Ada L.", author_email="ada@example.com", body="Second.")

    commenter = Commenter.objects.get()
    assert (commenter.email, commenter.name) == ("ada@example.com", "Ada L.")


def test_a_refused_comment_leaves_no_commenter_record(policy):
    with pytest.raises(CommentRefused):
        post(ArticleFactory(comments_enabled=False))

    assert not Commenter.objects.exists()


def test_spam_stores_the_new_commenter_flag_and_link_count_too(policy, article):
    created = post(article, body="http://a.example http://b.example", honeypot="bot")

    assert created.comment.status == Comment.Status.SPAM
    assert created.comment.link_count == 2
    assert created.comment.new_commenter is True
