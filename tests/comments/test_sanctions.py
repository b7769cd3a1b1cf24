"""Commenter sanctions (ban, retroactive ban, suspension, always pre-moderate) on an
email, an IP address or network, or an email domain; lifting them; moderators' notes."""

from __future__ import annotations

import ipaddress
import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comments import moderation, sanctions
from comments.models import (
    Comment,
    Commenter,
    CommenterNote,
    CommenterSanction,
    ModerationAction,
    ModerationPolicy,
    ReasonCode,
)
from comments.moderation import Submission
from comments.privacy import comments_erase, comments_export
from comments.services import CommentRefused, comment_create, comment_edit
from tests.comments.helpers import commenter_token, make_comment, proof_header, set_policy
from tests.factories import ArticleFactory, StaffUserFactory

# Known authors are published at once (the shared `policy`, flood checks off), so a
# sanction's effect is what changes. The posts below prove their address (its commenter
# token) unless told otherwise: only then does an address's history count, and only then
# is its suspension told (to anyone else it is a silent ban).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

EMAIL = "troll@example.com"
IP = "203.0.113.50"


@pytest.fixture
def moderator():
    return StaffUserFactory()


def known(email: str = EMAIL, article=None) -> Comment:
    """An approved comment a year ago: the address is a known author, outside every
    rejection window."""
    return make_comment(
        article or ArticleFactory(),
        author_email=email,
        status="approved",
        submitted_at=timezone.now() - timedelta(days=365),
    )


def post(article, *, proven: bool = True, **overrides):
    """comment_create, with the commenter token of the address unless not `proven`."""
    fields = {
        "article": article,
        "author_name": "Troll",
        "author_email": EMAIL,
        "body": "Hello again.",
        "ip_address": IP,
    }
    fields.update(overrides)
    if proven:
        fields["commenter_token"] = commenter_token(fields["author_email"])
    return comment_create(**fields)


def api_post(client, article, *, proven: bool = True, **overrides):
    """POST through the API, with the X-Commenter-Token header unless not `proven`."""
    data = {"author_name": "Troll", "author_email": EMAIL, "body": "Hello again."}
    data.update(overrides)
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        data,
        format="json",
        REMOTE_ADDR=IP,
        **(proof_header(data["author_email"]) if proven else {}),
    )


# --- ban ------------------------------------------------------------------------------------


def test_a_banned_commenters_comments_become_spam(api_client, article, moderator):
    known()
    sanctions.commenter_ban(email=EMAIL, by=moderator)

    response = api_post(api_client, article)

    # Answered exactly like a held comment: the banned learn nothing.
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_step == "comments.moderation.sanctions"
    assert comment.moderation_reason == ReasonCode.SPAM
    action = ModerationAction.objects.get(comment=comment)
    assert action.actor is None
    assert action.step == "comments.moderation.sanctions"


def test_a_ban_is_matched_whatever_the_case_of_the_address(article, moderator):
    sanctions.commenter_ban(email="Troll@Example.COM", by=moderator)

    assert post(article, author_email="TROLL@example.com").comment.status == Comment.Status.SPAM
    assert Commenter.objects.get().email == EMAIL


def test_a_ban_does_not_touch_other_commenters(article, moderator):
    known("friend@example.com")
    sanctions.commenter_ban(email=EMAIL, by=moderator)

    created = post(article, author_email="friend@example.com", ip_address="198.51.100.1")

    assert created.comment.status == Comment.Status.APPROVED


def test_a_retroactive_ban_rejects_only_the_last_n_days(article, moderator):
    now = timezone.now()
    recent = [
        make_comment(article, author_email=EMAIL, submitted_at=now - timedelta(days=days))
        for days in (0.5, 3, 6.9)
    ]
    old = make_comment(article, author_email=EMAIL, submitted_at=now - timedelta(days=8))
    bystander = make_comment(article, author_email="friend@example.com")
    article.refresh_from_db()
    assert article.comment_count == 5

    sanction = sanctions.commenter_ban(email=EMAIL, by=moderator, retroactive_days=7, now=now)

    for comment in recent:
        comment.refresh_from_db()
        assert comment.status == Comment.Status.SPAM
        assert comment.is_listed is False
        assert comment.moderated_by == moderator
    old.refresh_from_db()
    bystander.refresh_from_db()
    assert old.status == Comment.Status.APPROVED  # 8 days old: N + 1, outside
    assert bystander.status == Comment.Status.APPROVED
    article.refresh_from_db()
    assert article.comment_count == 2
    assert sanction.retroactive_days == 7
    actions = ModerationAction.objects.filter(comment__in=recent, to_status="spam")
    assert actions.count() == 3
    assert {a.reason for a in actions} == {ReasonCode.SPAM}
    assert all(f"Ban #{sanction.pk}" in a.note and a.actor == moderator for a in actions)


