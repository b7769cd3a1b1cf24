"""The moderation pipeline: each step alone, then the order DESIGN.md fixes.

Steps are plain functions of a `Submission`, so most tests here build one with
`submission()` and call the step directly; the order tests go through `run_pipeline`
and `comment_create`, which is what the API calls.
"""

import runpy
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

import cms.settings
from comments import moderation
from comments.models import Comment, ModerationPolicy
from comments.moderation import Submission, Verdict, pipeline_steps, run_pipeline
from comments.services import CommentRefused
from tests.comments.factories import CommentFactory
from tests.comments.helpers import post, submission
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=2)


# --- steps used by the custom-pipeline tests (imported by dotted path) ----------------


def always_spam(sub: Submission) -> Verdict:
    return Verdict.spam("the test says so")


def always_raises(sub: Submission) -> Verdict | None:
    raise RuntimeError("a broken plug-in")


def runs_broken_sql(sub: Submission) -> Verdict | None:
    # A plug-in whose query fails: on PostgreSQL this aborts the transaction it runs in.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_for_a_broken_plugin")
    return None


# --- helpers -------------------------------------------------------------------------


@pytest.fixture
def policy() -> ModerationPolicy:
    """The policy as stored, flood checks on (unlike the comments tests' shared one)."""
    return ModerationPolicy.load()


def old_comment(**kwargs) -> Comment:
    """A stored comment far enough in the past not to trip the flood check."""
    kwargs.setdefault("submitted_at", timezone.now() - LONG_AGO)
    return CommentFactory(**kwargs)


# --- comments_closed -----------------------------------------------------------------


def test_open_article_passes_the_closed_step(article, policy):
    assert moderation.comments_closed(submission(article, policy)) is None


def test_comments_closed_site_wide_are_rejected_as_closed(article, policy):
    policy.comments_open = False

    verdict = moderation.comments_closed(submission(article, policy))

    assert verdict is not None
    assert verdict.reject == "closed"
    assert verdict.status is None


def test_comments_disabled_on_the_article_are_rejected_as_closed(policy):
    article = ArticleFactory(comments_enabled=False)

    verdict = moderation.comments_closed(submission(article, policy))

    assert verdict is not None and verdict.reject == "closed"


def test_article_older_than_close_after_days_is_closed(policy):
    now = timezone.now()
    policy.close_after_days = 7
    article = ArticleFactory(published_at=now - timedelta(days=8))

    verdict = moderation.comments_closed(submission(article, policy, now=now))

    assert verdict is not None and verdict.reject == "closed"


def test_article_younger_than_close_after_days_is_open(policy):
    now = timezone.now()
    policy.close_after_days = 7
    article = ArticleFactory(published_at=now - timedelta(days=6))

    assert moderation.comments_closed(submission(article, policy, now=now)) is None


def test_close_after_zero_days_never_closes(policy):
    now = timezone.now()
    policy.close_after_days = 0
    article = ArticleFactory(published_at=now - timedelta(days=3650))

    assert moderation.comments_closed(submission(article, policy, now=now)) is None


# --- flood ---------------------------------------------------------------------------


def test_comment_from_same_ip_within_interval_is_flood(article, policy):
    now = timezone.now()
    CommentFactory(
        article=article,
        ip_address="192.0.2.10",
        author_email="someone-else@example.com",
        submitted_at=now - timedelta(seconds=5),
    )

    verdict = moderation.flood(submission(article, policy, now=now, ip_address="192.0.2.10"))

    assert verdict is not None
    assert verdict.reject == "flood"
    # 15 s interval, last comment 5 s ago: come back in 10 s.
    assert verdict.retry_after == 10


def test_comment_from_same_email_on_another_ip_is_flood(article, policy):
    now = timezone.now()
    CommentFactory(
        article=article,
        author_email="ada@example.com",
        ip_address="198.51.100.1",
        submitted_at=now - timedelta(seconds=14),
    )

    verdict = moderation.flood(submission(article, policy, now=now, ip_address="192.0.2.10"))

    assert verdict is not None
    assert verdict.reject == "flood"
    assert verdict.retry_after >= 1


