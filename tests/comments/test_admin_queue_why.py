"""The queue's "why" column in words: one test per reason the pipeline, the readers, the
author or a moderator can give a comment, read from the changelist row as a moderator
sees it. No raw codes and no dotted paths."""

import html
import re

import pytest

from comments import moderating, sanctions, services
from comments.models import Comment
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
RAW = re.compile(r"comments\.(moderation|services)\.|\w+_\w+ · |· (links|new_commenter|other)\b")


@pytest.fixture(autouse=True)
def quiet_policy():
    # No flood window, no first-comment hold unless a test asks for one.
    set_policy(flood_interval_seconds=0, approved_comments_required=0)


def why_of(admin, comment) -> str:
    """The text of the comment's "Status · why" cell."""
    response = admin.get(CHANGELIST)
    assert response.status_code == 200
    rows = re.findall(r"<tr[^>]*>.*?</tr>", response.text, flags=re.S)
    row = next(r for r in rows if f'value="{comment.pk}"' in r)
    cell = re.search(r'<td class="field-status_cell">(.*?)</td>', row, flags=re.S).group(1)
    text = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
    assert not RAW.search(text), text
    return text


def post(article=None, *, body="A fair point about the council budget.", **fields) -> Comment:
    values = {"author_name": "Ann Reader", "author_email": "ann@example.org", **fields}
    return services.comment_create(article=article or ArticleFactory(), body=body, **values).comment


# --- held by the pipeline -----------------------------------------------------------------------


def test_links_are_counted(admin):
    set_policy(hold_link_count=2)
    comment = post(body="See https://a.example/x and www.b.example/y for more.")

    assert comment.status == "pending"
    assert why_of(admin, comment) == "Pending 2 links"


def test_an_article_that_holds_links(admin):
    article = ArticleFactory(comments_premoderate_links=True)
    comment = post(article, body="Source: https://a.example/report")

    assert why_of(admin, comment) == "Pending 1 link; the article holds comments with links"


def test_an_article_that_holds_everything(admin):
    comment = post(ArticleFactory(comments_premoderate=True))

    assert why_of(admin, comment) == "Pending the article holds every comment"


def test_a_suspect_word_is_named(admin):
    set_policy(suspect_words="vaccine\nbuy now")
    comment = post(body="The Vaccine trial results are out.")

    assert why_of(admin, comment) == "Pending matched suspect word 'vaccine'"


def test_a_moderation_keyword(admin):
    set_policy(moderation_keywords="lawsuit")
    comment = post(body="There will be a lawsuit over this.")

    assert why_of(admin, comment) == "Pending matched a moderation keyword"


def test_always_premoderated_commenter(admin, staff_user):
    sanctions.commenter_premoderate(email="ann@example.org", by=staff_user)
    comment = post()

    assert why_of(admin, comment) == "Pending this reader is always pre-moderated"


def test_a_first_comment_from_a_known_address(admin):
    set_policy(approved_comments_required=1)
    reader = UserFactory(email="ann@example.org")
    comment = post(user=reader)  # signed in with that address: proven

    assert why_of(admin, comment) == "Pending first comment from this reader"


def test_a_reader_short_of_the_approved_comments_required(admin):
    set_policy(approved_comments_required=3)
    make_comment(ArticleFactory(), author_email="ann@example.org", status="approved")
    comment = post(user=UserFactory(email="ann@example.org"))

    assert why_of(admin, comment) == "Pending new reader: 1 of 3 approved comments needed"


def test_an_unconfirmed_address_is_held_like_a_new_reader(admin):
    set_policy(approved_comments_required=1)
    comment = post()  # no account, no commenter token

    assert why_of(admin, comment) == "Pending unconfirmed email: held like a new reader"


def test_a_high_rejection_rate(admin):
    article = ArticleFactory()
    for status in ["spam", "spam", "spam", "approved"]:
        make_comment(article, author_email="ann@example.org", status=status)
    comment = post(user=UserFactory(email="ann@example.org"))

    assert why_of(admin, comment) == "Pending 3 of this reader's last 4 comments rejected (30 days)"


# --- marked spam by the pipeline ----------------------------------------------------------------


def test_a_banned_word_is_named(admin):
    set_policy(banned_words="casino")
    comment = post(body="Best CASINO bonus here")

    assert why_of(admin, comment) == "Spam matched banned word 'casino'"


