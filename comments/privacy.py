"""Readers' control over their data: export, erasure, metadata retention.

- A reader asks (`POST /api/v1/privacy/requests/`); the answer is the same whether or not
  the address has comments. A background task (comments.tasks, which queues it) looks
  the address up and, only if it has comments, emails it a signed link that expires
  (PRIVACY_LINK_MAX_AGE, 48 h).
- Following the link exports (a JSON download, as often as wanted while it is valid) or
  erases (once). Staff can run both for an address in the admin; every run is logged in
  `PrivacyRequest` with who and when.
- Erasure anonymizes like WordPress's eraser: name "Anonymous", email, URL and user
  agent emptied, IP removed, link to a user dropped; bodies of comments not approved are
  removed; approved bodies are kept or replaced, by policy. Threads and counts stay.
  The commenter record goes with its notes and sanctions, unless a ban or suspension is
  in force: that is kept (abuse prevention), with the address, and only the name goes.
- `purge_comment_metadata` removes IPs and user agents older than the retention period.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles import links
from comments.matching import normalize_email
from comments.models import (
    Comment,
    Commenter,
    CommenterSanction,
    ModerationPolicy,
    PrivacyRequest,
)
from comments.signals import public_comments_changed

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

LINK_SALT = "comments.privacy-request"
ANONYMOUS = "Anonymous"
REMOVED_BODY = "[removed at the author's request]"


class InvalidPrivacyLink(Exception):
    """The link is forged, malformed, expired, or an erasure link already used."""


def email_digest(email: str) -> str:
    """A keyed hash of the address, for the log (never shown publicly)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalize_email(email).encode(), hashlib.sha256).hexdigest()


def link_token(request: PrivacyRequest) -> str:
    return signing.dumps({"r": request.pk, "k": request.kind}, salt=LINK_SALT, compress=True)


def link_url(request: PrivacyRequest) -> str:
    return links.absolute(reverse("api:privacy-confirm") + f"?token={link_token(request)}")


def request_for_token(*, token: str) -> PrivacyRequest:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.PRIVACY_LINK_MAX_AGE)
        request = PrivacyRequest.objects.get(pk=int(data["r"]), kind=data["k"])
    except signing.SignatureExpired:
        raise InvalidPrivacyLink("This link has expired. Please ask again.") from None
    except (
        signing.BadSignature,
        PrivacyRequest.DoesNotExist,
        KeyError,
        TypeError,
        ValueError,
    ):
        raise InvalidPrivacyLink("This link is not valid.") from None
    if request.kind == PrivacyRequest.Kind.ERASE and request.completed_at is not None:
        raise InvalidPrivacyLink("This erasure link has already been used.")
    if not request.email:
        # The address has been erased since: the log no longer knows it.
        raise InvalidPrivacyLink("This link is no longer valid.")
    return request


def privacy_request_mail_link(*, email: str, kind: str) -> PrivacyRequest | None:
    """If the address has comments, record the request and email it the signed link."""
    address = normalize_email(email)
    if not Comment.objects.filter(author_email=address).exists():
        return None
    request = PrivacyRequest.objects.create(
        kind=kind,
        source=PrivacyRequest.Source.READER,
        email=address,
        email_digest=email_digest(address),
    )
    hours = settings.PRIVACY_LINK_MAX_AGE // 3600
    action = "download a copy of" if kind == PrivacyRequest.Kind.EXPORT else "erase"
    body = (
        f"Someone (hopefully you) asked to {action} the comments written with this address "
        f"on {settings.SITE_NAME}.\n\n"
        f"To go ahead, open this link within {hours} hours:\n{link_url(request)}\n\n"
        "If you did not ask for this, ignore this email: nothing will happen.\n"
    )
    subject = f"[{settings.SITE_NAME}] Confirm your {request.get_kind_display().lower()} request"
    EmailMessage(subject=subject, body=body, to=[address]).send(fail_silently=False)
    return request


def comments_export(*, email: str) -> dict:
    """Every comment written with the address, with everything stored about it."""
    address = normalize_email(email)
    # An empty address (an erased log entry) must not match every anonymized comment.
    comments = (
        Comment.objects.filter(author_email=address)
        .exclude(author_email="")
        .select_related("article")
        .order_by("submitted_at", "id")
    )
    return {
        "email": address,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": c.pk,
                "article_title": c.article.title,
                "article_url": links.absolute(links.article_path(c.article)),
                "author_name": c.author_name,
                "author_email": c.author_email,
                "author_url": c.author_url,
                "ip_address": c.ip_address,
                "user_agent": c.user_agent,
                "submitted_at": c.submitted_at.isoformat(),
                "body": c.body,
                "status": c.status,
                "parent": c.parent_id,
            }
            for c in comments
        ],
        **_commenter_export(address),
    }