def test_flood_retry_after_rounds_up_to_a_whole_second(article, policy):
    now = timezone.now()
    CommentFactory(
        article=article,
        ip_address="192.0.2.10",
        submitted_at=now - timedelta(seconds=14, milliseconds=900),
    )

    verdict = moderation.flood(submission(article, policy, now=now))

    assert verdict is not None and verdict.retry_after == 1


def test_comment_from_another_ip_and_email_is_not_flood(article, policy):
    now = timezone.now()
    CommentFactory(
        article=article,
        author_email="someone-else@example.com",
        ip_address="198.51.100.1",
        submitted_at=now - timedelta(seconds=1),
    )

    assert moderation.flood(submission(article, policy, now=now)) is None


def test_comment_after_the_interval_is_not_flood(article, policy):
    now = timezone.now()
    CommentFactory(
        article=article,
        ip_address="192.0.2.10",
        author_email="ada@example.com",
        submitted_at=now - timedelta(seconds=16),
    )

    assert moderation.flood(submission(article, policy, now=now)) is None


def test_flood_interval_zero_disables_the_check(article, policy):
    now = timezone.now()
    policy.flood_interval_seconds = 0
    CommentFactory(
        article=article,
        ip_address="192.0.2.10",
        author_email="ada@example.com",
        submitted_at=now - timedelta(seconds=1),
    )

    assert moderation.flood(submission(article, policy, now=now)) is None
    assert moderation.flood(submission(article, policy, now=now)) is None


def test_two_simultaneous_submissions_from_one_ip_are_gated_by_the_cache(article, policy):
    # Nothing stored yet (the first request has not committed): the cache `add` still
    # lets only one of them through.
    first = submission(article, policy, author_email="one@example.com")
    second = submission(article, policy, author_email="two@example.com")

    assert moderation.flood(first) is None
    verdict = moderation.flood(second)

    assert verdict is not None
    assert verdict.reject == "flood"
    assert verdict.retry_after == policy.flood_interval_seconds


def test_two_simultaneous_submissions_from_one_email_are_gated_by_the_cache(article, policy):
    assert moderation.flood(submission(article, policy, ip_address="192.0.2.1")) is None
    verdict = moderation.flood(submission(article, policy, ip_address="192.0.2.2"))

    assert verdict is not None and verdict.reject == "flood"


# --- duplicate -----------------------------------------------------------------------


def test_same_comment_again_is_a_duplicate(article, policy):
    old_comment(
        article=article, author_name="Ada Reader", author_email="ada@example.com", body="Same."
    )

    verdict = moderation.duplicate(submission(article, policy, body="Same."))

    assert verdict is not None
    assert verdict.reject == "duplicate"


def test_duplicate_of_a_spam_comment_is_still_a_duplicate(article, policy):
    old_comment(
        article=article,
        author_name="Ada Reader",
        author_email="ada@example.com",
        body="Same.",
        status=Comment.Status.SPAM,
        is_listed=False,
    )

    verdict = moderation.duplicate(submission(article, policy, body="Same."))

    assert verdict is not None and verdict.reject == "duplicate"


def test_removed_comment_does_not_count_as_a_duplicate(article, policy):
    old_comment(
        article=article,
        author_name="Ada Reader",
        author_email="ada@example.com",
        body="Same.",
        status=Comment.Status.REMOVED,
        is_listed=False,
    )

    assert moderation.duplicate(submission(article, policy, body="Same.")) is None


def test_same_body_under_another_parent_is_not_a_duplicate(article, policy):
    parent = old_comment(article=article)
    old_comment(
        article=article, author_name="Ada Reader", author_email="ada@example.com", body="+1"
    )

    verdict = moderation.duplicate(submission(article, policy, body="+1", parent_id=parent.pk))

    assert verdict is None


