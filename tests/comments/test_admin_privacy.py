"""Admin → Comments → Privacy requests: staff run an export or an erasure for an address
(logged with who and when), and the policy's data settings are editable."""

import json

import pytest
from django.contrib.auth.models import Permission

from articles.models import Article
from comments.models import Comment, ModerationPolicy, PrivacyRequest
from comments.privacy import email_digest
from tests.comments.factories import CommentFactory
from tests.comments.helpers import ANONYMIZED
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

RUN = "/admin/comments/privacyrequest/run/"
CHANGELIST = "/admin/comments/privacyrequest/"
POLICY = "/admin/comments/moderationpolicy/1/change/"
DANA = "dana.private@reader.example"


@pytest.fixture
def comments():
    article = ArticleFactory(slug="admin-story", title="Admin Story")
    dana = {
        "author_name": "Dana",
        "author_email": DANA,
        "author_url": "https://dana.example",
        "user_agent": "DanaBrowser/3",
    }
    top = CommentFactory(article=article, body="Dana approved.", ip_address="192.0.2.70", **dana)
    held = CommentFactory(
        article=article,
        body="Dana held.",
        status=Comment.Status.PENDING,
        is_listed=False,
        ip_address="192.0.2.71",
        **dana,
    )
    other = CommentFactory(
        article=article, parent=top, depth=1, author_email="eve@reader.example", body="Eve."
    )
    Article.objects.filter(pk=article.pk).update(comment_count=2)
    return {"article": article, "top": top, "held": held, "other": other}


def rows() -> dict[int, dict]:
    return {values["id"]: values for values in Comment.objects.values()}