def test_a_retroactive_ban_hides_the_replies_of_rejected_comments(article, moderator):
    parent = make_comment(article, author_email=EMAIL)
    reply = make_comment(article, parent=parent, author_email="friend@example.com")

    sanctions.commenter_ban(email=EMAIL, by=moderator, retroactive_days=3)

    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED
    assert reply.is_listed is False


# --- suspension -----------------------------------------------------------------------------


def test_a_suspended_commenter_is_refused_with_429_until_the_date(api_client, article, moderator):
    known()
    until = timezone.now() + timedelta(days=2)
    sanctions.commenter_suspend(
        email=EMAIL, until=until, message="Cooling-off period: see the house rules.", by=moderator
    )

    response = api_post(api_client, article)

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 2 * 86400 - 60 <= retry_after <= 2 * 86400
    detail = response.json()["detail"]
    assert detail.startswith("Cooling-off period: see the house rules.")
    assert until.strftime("%Y-%m-%d") in detail
    assert EMAIL not in response.content.decode() and IP not in response.content.decode()
    assert not Comment.objects.filter(article=article).exists()


def test_a_suspended_commenter_is_accepted_after_the_date(article, moderator):
    known()
    until = timezone.now() + timedelta(hours=5)
    sanctions.commenter_suspend(email=EMAIL, until=until, message="Wait.", by=moderator)

    with pytest.raises(CommentRefused) as refused:
        post(article, now=until - timedelta(seconds=1))
    assert refused.value.kind == "suspended"
    assert refused.value.verdict.retry_after == 1

    created = post(article, now=until + timedelta(seconds=1))
    assert created.comment.status == Comment.Status.APPROVED


def test_an_ended_suspension_lets_the_api_post_through(api_client, article, moderator):
    known()
    an_hour_ago = timezone.now() - timedelta(hours=1)
    sanctions.commenter_suspend(
        email=EMAIL,
        until=an_hour_ago,
        message="Wait.",
        by=moderator,
        now=an_hour_ago - timedelta(days=1),
    )

    assert api_post(api_client, article).status_code == 201


def test_a_suspension_without_a_message_says_so_plainly(article, moderator):
    sanctions.commenter_suspend(
        email=EMAIL, until=timezone.now() + timedelta(days=1), message="", by=moderator
    )

    with pytest.raises(CommentRefused) as refused:
        post(article)

    assert refused.value.verdict.reason.startswith("You cannot comment for now.")


def test_an_edit_while_suspended_is_held_not_published(article, moderator):
    known()
    comment = post(article).comment
    assert comment.status == Comment.Status.APPROVED
    sanctions.commenter_suspend(
        email=EMAIL, until=timezone.now() + timedelta(days=1), message="Wait.", by=moderator
    )

    edited = comment_edit(
        comment=comment, body="Edited while suspended.", commenter_token=commenter_token(EMAIL)
    )

    assert edited.status == Comment.Status.PENDING
    assert edited.moderation_step == "comments.moderation.sanctions"


@pytest.mark.parametrize(
    "target", [{"email": EMAIL}, {"email_domain": "example.com"}], ids=["email", "domain"]
)
def test_without_proof_an_address_suspension_is_a_silent_ban(
    api_client, article, moderator, target
):
    known()
    sanctions.sanction_create(
        kind="suspension",
        ends_at=timezone.now() + timedelta(days=2),
        message="Cooling-off period: see the house rules.",
        by=moderator,
        **target,
    )

    response = api_post(api_client, article, proven=False)

    # Anyone may type the address: the answer must not tell that it is suspended.
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert "Cooling-off" not in response.content.decode()
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_step == "comments.moderation.sanctions"


def test_an_ip_suspension_is_refused_with_429_without_proof(api_client, article, moderator):
    sanctions.sanction_create(
        kind="suspension",
        ip_network=IP,
        ends_at=timezone.now() + timedelta(days=1),
        message="Too much from this network today.",
        by=moderator,
    )

    response = api_post(api_client, article, proven=False)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too much from this network today.")
    assert not Comment.objects.filter(article=article).exists()