def test_same_reply_under_the_same_parent_is_a_duplicate(article, policy):
    parent = old_comment(article=article)
    old_comment(
        article=article,
        parent=parent,
        depth=1,
        author_name="Ada Reader",
        author_email="ada@example.com",
        body="+1",
    )

    verdict = moderation.duplicate(submission(article, policy, body="+1", parent_id=parent.pk))

    assert verdict is not None and verdict.reject == "duplicate"


@pytest.mark.parametrize(
    "change",
    [
        {"author_name": "Someone Else"},
        {"author_email": "other@example.com"},
        {"body": "A different remark."},
    ],
)
def test_a_different_name_email_or_body_is_not_a_duplicate(article, policy, change):
    old_comment(
        article=article,
        author_name="Ada Reader",
        author_email="ada@example.com",
        body="A thoughtful remark.",
    )

    assert moderation.duplicate(submission(article, policy, **change)) is None


def test_same_comment_on_another_article_is_not_a_duplicate(article, policy):
    old_comment(author_name="Ada Reader", author_email="ada@example.com", body="Same.")

    assert moderation.duplicate(submission(article, policy, body="Same.")) is None


# --- honeypot ------------------------------------------------------------------------


def test_filled_honeypot_is_spam(article, policy):
    verdict = moderation.honeypot(submission(article, policy, honeypot="http://spam.example"))

    assert verdict is not None
    assert verdict.status == Comment.Status.SPAM
    assert verdict.reject is None


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_honeypot_passes(article, policy, value):
    assert moderation.honeypot(submission(article, policy, honeypot=value)) is None


# --- blocklist -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("author_name", "cASINO fan"),
        ("author_email", "mr.casino@example.com"),
        ("author_url", "https://CASINO.example/"),
        ("body", "Visit the Casino tonight"),
        ("ip_address", "192.0.2.66"),
        ("user_agent", "CasinoBot/2.0"),
    ],
)
def test_blocklisted_keyword_in_any_field_is_spam(article, policy, field, value):
    policy.blocklist_keywords = "  CaSiNo  \n\n192.0.2.66\n"

    verdict = moderation.blocklist(submission(article, policy, **{field: value}))

    assert verdict is not None
    assert verdict.status == Comment.Status.SPAM


def test_submission_without_blocklisted_keywords_passes(article, policy):
    policy.blocklist_keywords = "casino\n192.0.2.66"

    assert moderation.blocklist(submission(article, policy)) is None


def test_blocklist_keywords_are_literal_text_not_patterns(article, policy):
    policy.blocklist_keywords = "a.c\n(unbalanced"

    assert moderation.blocklist(submission(article, policy, body="abc")) is None
    verdict = moderation.blocklist(submission(article, policy, body="x (unbalanced y"))
    assert verdict is not None and verdict.status == Comment.Status.SPAM


def test_blocklisted_email_address_is_spam(article, policy):
    policy.blocklist_emails = "Spammer@Example.COM"

    blocked = moderation.blocklist(submission(article, policy, author_email="spammer@example.com"))
    other = moderation.blocklist(submission(article, policy, author_email="ada@example.com"))

    assert blocked is not None and blocked.status == Comment.Status.SPAM
    assert other is None


@pytest.mark.parametrize("email", ["x@spam.example", "x@mail.spam.example"])
def test_blocklisted_email_domain_and_its_subdomains_are_spam(article, policy, email):
    policy.blocklist_domains = "@Spam.Example"

    verdict = moderation.blocklist(submission(article, policy, author_email=email))

    assert verdict is not None and verdict.status == Comment.Status.SPAM


def test_domain_that_merely_ends_like_a_blocklisted_one_passes(article, policy):
    policy.blocklist_domains = "spam.example"

    assert (
        moderation.blocklist(submission(article, policy, author_email="x@notspam.example")) is None
    )


