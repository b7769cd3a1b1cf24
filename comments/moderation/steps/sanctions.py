"""Steps that apply the staff's sanctions (comments.sanctions writes them): a ban or a
suspension early, with the spam checks; "always pre-moderate" later, with the holds."""

from __future__ import annotations

import math
from datetime import UTC

from comments.models import CommenterSanction, ReasonCode
from comments.moderation.lookups import active_sanctions
from comments.moderation.pipeline import Submission, Verdict


def _sanction_target(sanction: CommenterSanction) -> str:
    # For the audit note (staff only): which kind of target matched, not its value.
    if sanction.ip_network:
        return "IP"
    if sanction.email_domain:
        return "email domain"
    return "commenter"


def sanctions(sub: Submission) -> Verdict | None:
    """A ban marks the comment spam (answered like a held one, so the banned learn
    nothing); a suspension refuses it with 429 until its end, with the staff's message.
    A suspension of an address (or its domain) is told only to a submission that proves
    the address: anyone else would learn that the address is suspended, so for them it
    is a ban while it lasts. Pre-moderation is left to `commenter_premoderated`, after
    the spam checks."""
    for sanction in active_sanctions(sub):
        if sanction.kind == CommenterSanction.Kind.BAN:
            return Verdict.spam(
                f"banned ({_sanction_target(sanction)} sanction #{sanction.pk})",
                code=ReasonCode.SPAM,
            )
        if sanction.kind == CommenterSanction.Kind.SUSPENSION and sanction.ends_at:
            if sub.editing_comment_id is not None:
                # An edit is not a new comment to refuse, but it is not published either.
                return Verdict.hold(
                    f"edited while suspended (sanction #{sanction.pk})", code=ReasonCode.OTHER
                )
            if not sanction.ip_network and not sub.email_proven:
                return Verdict.spam(
                    f"suspended, address not confirmed (sanction #{sanction.pk})",
                    code=ReasonCode.SPAM,
                )
            wait = max(math.ceil((sanction.ends_at - sub.now).total_seconds()), 1)
            until = sanction.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            message = sanction.message or "You cannot comment for now."
            return Verdict(
                reject="suspended",
                reason=f"{message} (until {until})",
                retry_after=wait,
                code=ReasonCode.OTHER,
            )
    return None


def commenter_premoderated(sub: Submission) -> Verdict | None:
    """An "always pre-moderate" sanction on the email, its domain or the IP."""
    for sanction in active_sanctions(sub):
        if sanction.kind == CommenterSanction.Kind.PREMODERATE:
            return Verdict.hold(
                f"always pre-moderated ({_sanction_target(sanction)} sanction #{sanction.pk})",
                code=ReasonCode.OTHER,
            )
    return None