def test_a_ban_wins_over_a_suspension(article, moderator):
    sanctions.commenter_suspend(
        email=EMAIL, until=timezone.now() + timedelta(days=1), message="Wait.", by=moderator
    )
    sanctions.commenter_ban(email=EMAIL, by=moderator)

    assert post(article).comment.status == Comment.Status.SPAM


# --- always pre-moderate ------------------------------------------------------------------


def test_a_premoderated_commenter_is_held_even_when_known(article, moderator):
    known()
    sanctions.commenter_premoderate(email=EMAIL, by=moderator)

    created = post(article)

    assert created.comment.status == Comment.Status.PENDING
    assert created.verdict.step == "comments.moderation.commenter_premoderated"
    assert created.comment.moderation_reason == ReasonCode.OTHER


def test_spam_checks_still_come_before_premoderation(article, moderator, policy):
    policy.banned_words = "casino"
    policy.save()
    sanctions.commenter_premoderate(email=EMAIL, by=moderator)

    assert post(article, body="casino").comment.status == Comment.Status.SPAM


# --- IP and domain sanctions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "ip", "hit"),
    [
        ("203.0.113.50", "203.0.113.50", True),
        ("203.0.113.50", "203.0.113.51", False),
        ("203.0.113.0/24", "203.0.113.200", True),
        ("203.0.113.77/24", "203.0.113.1", True),  # host bits are cleared
        ("203.0.113.0/24", "203.0.114.1", False),
        ("10.0.0.0/8", "10.200.3.4", True),
        ("2001:db8::/32", "2001:db8:ffff::1", True),
        ("2001:db8::1", "2001:db8::1", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("198.51.100.9", "::ffff:198.51.100.9", True),
    ],
)
def test_ip_sanctions_match_addresses_and_networks(article, moderator, target, ip, hit):
    known()
    sanctions.sanction_create(kind="ban", ip_network=target, by=moderator)

    status = post(article, ip_address=ip).comment.status

    assert (status == Comment.Status.SPAM) is hit


@pytest.mark.parametrize(
    ("domain", "email", "hit"),
    [
        ("example.com", "troll@example.com", True),
        ("example.com", "troll@mail.example.com", True),
        ("@Example.COM", "troll@EXAMPLE.com", True),
        ("example.com", "troll@notexample.com", False),
        ("mail.example.com", "troll@example.com", False),
    ],
)
def test_domain_sanctions_include_subdomains(article, moderator, domain, email, hit):
    sanctions.sanction_create(
        kind="suspension",
        email_domain=domain,
        ends_at=timezone.now() + timedelta(days=1),
        message="Too much from this domain today.",
        by=moderator,
    )

    if hit:
        with pytest.raises(CommentRefused):
            post(article, author_email=email)
    else:
        post(article, author_email=email)


def test_an_ip_premoderation_holds_everyone_on_that_network(article, moderator):
    known("friend@example.com")
    sanctions.sanction_create(kind="premoderate", ip_network="203.0.113.0/26", by=moderator)

    created = post(article, author_email="friend@example.com")

    assert created.comment.status == Comment.Status.PENDING


def test_sanctions_are_found_in_one_query(article, moderator, policy, django_assert_num_queries):
    sanctions.commenter_ban(email=EMAIL, by=moderator)
    sanctions.sanction_create(kind="premoderate", ip_network="203.0.113.0/24", by=moderator)
    sanctions.sanction_create(kind="premoderate", email_domain="example.com", by=moderator)
    sub = Submission(
        article=article,
        policy=policy,
        author_name="Troll",
        author_email=EMAIL,
        author_url="",
        body="Hi",
        now=timezone.now(),
        ip_address=IP,
    )

    with django_assert_num_queries(1):
        found = moderation.active_sanctions(sub)
        assert moderation.sanctions(sub).status == Comment.Status.SPAM
        assert moderation.commenter_premoderated(sub) is not None

    assert [s.kind for s in found] == ["ban", "premoderate", "premoderate"]


# --- in force or not ------------------------------------------------------------------------