@pytest.mark.parametrize(
    ("ip", "blocked"),
    [
        ("203.0.113.7", True),
        ("203.0.113.8", False),
        ("198.51.100.200", True),
        ("198.51.101.1", False),
        ("2001:db8::1", True),
        ("2001:db9::1", False),
    ],
)
def test_blocklisted_ip_address_or_network_is_spam(article, policy, ip, blocked):
    policy.blocklist_ips = "203.0.113.7\n198.51.100.0/24\n2001:db8::/32"

    verdict = moderation.blocklist(submission(article, policy, ip_address=ip))

    assert (verdict is not None and verdict.status == Comment.Status.SPAM) is blocked


def test_malformed_ip_line_in_the_policy_is_ignored(article, policy):
    policy.blocklist_ips = "not an address\n198.51.100.0/24\n10.0.0.0/33"

    blocked = moderation.blocklist(submission(article, policy, ip_address="198.51.100.5"))
    passed = moderation.blocklist(submission(article, policy, ip_address="192.0.2.10"))

    assert blocked is not None and blocked.status == Comment.Status.SPAM
    assert passed is None


def test_submission_without_ip_address_is_checked_on_the_other_fields(article, policy):
    policy.blocklist_ips = "0.0.0.0/0"
    policy.blocklist_keywords = "casino"

    assert moderation.blocklist(submission(article, policy, ip_address=None)) is None
    verdict = moderation.blocklist(submission(article, policy, ip_address=None, body="casino"))
    assert verdict is not None and verdict.status == Comment.Status.SPAM


# --- moderation keywords -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("body", "Let us talk about POLITICS"), ("author_name", "Politics Fan")],
)
def test_moderation_keyword_holds_the_comment(article, policy, field, value):
    policy.moderation_keywords = "politics\nelection"

    verdict = moderation.moderation_keywords(submission(article, policy, **{field: value}))

    assert verdict is not None
    assert verdict.status == Comment.Status.PENDING


def test_comment_without_moderation_keywords_passes(article, policy):
    policy.moderation_keywords = "politics\nelection"

    assert moderation.moderation_keywords(submission(article, policy)) is None


def test_empty_moderation_keyword_list_holds_nothing(article, policy):
    policy.moderation_keywords = "\n  \n"

    assert moderation.moderation_keywords(submission(article, policy)) is None


# --- too many links ------------------------------------------------------------------


def test_one_link_passes_when_two_hold(article, policy):
    policy.hold_link_count = 2

    verdict = moderation.too_many_links(
        submission(article, policy, body="See https://example.com/a for more.")
    )

    assert verdict is None


def test_two_links_hold_the_comment(article, policy):
    policy.hold_link_count = 2

    verdict = moderation.too_many_links(
        submission(article, policy, body="See https://example.com/a and www.example.org.")
    )

    assert verdict is not None
    assert verdict.status == Comment.Status.PENDING


def test_hold_link_count_zero_never_holds(article, policy):
    policy.hold_link_count = 0
    body = " ".join(f"https://example.com/{n}" for n in range(10))

    assert moderation.too_many_links(submission(article, policy, body=body)) is None


def test_links_in_the_author_url_do_not_count(article, policy):
    policy.hold_link_count = 1

    verdict = moderation.too_many_links(
        submission(article, policy, author_url="https://ada.example", body="No links here.")
    )

    assert verdict is None


# --- known author --------------------------------------------------------------------
# The address's history counts only when the submission proves the address
# (email_proven: a commenter token or the signed-in owner).


def test_author_with_a_previously_approved_comment_is_approved(article, policy):
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    verdict = moderation.known_author(submission(article, policy, email_proven=True))

    assert verdict is not None
    assert verdict.status == Comment.Status.APPROVED