def test_the_run_page_shows_the_form(admin):
    response = admin.get(RUN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'name="kind"' in html
    assert 'name="confirm_erase"' in html


def test_the_changelist_links_to_the_run_page(admin):
    response = admin.get(CHANGELIST)
    assert response.status_code == 200
    assert RUN in response.content.decode()


def test_staff_export_downloads_json_and_is_logged(admin, staff_user, comments):
    before = rows()

    response = admin.post(RUN, {"email": "  DANA.Private@reader.example", "kind": "export"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="comments-export.json"'
    data = json.loads(response.content)
    assert data["email"] == DANA
    exported = {item["id"]: item for item in data["comments"]}
    assert set(exported) == {comments["top"].pk, comments["held"].pk}
    top = exported[comments["top"].pk]
    assert top["body"] == "Dana approved."
    assert top["article_title"] == "Admin Story"
    assert top["ip_address"] == "192.0.2.70"
    assert top["user_agent"] == "DanaBrowser/3"
    assert top["author_url"] == "https://dana.example"
    assert exported[comments["held"].pk]["status"] == "pending"
    assert "eve@reader.example" not in response.content.decode()
    assert rows() == before

    [logged] = PrivacyRequest.objects.all()
    assert logged.kind == PrivacyRequest.Kind.EXPORT
    assert logged.source == PrivacyRequest.Source.STAFF
    assert logged.requested_by == staff_user
    assert logged.email == DANA
    assert logged.email_digest == email_digest(DANA)
    assert logged.completed_at is not None
    assert logged.comments_affected == 2


def test_staff_export_of_an_address_without_comments_is_empty_and_logged(admin):
    response = admin.post(RUN, {"email": "nobody@reader.example", "kind": "export"})
    assert response.status_code == 200
    assert json.loads(response.content)["comments"] == []
    assert PrivacyRequest.objects.get().comments_affected == 0


def test_erasure_without_the_confirmation_box_changes_nothing(admin, comments):
    before = rows()

    response = admin.post(RUN, {"email": DANA, "kind": "erase"})

    assert response.status_code == 200
    assert "Tick the confirmation box to erase." in response.content.decode()
    assert rows() == before
    assert not PrivacyRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-address", "kind": "export"},
        {"email": DANA, "kind": "shred", "confirm_erase": "on"},
        {"email": "", "kind": "erase", "confirm_erase": "on"},
    ],
)
def test_invalid_runs_are_refused(admin, comments, data):
    before = rows()
    response = admin.post(RUN, data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert rows() == before
    assert not PrivacyRequest.objects.exists()


def test_staff_erasure_anonymizes_and_is_logged(admin, client, staff_user, comments):
    before = rows()

    response = admin.post(RUN, {"email": DANA, "kind": "erase", "confirm_erase": "on"})

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    after = rows()
    assert after[comments["top"].pk] == {**before[comments["top"].pk], **ANONYMIZED}
    assert after[comments["held"].pk] == {**before[comments["held"].pk], **ANONYMIZED, "body": ""}
    assert after[comments["other"].pk] == before[comments["other"].pk]
    assert Article.objects.get(pk=comments["article"].pk).comment_count == 2

    [logged] = PrivacyRequest.objects.all()
    assert logged.kind == PrivacyRequest.Kind.ERASE
    assert logged.source == PrivacyRequest.Source.STAFF
    assert logged.requested_by == staff_user
    assert logged.completed_at is not None
    assert logged.comments_affected == 2
    assert logged.email == ""
    assert logged.email_digest == email_digest(DANA)

    followed = admin.get(response["Location"])
    assert "2 comment(s) anonymized." in followed.content.decode()


def test_staff_erasure_forgets_the_address_in_earlier_log_entries(admin, comments):
    assert admin.post(RUN, {"email": DANA, "kind": "export"}).status_code == 200
    admin.post(RUN, {"email": DANA, "kind": "erase", "confirm_erase": "on"})
    assert PrivacyRequest.objects.count() == 2
    assert list(PrivacyRequest.objects.values_list("email", flat=True)) == ["", ""]


def test_the_changelist_lists_the_runs(admin, staff_user, comments):
    admin.post(RUN, {"email": DANA, "kind": "export"})
    admin.post(RUN, {"email": DANA, "kind": "erase", "confirm_erase": "on"})

    response = admin.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 privacy requests" in html
    listed = list(response.context["cl"].result_list)
    assert [(r.kind, r.source, r.requested_by) for r in listed] == [
        ("erase", "staff", staff_user),
        ("export", "staff", staff_user),
    ]
    assert all(r.completed_at is not None for r in listed)
    assert f">{staff_user.username}<" in html
    assert DANA not in html  # the list shows who ran what, not for whom
    assert "Export" in html
    assert "Erase" in html
    assert "Staff (admin)" in html
    # The log is read-only and kept.
    assert admin.get(f"{CHANGELIST}add/").status_code == 403
    entry = PrivacyRequest.objects.first()
    assert admin.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PrivacyRequest.objects.count() == 2


def test_readers_cannot_reach_the_run_page(client, comments):
    before = rows()
    response = client.get(RUN)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    client.force_login(UserFactory())  # signed in, not staff
    for response in (
        client.get(RUN),
        client.post(RUN, {"email": DANA, "kind": "erase", "confirm_erase": "on"}),
        client.post(RUN, {"email": DANA, "kind": "export"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert DANA not in response.content.decode()
    assert rows() == before
    assert not PrivacyRequest.objects.exists()


def test_staff_without_the_comment_permission_cannot_run(client, comments):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(RUN).status_code == 403
    assert client.post(RUN, {"email": DANA, "kind": "export"}).status_code == 403
    assert not PrivacyRequest.objects.exists()


def test_staff_with_the_privacy_permission_can_run(client, comments):
    # Moderating comments is not enough: exporting or erasing a reader's data is a
    # permission of its own (issue #14, item 6).
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="change_comment"))
    client.force_login(moderator)
    assert client.post(RUN, {"email": DANA, "kind": "export"}).status_code == 403
    assert not PrivacyRequest.objects.exists()

    moderator.user_permissions.add(Permission.objects.get(codename="run_privacy_request"))
    client.force_login(type(moderator).objects.get(pk=moderator.pk))  # fresh permissions
    response = client.post(RUN, {"email": DANA, "kind": "export"})
    assert response.status_code == 200
    assert PrivacyRequest.objects.get().requested_by == moderator


# --- the policy's data settings -------------------------------------------------------


def test_the_policy_form_edits_the_data_settings(admin):
    ModerationPolicy.load()
    page = admin.get(POLICY)
    assert page.status_code == 200
    form = page.context["adminform"].form
    for name in ("edit_window_minutes", "erase_keeps_approved_bodies", "metadata_retention_days"):
        assert name in form.fields, name

    data = {name: value for name, value in form.initial.items() if value is not None}
    data = {name: value for name, value in data.items() if name in form.fields}
    for name, value in list(data.items()):
        if value is True:
            data[name] = "on"
        elif value is False:
            del data[name]
    data.update({"edit_window_minutes": "5", "metadata_retention_days": "14"})
    data.pop("erase_keeps_approved_bodies", None)  # unticked

    response = admin.post(POLICY, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy = ModerationPolicy.load()
    assert policy.edit_window_minutes == 5
    assert policy.metadata_retention_days == 14
    assert policy.erase_keeps_approved_bodies is False