def test_a_lifted_sanction_stops_applying(article, moderator):
    known()
    ban = sanctions.commenter_ban(email=EMAIL, by=moderator)
    assert post(article, body="One").comment.status == Comment.Status.SPAM

    lifted = sanctions.sanction_lift(sanction=ban, by=moderator)
    sanctions.sanction_lift(sanction=ban, by=moderator)  # twice: no change, no second note

    assert lifted.lifted_at is not None
    assert post(article, body="Two").comment.status == Comment.Status.APPROVED
    note = CommenterNote.objects.get()
    assert note.text == f"Ban (new comments are spam) #{ban.pk} lifted."
    assert note.author == moderator


def test_a_scheduled_sanction_waits_for_its_start(article, moderator):
    known()
    start = timezone.now() + timedelta(hours=2)
    sanctions.sanction_create(kind="ban", email=EMAIL, starts_at=start, by=moderator)

    assert post(article, body="Before").comment.status == Comment.Status.APPROVED
    assert post(article, body="After", now=start + timedelta(seconds=1)).comment.status == "spam"


def test_a_timed_ban_ends_by_itself(article, moderator):
    known()
    end = timezone.now() + timedelta(days=1)
    sanctions.sanction_create(kind="ban", email=EMAIL, ends_at=end, by=moderator)

    assert post(article, body="During").comment.status == Comment.Status.SPAM
    assert post(article, body="After", now=end).comment.status == Comment.Status.APPROVED


# --- notes ----------------------------------------------------------------------------------


def test_a_moderator_adds_notes_about_a_commenter(moderator):
    first = sanctions.commenter_note_add(
        email=EMAIL, text="Warned about personal attacks.", by=moderator
    )
    sanctions.commenter_note_add(email=EMAIL.upper(), text="Second warning.", by=moderator)

    commenter = Commenter.objects.get(email=EMAIL)
    assert first.author == moderator
    assert [n.text for n in commenter.notes.all()] == [
        "Second warning.",
        "Warned about personal attacks.",
    ]


def test_a_blank_note_is_refused_and_nothing_is_written(moderator):
    with pytest.raises(ValidationError) as error:
        sanctions.commenter_note_add(email=EMAIL, text="   ", by=moderator)

    assert "text" in error.value.message_dict
    assert not Commenter.objects.exists()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "ban"}, "email"),
        ({"kind": "ban", "email": EMAIL, "ip_network": IP}, "email"),
        ({"kind": "ban", "email": "not an address"}, "email"),
        ({"kind": "ban", "ip_network": "300.1.2.3"}, "ip_network"),
        ({"kind": "ban", "ip_network": "10.0.0.0/33"}, "ip_network"),
        ({"kind": "ban", "email_domain": "localhost"}, "email_domain"),
        ({"kind": "ban", "email_domain": "exa mple.com"}, "email_domain"),
        ({"kind": "exile", "email": EMAIL}, "kind"),
        ({"kind": "suspension", "email": EMAIL}, "ends_at"),
        ({"kind": "ban", "email": EMAIL, "ends_at": "past"}, "ends_at"),
        ({"kind": "ban", "email": EMAIL, "message": "x" * 301}, "message"),
        ({"kind": "ban", "ip_network": IP, "retroactive_days": 3}, "retroactive_days"),
        ({"kind": "premoderate", "email": EMAIL, "retroactive_days": 3}, "retroactive_days"),
        ({"kind": "ban", "email": EMAIL, "retroactive_days": 0}, "retroactive_days"),
    ],
)
def test_bad_sanctions_name_the_field_and_write_nothing(moderator, fields, field):
    if fields.get("ends_at") == "past":
        fields["ends_at"] = timezone.now() - timedelta(minutes=1)
    make_comment(ArticleFactory(), author_email=EMAIL)

    with pytest.raises(ValidationError) as error:
        sanctions.sanction_create(by=moderator, **fields)

    assert field in error.value.message_dict
    assert not CommenterSanction.objects.exists()
    assert not Comment.objects.filter(status=Comment.Status.SPAM).exists()


def test_stored_targets_are_normalized(moderator):
    ip = sanctions.sanction_create(kind="ban", ip_network=" 192.0.2.77/24 ", by=moderator)
    host = sanctions.sanction_create(kind="ban", ip_network="2001:0db8::0001", by=moderator)
    domain = sanctions.sanction_create(kind="ban", email_domain="@Mail.Example.COM.", by=moderator)

    assert ip.ip_network == "192.0.2.0/24"
    assert host.ip_network == "2001:db8::1"
    assert domain.email_domain == "mail.example.com"
    assert ip.created_by == moderator
    mapped = sanctions.sanction_create(
        kind="ban", ip_network="::ffff:198.51.100.0/120", by=moderator
    )
    assert mapped.ip_network == "198.51.100.0/24"