def test_a_previously_approved_address_without_proof_is_not_known(article, policy):
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    assert moderation.known_author(submission(article, policy)) is None


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_author_without_an_approved_comment_is_not_known(article, policy, status):
    old_comment(author_email="ada@example.com", status=status, is_listed=False)

    assert moderation.known_author(submission(article, policy, email_proven=True)) is None


def test_known_author_step_does_nothing_when_the_policy_turns_it_off(article, policy):
    policy.auto_approve_known_authors = False
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    assert moderation.known_author(submission(article, policy, email_proven=True)) is None


# --- policy default ------------------------------------------------------------------


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.APPROVED])
def test_policy_default_gives_the_policy_status(article, policy, status):
    policy.default_status = status

    verdict = moderation.policy_default(submission(article, policy))

    assert verdict.status == status
    assert verdict.reject is None


# --- the whole order -----------------------------------------------------------------


def test_blocklisted_comment_from_known_author_is_still_spam(article, policy):
    policy.blocklist_keywords = "casino"
    policy.save()
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    created = post(article, proven=True, body="Best casino in town")

    assert created.comment.status == Comment.Status.SPAM
    assert created.verdict.step == "comments.moderation.blocklist"
    assert created.comment.is_listed is False


def test_comment_with_two_links_from_known_author_is_held(article, policy):
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    created = post(article, proven=True, body="Compare https://a.example with https://b.example")

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == "comments.moderation.too_many_links"


def test_moderation_keyword_from_known_author_is_held(article, policy):
    policy.moderation_keywords = "election"
    policy.save()
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    created = post(article, proven=True, body="About the election...")

    assert created.comment.status == Comment.Status.PENDING


def test_clean_comment_from_known_author_is_approved(article, policy):
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    created = post(article, proven=True, author_email="ADA@example.com")

    assert created.comment.status == Comment.Status.APPROVED
    assert created.comment.is_listed is True
    assert created.verdict.step == "comments.moderation.known_author"


def test_closed_beats_every_other_step(policy):
    now = timezone.now()
    policy.comments_open = False
    policy.blocklist_keywords = "casino"
    policy.save()
    article = ArticleFactory()
    # Flood, duplicate, honeypot and blocklist would all object to this one.
    old = CommentFactory(
        article=article,
        author_name="Ada Reader",
        author_email="ada@example.com",
        body="casino",
        ip_address="192.0.2.10",
        submitted_at=now - timedelta(seconds=1),
    )

    with pytest.raises(CommentRefused) as refused:
        post(article, body="casino", honeypot="filled", now=now)

    assert refused.value.kind == "closed"
    assert list(Comment.objects.values_list("pk", flat=True)) == [old.pk]


def test_flood_beats_duplicate(article, policy):
    now = timezone.now()
    CommentFactory(
        article=article,
        author_name="Ada Reader",
        author_email="ada@example.com",
        body="Same.",
        submitted_at=now - timedelta(seconds=3),
    )

    with pytest.raises(CommentRefused) as refused:
        post(article, body="Same.", now=now)

    assert refused.value.kind == "flood"
    assert refused.value.verdict.retry_after == 12
    assert Comment.objects.count() == 1


def test_duplicate_beats_spam(article, policy):
    old_comment(
        article=article, author_name="Ada Reader", author_email="ada@example.com", body="Same."
    )

    with pytest.raises(CommentRefused) as refused:
        post(article, body="Same.", honeypot="I am a bot")

    assert refused.value.kind == "duplicate"
    assert Comment.objects.count() == 1


def test_honeypot_makes_the_comment_spam(article, policy):
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    created = post(article, proven=True, honeypot="http://spam.example")

    assert created.comment.status == Comment.Status.SPAM
    assert created.verdict.step == "comments.moderation.honeypot"
    article.refresh_from_db()
    assert article.comment_count == 0


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.APPROVED])
def test_new_author_gets_the_policy_default_status(article, policy, status):
    policy.default_status = status
    policy.approved_comments_required = 0  # no new-commenter hold (tests/comments/test_rules.py)
    policy.save()

    created = post(article)

    assert created.comment.status == status
    assert created.comment.is_listed is (status == Comment.Status.APPROVED)
    assert created.verdict.step == "comments.moderation.policy_default"