def _commenter_export(address: str) -> dict:
    """The commenter record and the sanctions on it (what they are, not who decided).
    Moderators' notes are free text that may name other readers: counted, not copied;
    a reader who wants them asks, and staff answer by hand (docs/privacy.md)."""
    commenter = Commenter.objects.filter(email=address).exclude(email="").first()
    if commenter is None:
        return {"commenter": None, "sanctions": [], "moderator_note_count": 0}
    return {
        "commenter": {
            "email": commenter.email,
            "name": commenter.name,
            "first_seen": commenter.created_at.isoformat(),
        },
        "sanctions": [
            {
                "kind": s.kind,
                "message": s.message,
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat() if s.ends_at else None,
                "lifted_at": s.lifted_at.isoformat() if s.lifted_at else None,
            }
            for s in commenter.sanctions.order_by("created_at", "id")
        ],
        "moderator_note_count": commenter.notes.count(),
    }


def _commenter_erase(address: str) -> None:
    """Delete the commenter record with its notes and sanctions, unless a ban or a
    suspension is still in force (or scheduled): then the address, that sanction and the
    notes behind it are kept, for abuse prevention (docs/privacy.md), and only the name
    goes. Erasing must not be a way out of a ban."""
    commenter = Commenter.objects.filter(email=address).first()
    if commenter is None:
        return
    binding = (
        CommenterSanction.objects.filter(
            commenter=commenter,
            kind__in=[CommenterSanction.Kind.BAN, CommenterSanction.Kind.SUSPENSION],
            lifted_at__isnull=True,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
        .exists()
    )
    if binding:
        Commenter.objects.filter(pk=commenter.pk).update(name="")
    else:
        commenter.delete()


@transaction.atomic
def comments_erase(*, email: str) -> int:
    """Anonymize every comment written with the address. Returns how many."""
    address = normalize_email(email)
    if not address:  # an erased log entry: never "every comment without an address"
        return 0
    policy = ModerationPolicy.load()
    comments = Comment.objects.select_for_update().filter(author_email=address)
    ids = list(comments.values_list("pk", flat=True))
    # After the comments' locks, in the order a reply being posted takes them (its
    # parent, then the commenter upsert): no deadlock with the author replying to
    # themselves during their own erasure.
    _commenter_erase(address)
    if not ids:
        return 0
    anonymous = {
        "author_name": ANONYMOUS,
        "author_email": "",
        "author_url": "",
        "user_agent": "",
        "ip_address": None,
        "user": None,
        "notify_replies": False,
        "edit_key_hash": "",
    }
    Comment.objects.filter(pk__in=ids).update(**anonymous)
    Comment.objects.filter(pk__in=ids).exclude(status=Comment.Status.APPROVED).update(body="")
    if not policy.erase_keeps_approved_bodies:
        Comment.objects.filter(pk__in=ids, status=Comment.Status.APPROVED).update(body=REMOVED_BODY)
    # Public comments now show "Anonymous": the cached comment lists must not.
    public_comments_changed.send(
        sender=Comment,
        article_ids=Comment.objects.filter(pk__in=ids, is_listed=True)
        .values_list("article_id", flat=True)
        .distinct(),
    )
    return len(ids)


@transaction.atomic
def privacy_request_complete(*, request: PrivacyRequest) -> dict | int:
    """Carry out a reader's confirmed request: the export data, or the erasure count."""
    if request.kind == PrivacyRequest.Kind.EXPORT:
        data = comments_export(email=request.email)
        request.comments_affected = len(data["comments"])
        request.completed_at = request.completed_at or timezone.now()
        request.save(update_fields=["comments_affected", "completed_at"])
        return data
    # Lock the row: two clicks on the same erasure link run it once.
    locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if locked.completed_at is not None:
        raise InvalidPrivacyLink("This erasure link has already been used.")
    if not locked.email:  # another erasure of this address ran meanwhile
        raise InvalidPrivacyLink("This link is no longer valid.")
    count = comments_erase(email=locked.email)
    locked.comments_affected = count
    locked.completed_at = timezone.now()
    locked.save(update_fields=["comments_affected", "completed_at"])
    # The log keeps only the keyed hash of an erased address: in this entry and in every
    # earlier one (exports, unused links), whose links then stop working.
    PrivacyRequest.objects.filter(
        Q(email=locked.email) | Q(email_digest=locked.email_digest)
    ).update(email="")
    return count


@transaction.atomic
def privacy_staff_run(
    *, email: str, kind: str, staff_user: AbstractBaseUser
) -> tuple[PrivacyRequest, dict | int]:
    """A moderator exports or erases an address's comments from the admin; logged."""
    address = normalize_email(email)
    request = PrivacyRequest.objects.create(
        kind=kind,
        source=PrivacyRequest.Source.STAFF,
        email=address,
        email_digest=email_digest(address),
        requested_by=staff_user,
    )
    return request, privacy_request_complete(request=request)


def comment_metadata_purge(
    *, now: datetime | None = None, older_than_days: int | None = None
) -> int:
    """Remove IP addresses and user agents of comments older than the retention period.
    Flood control only looks back seconds, so recent comments keep what it needs."""
    now = now or timezone.now()
    days = older_than_days or ModerationPolicy.load().metadata_retention_days
    cutoff = now - timedelta(days=max(days, 1))
    stale = Comment.objects.filter(submitted_at__lt=cutoff).exclude(
        ip_address__isnull=True, user_agent=""
    )
    return stale.update(ip_address=None, user_agent="")