def test_the_policy_defaults_leave_sanctions_the_last_word(article, moderator):
    """A site that publishes at once still spams a banned commenter."""
    set_policy(default_status=ModerationPolicy.DefaultStatus.APPROVED, approved_comments_required=0)
    sanctions.commenter_ban(email=EMAIL, by=moderator)

    assert post(article).comment.status == Comment.Status.SPAM


# --- readers' data rights -------------------------------------------------------------------


def test_an_export_has_the_commenter_record_and_sanctions_but_not_note_texts(moderator):
    make_comment(ArticleFactory(), author_email=EMAIL, author_name="Troll")
    sanctions.commenter_premoderate(email=EMAIL, by=moderator, message="Held for review.")
    sanctions.commenter_note_add(
        email=EMAIL, text="Same person as another@reader.org?", by=moderator
    )
    Commenter.objects.filter(email=EMAIL).update(name="Troll")

    data = comments_export(email=EMAIL)

    assert data["commenter"]["email"] == EMAIL
    assert data["commenter"]["name"] == "Troll"
    assert [(s["kind"], s["message"]) for s in data["sanctions"]] == [
        ("premoderate", "Held for review.")
    ]
    assert data["moderator_note_count"] == 1
    assert "another@reader.org" not in str(data)
    assert moderator.username not in str(data)


def test_an_erasure_deletes_the_commenter_with_notes_and_spent_sanctions(moderator):
    make_comment(ArticleFactory(), author_email=EMAIL)
    ban = sanctions.commenter_ban(email=EMAIL, by=moderator)
    sanctions.sanction_lift(sanction=ban, by=moderator)
    sanctions.commenter_premoderate(email=EMAIL, by=moderator)
    sanctions.commenter_note_add(email=EMAIL, text="A note.", by=moderator)

    assert comments_erase(email=EMAIL) == 1

    assert not Commenter.objects.exists()
    assert not CommenterNote.objects.exists()
    assert not CommenterSanction.objects.exists()


@pytest.mark.parametrize("kind", ["ban", "suspension"])
def test_an_erasure_keeps_a_ban_or_suspension_in_force(article, moderator, kind):
    make_comment(ArticleFactory(), author_email=EMAIL, author_name="Troll")
    Commenter.objects.create(email=EMAIL, name="Troll")
    if kind == "ban":
        sanctions.commenter_ban(email=EMAIL, by=moderator)
    else:
        sanctions.commenter_suspend(
            email=EMAIL, until=timezone.now() + timedelta(days=9), message="Wait.", by=moderator
        )
    sanctions.commenter_note_add(email=EMAIL, text="Why we did it.", by=moderator)

    comments_erase(email=EMAIL)

    commenter = Commenter.objects.get()
    assert (commenter.email, commenter.name) == (EMAIL, "")
    assert commenter.sanctions.get().kind == kind
    assert commenter.notes.count() == 1
    # Erasing is no way out of the sanction.
    if kind == "ban":
        assert post(article).comment.status == Comment.Status.SPAM
    else:
        with pytest.raises(CommentRefused):
            post(article)


def test_ip_candidates_are_exactly_what_normalize_stores():
    """The lookup's strings must equal the stored forms for every prefix, or a sanction
    would silently miss: compared with the standard library on random addresses."""
    rng = random.Random(5)
    masks = [(1 << 128) - 1, ((1 << 128) - 1) ^ ((1 << 64) - 1), 0xFFFF0000FFFF0000FFFF00000000FFFF]
    addresses = ["::1", "::", "2001:db8::1", "1::", "1:0:0:1:0:0:0:1", "0:1:0:1:0:1:0:1"]
    addresses += [
        str(ipaddress.IPv6Address(rng.getrandbits(128) & rng.choice(masks))) for _ in range(60)
    ]
    addresses += [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(60)]
    for address in addresses:
        ip = ipaddress.ip_address(address)
        expected = [moderation.normalize_ip_network(address)] + [
            moderation.normalize_ip_network(f"{address}/{prefix}")
            for prefix in range(ip.max_prefixlen)
        ]

        assert moderation.ip_network_candidates(address) == expected, address
    assert moderation.ip_network_candidates("not an ip") == []
