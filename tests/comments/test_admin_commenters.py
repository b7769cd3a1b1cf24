"""The commenter pages in the admin: search by email, counts by status, comments across
articles, notes and sanctions; the ban / suspend / pre-moderate actions; IP and domain
sanctions; bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import sanctions
from comments.models import Comment, Commenter, CommenterNote, CommenterSanction
from tests.comments.helpers import admin_action, make_comment, proof_header, text_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

COMMENTERS = "/admin/comments/commenter/"
SANCTIONS = "/admin/comments/commentersanction/"
EMAIL = "ada@example.com"


def commenter(email: str = EMAIL, name: str = "Ada") -> Commenter:
    return Commenter.objects.create(email=email, name=name)


run_action = partial(admin_action, changelist=COMMENTERS)


def queries_for(admin, url) -> int:
    admin.get(url)  # warm Django's per-process caches (content types) first
    with CaptureQueriesContext(connection) as captured:
        assert admin.get(url).status_code == 200
    return len(captured.captured_queries)


# --- finding a commenter --------------------------------------------------------------------


@pytest.mark.parametrize("term", ["ada@example.com", "ada@", "EXAMPLE.COM"])
def test_commenters_are_found_by_whole_or_partial_email(admin, term):
    commenter()
    commenter("grace@elsewhere.org", "Grace")

    response = admin.get(COMMENTERS, {"q": term})

    assert response.status_code == 200
    assert EMAIL in text_of(response)
    assert "grace@elsewhere.org" not in text_of(response)


def test_the_list_shows_comment_totals_and_sanctions_in_force(admin, staff_user):
    ada = commenter()
    commenter("grace@elsewhere.org", "Grace")
    for _ in range(3):
        make_comment(ArticleFactory(), author_email=EMAIL)
    sanctions.commenter_premoderate(email=EMAIL, by=staff_user)

    rows = {
        row.split("</th>")[0]: row
        for row in re.findall(r"<tr>.*?</tr>", admin.get(COMMENTERS).content.decode(), re.S)
    }

    ada_row = next(row for key, row in rows.items() if ada.email in key)
    assert ">3<" in ada_row
    assert "Always pre-moderate" in ada_row


def test_posting_a_comment_makes_the_commenter_findable(admin, api_client):
    article = ArticleFactory()
    api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"author_name": "New Reader", "author_email": "New@Example.net", "body": "Hi"},
        format="json",
    )

    assert "new@example.net" in text_of(admin.get(COMMENTERS, {"q": "new@example"}))


# --- the commenter's page -------------------------------------------------------------------


def test_the_page_shows_counts_comments_across_articles_notes_and_sanctions(admin, staff_user):
    ada = commenter()
    first, second = ArticleFactory(title="Budget story"), ArticleFactory(title="Cameras story")
    make_comment(first, author_email=EMAIL, body="Approved words")
    make_comment(second, author_email=EMAIL, status="spam", body="Spammy words")
    make_comment(second, author_email=EMAIL, status="pending", body="Held words")
    make_comment(second, author_email="someone@else.org", body="Not hers")
    sanctions.commenter_note_add(email=EMAIL, text="Second warning about tone.", by=staff_user)
    sanctions.commenter_suspend(
        email=EMAIL, until=timezone.now() + timedelta(days=3), message="Cool off.", by=staff_user
    )

    response = admin.get(f"{COMMENTERS}{ada.pk}/change/")

    text = text_of(response)
    assert "1 pending · 1 approved · 1 spam · 0 removed" in text
    assert "Budget story" in text and "Cameras story" in text
    assert "Approved words" in text and "Held words" in text
    assert "Not hers" not in text
    assert "Second warning about tone." in text
    assert "Suspension (refused until a date)" in text and "in force" in text
    html = response.content.decode()
    assert "author_email__exact=ada%40example.com&amp;status__exact=spam" in html
    assert re.search(r'href="/admin/comments/comment/\d+/change/"', html)
    queue = admin.get("/admin/comments/comment/", {"author_email__exact": EMAIL})
    assert queue.status_code == 200
    assert "Held words" in text_of(queue) and "Not hers" not in text_of(queue)


def test_the_page_caps_the_comment_list(admin, settings):
    from comments.admin import commenters as commenter_admin

    ada = commenter()
    article = ArticleFactory()
    for _ in range(5):
        make_comment(article, author_email=EMAIL)
    settings.DEBUG = False
    original = commenter_admin.COMMENTS_SHOWN
    commenter_admin.COMMENTS_SHOWN = 3
    try:
        html = admin.get(f"{COMMENTERS}{ada.pk}/change/").content.decode()
    finally:
        commenter_admin.COMMENTS_SHOWN = original

    assert len(re.findall(r'<tr><td><a href="/admin/comments/comment/\d+/change/"', html)) == 3
    assert "All their comments in the queue" in html


def test_the_commenter_page_runs_a_fixed_number_of_queries(admin, staff_user):
    ada = commenter()
    article = ArticleFactory()
    make_comment(article, author_email=EMAIL)
    sanctions.commenter_note_add(email=EMAIL, text="One note.", by=staff_user)
    sanctions.commenter_premoderate(email=EMAIL, by=staff_user)
    url = f"{COMMENTERS}{ada.pk}/change/"
    one = queries_for(admin, url)

    for _ in range(30):
        make_comment(ArticleFactory(), author_email=EMAIL)
    for n in range(10):
        sanctions.commenter_note_add(email=EMAIL, text=f"Note {n}.", by=staff_user)
    sanctions.commenter_ban(email=EMAIL, by=staff_user)
    many = queries_for(admin, url)

    assert one == many


def test_the_commenter_list_runs_a_fixed_number_of_queries(admin, staff_user):
    commenter()
    one = queries_for(admin, COMMENTERS)

    for n in range(20):
        commenter(f"reader{n}@example.org", f"Reader {n}")
        make_comment(ArticleFactory(), author_email=f"reader{n}@example.org")
        sanctions.commenter_ban(email=f"reader{n}@example.org", by=staff_user)
    many = queries_for(admin, COMMENTERS)

    assert one == many


def test_a_note_added_on_the_page_is_signed_by_the_moderator(admin, staff_user):
    ada = commenter()
    data = {
        "sanctions-TOTAL_FORMS": "0",
        "sanctions-INITIAL_FORMS": "0",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-2-TOTAL_FORMS": "1",
        "notes-2-INITIAL_FORMS": "0",
        "notes-2-0-text": "Asked to keep it civil.",
        "_continue": "Save",
    }

    response = admin.post(f"{COMMENTERS}{ada.pk}/change/", data)

    assert response.status_code == 302, text_of(response)[:2000]
    note = CommenterNote.objects.get()
    assert (note.commenter, note.author, note.text) == (ada, staff_user, "Asked to keep it civil.")
    ada.refresh_from_db()
    assert (ada.email, ada.name) == (EMAIL, "Ada")


def test_commenters_cannot_be_added_or_deleted_in_the_admin(admin):
    ada = commenter()

    assert admin.get(f"{COMMENTERS}add/").status_code == 403
    assert admin.post(f"{COMMENTERS}{ada.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Commenter.objects.filter(pk=ada.pk).exists()


# --- actions --------------------------------------------------------------------------------


def test_ban_action(admin, staff_user):
    ada, grace = commenter(), commenter("grace@elsewhere.org", "Grace")

    response = run_action(admin, "ban_selected", [ada, grace])

    assert response.status_code == 302
    bans = CommenterSanction.objects.filter(kind="ban")
    assert {s.commenter for s in bans} == {ada, grace}
    assert {s.created_by for s in bans} == {staff_user}
    assert all(s.retroactive_days is None for s in bans)


def test_ban_and_reject_asks_for_n_then_rejects_the_last_n_days(admin):
    ada = commenter()
    article = ArticleFactory()
    now = timezone.now()
    recent = make_comment(article, author_email=EMAIL, submitted_at=now - timedelta(days=2))
    old = make_comment(article, author_email=EMAIL, submitted_at=now - timedelta(days=6))

    asked = run_action(admin, "ban_and_reject_selected", [ada])

    assert asked.status_code == 200
    assert 'name="days"' in asked.content.decode()
    assert EMAIL in text_of(asked)
    assert not CommenterSanction.objects.exists()

    bad = run_action(admin, "ban_and_reject_selected", [ada], apply="1", days="0")
    assert bad.status_code == 200
    assert not CommenterSanction.objects.exists()

    done = run_action(admin, "ban_and_reject_selected", [ada], apply="1", days="5", message="")

    assert done.status_code == 302
    ban = CommenterSanction.objects.get()
    assert (ban.kind, ban.retroactive_days, ban.commenter) == ("ban", 5, ada)
    assert Comment.objects.get(pk=recent.pk).status == Comment.Status.SPAM
    assert Comment.objects.get(pk=old.pk).status == Comment.Status.APPROVED


def test_suspend_asks_for_the_date_and_message(admin, api_client):
    ada = commenter()
    until = (timezone.localtime() + timedelta(days=3)).replace(second=0, microsecond=0)

    asked = run_action(admin, "suspend_selected", [ada])
    assert asked.status_code == 200
    assert 'name="until"' in asked.content.decode()

    past = run_action(
        admin, "suspend_selected", [ada], apply="1", until="2001-01-01T10:00", message="No."
    )
    assert past.status_code == 200
    assert "Choose a time in the future." in text_of(past)

    done = run_action(
        admin,
        "suspend_selected",
        [ada],
        apply="1",
        until=until.strftime("%Y-%m-%dT%H:%M"),
        message="Back on Monday.",
    )

    assert done.status_code == 302
    suspension = CommenterSanction.objects.get()
    assert (suspension.kind, suspension.ends_at, suspension.message) == (
        "suspension",
        until,
        "Back on Monday.",
    )
    # Ada proves her address (the suspension is told only to its owner).
    refused = api_client.post(
        f"/api/v1/articles/{ArticleFactory().slug}/comments/",
        {"author_name": "Ada", "author_email": EMAIL, "body": "Let me in"},
        format="json",
        **proof_header(EMAIL),
    )
    assert refused.status_code == 429
    assert "Back on Monday." in refused.json()["detail"]


def test_premoderate_action(admin):
    ada = commenter()

    run_action(admin, "premoderate_selected", [ada])

    assert CommenterSanction.objects.get().kind == "premoderate"


# --- the sanctions list: IP and domain sanctions --------------------------------------------


def _sanction_form(**fields) -> dict:
    data = {
        "kind": "ban",
        "email": "",
        "ip_network": "",
        "email_domain": "",
        "message": "",
        "starts_at_0": timezone.localtime().strftime("%Y-%m-%d"),
        "starts_at_1": timezone.localtime().strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
        "retroactive_days": "",
        "_save": "Save",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"ip_network": "198.51.100.7/24"}, {"ip_network": "198.51.100.0/24"}),
        ({"email_domain": "Spam.Example"}, {"email_domain": "spam.example"}),
        ({"email": "Troll@Example.com", "kind": "premoderate"}, {"kind": "premoderate"}),
    ],
)
def test_staff_add_ip_domain_or_email_sanctions(admin, staff_user, fields, expected):
    response = admin.post(f"{SANCTIONS}add/", _sanction_form(**fields))

    assert response.status_code == 302, text_of(response)[:3000]
    sanction = CommenterSanction.objects.get()
    for name, value in expected.items():
        assert getattr(sanction, name) == value
    assert sanction.created_by == staff_user
    if "email" in fields:
        assert sanction.commenter.email == "troll@example.com"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ip_network": "not-an-ip"}, "Enter an IP address or a network (CIDR)."),
        ({}, "Give exactly one of an email address, an IP network or an email domain."),
        ({"ip_network": "10.0.0.1", "email_domain": "a.example"}, "Give exactly one"),
        ({"kind": "suspension", "ip_network": "10.0.0.1"}, "A suspension needs an end date."),
    ],
)
def test_a_bad_sanction_form_shows_the_error_and_writes_nothing(admin, fields, message):
    response = admin.post(f"{SANCTIONS}add/", _sanction_form(**fields))

    assert response.status_code == 200
    assert message in text_of(response)
    assert not CommenterSanction.objects.exists()


def test_lift_action_and_state_filter(admin, staff_user):
    ban = sanctions.sanction_create(kind="ban", ip_network="192.0.2.0/24", by=staff_user)
    other = sanctions.sanction_create(kind="ban", email_domain="spam.example", by=staff_user)

    response = admin_action(admin, "lift_selected", [ban], changelist=SANCTIONS)

    assert response.status_code == 302
    ban.refresh_from_db()
    other.refresh_from_db()
    assert ban.lifted_at is not None and other.lifted_at is None
    in_force = text_of(admin.get(SANCTIONS, {"state": "in_force"}))
    assert "spam.example" in in_force and "192.0.2.0/24" not in in_force
    over = text_of(admin.get(SANCTIONS, {"state": "over"}))
    assert "192.0.2.0/24" in over and "lifted" in over


def test_a_sanction_page_is_read_only(admin, staff_user):
    ban = sanctions.sanction_create(kind="ban", ip_network="192.0.2.1", by=staff_user)

    response = admin.get(f"{SANCTIONS}{ban.pk}/change/")

    assert response.status_code == 200
    assert 'name="ip_network"' not in response.content.decode()
    assert admin.post(f"{SANCTIONS}{ban.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_sanctions_list_runs_a_fixed_number_of_queries(admin, staff_user):
    sanctions.commenter_ban(email=EMAIL, by=staff_user)
    one = queries_for(admin, SANCTIONS)

    for n in range(15):
        sanctions.commenter_ban(email=f"reader{n}@example.org", by=staff_user)
        sanctions.sanction_create(kind="premoderate", ip_network=f"10.0.{n}.0/24", by=staff_user)
    many = queries_for(admin, SANCTIONS)

    assert one == many


# --- the policy and article admin pages -----------------------------------------------------


def test_the_policy_page_has_the_new_rules(admin):
    from comments.models import ModerationPolicy

    policy = ModerationPolicy.load()

    html = admin.get(f"/admin/comments/moderationpolicy/{policy.pk}/change/").content.decode()

    for field in [
        "approved_comments_required",
        "rejection_rate_percent",
        "rejection_rate_window_days",
        "rejection_rate_min_comments",
        "suspect_words",
        "banned_words",
        "reactions_enabled",
        "reaction_label",
    ]:
        assert f'name="{field}"' in html