def test_a_blocklisted_address(admin):
    set_policy(blocklist_emails="ann@example.org")
    comment = post()

    assert why_of(admin, comment) == "Spam email address on the blocklist"


def test_the_bot_trap(admin):
    comment = post(honeypot="http://bot.example")

    assert why_of(admin, comment) == "Spam filled in the hidden bot trap"


def test_a_banned_commenter(admin, staff_user):
    sanctions.commenter_ban(email="ann@example.org", by=staff_user)
    comment = post()

    assert why_of(admin, comment) == "Spam commenter is banned"


# --- published by the pipeline --------------------------------------------------------------------


def test_a_known_reader(admin):
    set_policy(approved_comments_required=1, auto_approve_known_authors=True)
    make_comment(ArticleFactory(), author_email="ann@example.org", status="approved")
    comment = post(user=UserFactory(email="ann@example.org"))

    assert why_of(admin, comment) == "Approved reader with approved comments"


def test_the_site_default(admin):
    set_policy(default_status="approved", auto_approve_known_authors=False)
    comment = post()

    assert why_of(admin, comment) == "Approved the site's default for new comments"


# --- readers, authors, moderators ---------------------------------------------------------------


def test_reported_by_readers(admin):
    set_policy(flag_threshold=3)
    comment = make_comment(ArticleFactory(), status="approved")
    for n in range(3):
        services.comment_flag(comment=comment, ip_address=f"192.0.2.{n + 1}")

    assert why_of(admin, comment) == "Pending reported by 3 readers"


def test_reports_below_the_threshold_show_on_a_published_comment(admin):
    set_policy(flag_threshold=5)
    comment = make_comment(ArticleFactory(), status="approved")
    services.comment_flag(comment=comment, ip_address="192.0.2.1")

    assert why_of(admin, comment).endswith("reported by 1 reader")


def test_withdrawn_by_the_author(admin):
    comment = make_comment(ArticleFactory(), status="approved")
    services.comment_withdraw(comment=comment)

    assert why_of(admin, comment) == "Removed withdrawn by the author"


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [
        ("approved", "", "Approved approved by {}"),
        ("pending", "other", "Pending held by {}: other"),
        ("spam", "", "Spam marked spam by {}"),
        ("removed", "off_topic", "Removed removed by {}: off topic"),
    ],
)
def test_a_moderators_decision(admin, staff_user, status, reason, words):
    comment = make_comment(ArticleFactory(), status="pending" if status != "pending" else "spam")
    moderating.comments_moderate(
        ids=[comment.pk], status=status, moderator=staff_user, reason=reason
    )

    assert why_of(admin, comment) == words.format(staff_user.username)


def test_an_imported_comment(admin):
    comment = make_comment(ArticleFactory(), status="pending", wordpress_id=4242)

    assert why_of(admin, comment) == "Pending imported from WordPress"


# --- the other signals of a held comment ----------------------------------------------------------


def test_a_held_comment_shows_its_other_signals_once(admin):
    set_policy(suspect_words="vaccine", approved_comments_required=1)
    comment = post(
        body="vaccine news at https://a.example/1", user=UserFactory(email="ann@example.org")
    )
    services.comment_flag(comment=comment, ip_address="192.0.2.1")
    services.comment_flag(comment=comment, ip_address="192.0.2.2")

    assert why_of(admin, comment) == (
        "Pending matched suspect word 'vaccine' reported by 2 readers 1 link new reader"
    )


# --- a site's own step --------------------------------------------------------------------------


def hold_for_shouting(sub):
    from comments.moderation import Verdict

    if sub.body.isupper():
        return Verdict.hold("all capitals")
    return None


def broken_step(sub):
    raise RuntimeError("the spam service is down")


def test_a_sites_own_step_is_named_in_words_with_its_note(admin, settings):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = [f"{__name__}.hold_for_shouting"]
    comment = post(body="THIS IS OUTRAGEOUS")

    assert why_of(admin, comment) == "Pending hold for shouting: all capitals"


def test_a_failed_step_says_so(admin, settings):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = [f"{__name__}.broken_step"]
    comment = post()

    assert why_of(admin, comment) == "Pending the broken step check failed; held to be safe"
