"""Write paths for commenter sanctions and moderator notes (staff only).

A sanction targets one thing: a commenter (by email, through `Commenter`), an IP
address or network, or an email domain (subdomains included). Kinds:

- ban: every new comment is stored as spam (answered like a held one, so the banned
  learn nothing); `retroactive_days` also marks their comments of the last N days spam;
- suspension: new comments are refused (429 with Retry-After and the staff's message)
  until `ends_at`;
- premoderate: every new comment is held.

A sanction is in force from `starts_at` until `ends_at` (none: until lifted) unless
lifted; the pipeline reads them in `comments.moderation.sanctions`. Nothing here is
public. Each function runs in one transaction: a bad value raises ValidationError naming
the field, and nothing is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Required, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from comments.matching import normalize_email, normalize_email_domain, normalize_ip_network
from comments.models import Comment, Commenter, CommenterNote, CommenterSanction, ReasonCode
from comments.moderating import comments_moderate

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

Kind = CommenterSanction.Kind
MESSAGE_MAX = CommenterSanction._meta.get_field("message").max_length
RETROACTIVE_DAYS_MAX = 365


class SanctionValues(TypedDict, total=False):
    """A sanction as staff give it: its kind, exactly one target (`email`, `ip_network`
    or `email_domain`), and what else it says."""

    kind: Required[str]
    email: str
    ip_network: str
    email_domain: str
    message: str  # shown to a suspended commenter; staff only otherwise
    starts_at: datetime | None  # none: now
    ends_at: datetime | None  # none: until lifted (a suspension needs one)
    retroactive_days: int | None  # a ban on an email: also reject their last N days


def commenter_for_email(*, email: str) -> Commenter:
    """The commenter record for an address (created when it has none yet)."""
    commenter, _ = Commenter.objects.get_or_create(email=_email_address(email))
    return commenter


def _email_address(value: str) -> str:
    """An address as commenters are stored: lower-case (ValidationError naming `email`
    unless it is an address)."""
    address = normalize_email(value or "")
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": ["Enter a valid email address."]}) from None
    return address


# A network or domain target: its stored form (comments.matching), and the message for
# a value that has none.
_TARGET_FORMS = {
    "ip_network": (normalize_ip_network, "Enter an IP address or a network (CIDR)."),
    "email_domain": (normalize_email_domain, "Enter a domain such as example.com."),
}


def _acting(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def sanction_validate(*, now: datetime | None = None, **values: Unpack[SanctionValues]) -> dict:
    """Check a sanction's values; return them normalized (the target as `email`,
    `ip_network` or `email_domain`). Raises ValidationError naming the field. Writes
    nothing: the admin's form calls it to show errors next to the fields."""
    now = now or timezone.now()
    kind = values["kind"]
    if kind not in Kind.values:
        raise ValidationError({"kind": [f'"{kind}" is not a valid sanction.']})
    given = {
        name: (values.get(name) or "").strip()
        for name in ("email", "ip_network", "email_domain")
        if (values.get(name) or "").strip()
    }
    if len(given) != 1:
        raise ValidationError(
            {"email": ["Give exactly one of an email address, an IP network or an email domain."]}
        )
    message = (values.get("message") or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {"message": [f"Ensure this field has no more than {MESSAGE_MAX} characters."]}
        )
    starts_at = values.get("starts_at") or now
    ends_at = values.get("ends_at")
    if kind == Kind.SUSPENSION and ends_at is None:
        raise ValidationError({"ends_at": ["A suspension needs an end date."]})
    if ends_at is not None and ends_at <= max(starts_at, now):
        raise ValidationError({"ends_at": ["The end must be in the future."]})
    retroactive_days = values.get("retroactive_days")
    if retroactive_days is not None:
        if kind != Kind.BAN or "email" not in given:
            raise ValidationError(
                {"retroactive_days": ["Only a ban on an email address can be retroactive."]}
            )
        if not 1 <= retroactive_days <= RETROACTIVE_DAYS_MAX:
            raise ValidationError(
                {"retroactive_days": [f"Give a number of days from 1 to {RETROACTIVE_DAYS_MAX}."]}
            )
    ((name, value),) = given.items()
    if name == "email":
        target = _email_address(value)
    else:
        stored_form, invalid = _TARGET_FORMS[name]
        try:
            target = stored_form(value)
        except ValueError:
            raise ValidationError({name: [invalid]}) from None
    return {
        "kind": kind,
        "message": message,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "retroactive_days": retroactive_days,
        name: target,
    }