def test_run_pipeline_records_which_step_decided(article, policy):
    policy.blocklist_ips = "192.0.2.0/24"

    verdict = run_pipeline(submission(article, policy))

    assert verdict.status == Comment.Status.SPAM
    assert verdict.step == "comments.moderation.blocklist"


def test_run_pipeline_with_no_verdict_falls_back_to_policy_default(article, policy):
    policy.default_status = Comment.Status.APPROVED

    verdict = run_pipeline(submission(article, policy), steps=[])

    assert verdict.status == Comment.Status.APPROVED


# --- custom steps --------------------------------------------------------------------


def test_default_pipeline_runs_the_design_order(settings):
    settings.COMMENTS_MODERATION_PIPELINE = None
    settings.COMMENTS_EXTRA_MODERATION_STEPS = []

    names = [path.rsplit(".", 1)[1] for path, _ in pipeline_steps()]

    assert names == [
        "comments_closed",
        "flood",
        "duplicate",
        "honeypot",
        "sanctions",
        "blocklist",
        "banned_words",
        "suspect_words",
        "moderation_keywords",
        "too_many_links",
        "article_premoderate_links",
        "article_premoderate",
        "commenter_premoderated",
        "rejection_rate",
        "new_commenter",
        "known_author",
        "policy_default",
    ]


def test_custom_pipeline_setting_runs_its_own_step(settings, article, policy):
    settings.COMMENTS_MODERATION_PIPELINE = [
        "comments.moderation.comments_closed",
        "tests.comments.test_pipeline.always_spam",
        "comments.moderation.policy_default",
    ]

    created = post(article)

    assert created.comment.status == Comment.Status.SPAM
    assert created.verdict.step == "tests.comments.test_pipeline.always_spam"


def test_extra_step_runs_before_known_author_approval(settings, article, policy):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = ["tests.comments.test_pipeline.always_spam"]
    old_comment(author_email="ada@example.com", status=Comment.Status.APPROVED)

    paths = [path for path, _ in pipeline_steps()]
    created = post(article, proven=True)

    extra = paths.index("tests.comments.test_pipeline.always_spam")
    assert paths[extra + 1] == "comments.moderation.known_author"
    assert paths[extra - 1] == "comments.moderation.new_commenter"
    assert created.comment.status == Comment.Status.SPAM


def test_extra_steps_setting_is_read_from_the_environment(monkeypatch):
    # README documents COMMENTS_EXTRA_MODERATION_STEPS as an environment variable.
    monkeypatch.setenv(
        "COMMENTS_EXTRA_MODERATION_STEPS", "plugins.akismet.check, plugins.other.check"
    )

    namespace = runpy.run_path(cms.settings.__file__)

    assert namespace["COMMENTS_EXTRA_MODERATION_STEPS"] == [
        "plugins.akismet.check",
        "plugins.other.check",
    ]


def test_step_that_raises_holds_the_comment_instead_of_losing_it(settings, article, policy):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = ["tests.comments.test_pipeline.always_raises"]
    policy.default_status = Comment.Status.APPROVED
    policy.approved_comments_required = 0  # the new-commenter hold runs before extra steps
    policy.save()

    created = post(article)

    assert created.comment.pk is not None
    assert created.verdict.step == "tests.comments.test_pipeline.always_raises"
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_step_whose_query_fails_holds_the_comment_instead_of_losing_it(settings, article, policy):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = ["tests.comments.test_pipeline.runs_broken_sql"]

    created = post(article)

    assert Comment.objects.get().pk == created.comment.pk
    assert created.comment.status == Comment.Status.PENDING