@transaction.atomic
def sanction_create(
    *,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
    **values: Unpack[SanctionValues],
) -> CommenterSanction:
    """Create a sanction on exactly one of `email`, `ip_network` or `email_domain`.

    A ban with `retroactive_days` also marks the commenter's comments submitted in the
    last N days as spam (through comments_moderate: counts, threads, audit rows and the
    public cache stay right). Only an email ban can be retroactive: an IP or a domain may
    be shared by readers who did nothing wrong.
    """
    now = now or timezone.now()
    checked = sanction_validate(now=now, **values)
    address = checked.pop("email", None)
    if address:
        checked["commenter"] = commenter_for_email(email=address)
    sanction = CommenterSanction.objects.create(created_by=_acting(by), created_at=now, **checked)
    if checked["retroactive_days"]:
        _reject_recent(sanction, days=checked["retroactive_days"], by=by, now=now)
    return sanction


def _reject_recent(sanction: CommenterSanction, *, days: int, by, now: datetime) -> None:
    ids = list(
        Comment.objects.filter(
            author_email=sanction.commenter.email, submitted_at__gte=now - timedelta(days=days)
        )
        .exclude(status=Comment.Status.SPAM)
        .values_list("pk", flat=True)
    )
    if ids:
        comments_moderate(
            ids=ids,
            status=Comment.Status.SPAM,
            moderator=by,
            now=now,
            reason=ReasonCode.SPAM,
            note=f"Ban #{sanction.pk}: comments of the last {days} days rejected.",
        )


def commenter_ban(
    *,
    email: str,
    by: AbstractBaseUser | AnonymousUser | None,
    retroactive_days: int | None = None,
    message: str = "",
    now: datetime | None = None,
) -> CommenterSanction:
    """Ban an address: its new comments are spam; with `retroactive_days`, its comments
    of the last N days become spam too."""
    return sanction_create(
        kind=Kind.BAN,
        email=email,
        by=by,
        message=message,
        retroactive_days=retroactive_days,
        now=now,
    )


def commenter_suspend(
    *,
    email: str,
    until: datetime,
    message: str,
    by: AbstractBaseUser | AnonymousUser | None,
    now: datetime | None = None,
) -> CommenterSanction:
    """Refuse the address's comments (429 with `message`) until `until`."""
    return sanction_create(
        kind=Kind.SUSPENSION, email=email, ends_at=until, message=message, by=by, now=now
    )


def commenter_premoderate(
    *,
    email: str,
    by: AbstractBaseUser | AnonymousUser | None,
    message: str = "",
    now: datetime | None = None,
) -> CommenterSanction:
    """Hold every new comment from the address for moderation, until lifted."""
    return sanction_create(kind=Kind.PREMODERATE, email=email, message=message, by=by, now=now)


@transaction.atomic
def sanction_lift(
    *,
    sanction: CommenterSanction,
    by: AbstractBaseUser | AnonymousUser | None,
    now: datetime | None = None,
) -> CommenterSanction:
    """End a sanction now (kept, for the record). Lifting twice changes nothing. On a
    commenter's sanction, a note records who lifted it."""
    now = now or timezone.now()
    locked = CommenterSanction.objects.select_for_update().get(pk=sanction.pk)
    if locked.lifted_at is None:
        locked.lifted_at = now
        locked.save(update_fields=["lifted_at"])
        if locked.commenter_id is not None:
            CommenterNote.objects.create(
                commenter_id=locked.commenter_id,
                text=f"{locked.get_kind_display()} #{locked.pk} lifted.",
                author=_acting(by),
                created_at=now,
            )
    return locked


@transaction.atomic
def commenter_note_add(
    *,
    email: str,
    text: str,
    by: AbstractBaseUser | AnonymousUser | None,
    now: datetime | None = None,
) -> CommenterNote:
    """A moderator's note about the commenter (staff only, never public)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["This field may not be blank."]})
    return CommenterNote.objects.create(
        commenter=commenter_for_email(email=email),
        text=text,
        author=_acting(by),
        created_at=now or timezone.now(),
    )
