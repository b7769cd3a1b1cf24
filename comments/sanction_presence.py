"""Whether any sanction is in force or due: most sites have none, and then a comment
POST need not look for the ones on its email, domain and IP.

The answer is kept in the shared cache (plumbing.shared_cache; without one the POST
just looks, as before). "None" stays true until a sanction is written, and every write of a
sanction (create, lift, delete, also by cascade) forgets it, at once and after the
commit. A sanction that starts later counts from its creation: it can come into force
with no write, so "none" must never have left it out.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from comments.models import CommenterSanction
from plumbing.shared_cache import shared_cache

CACHE_KEY = "comments:sanctions:any:v1"
CACHE_SECONDS = 3600


def sanctions_may_apply(*, now: datetime) -> bool:
    """False only when no sanction is in force at `now` or due to start later. Without
    a shared cache always True: the caller's own query answers as cheaply."""
    shared = shared_cache()
    if shared is None:
        return True
    if shared.get(CACHE_KEY) is False:
        return False
    present = CommenterSanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), lifted_at__isnull=True
    ).exists()
    if not present:
        shared.set(CACHE_KEY, False, CACHE_SECONDS)
    return present


def _forget() -> None:
    shared = shared_cache()
    if shared is not None:
        shared.delete(CACHE_KEY)


@receiver(post_save, sender=CommenterSanction, dispatch_uid="comments.sanction_presence.saved")
@receiver(post_delete, sender=CommenterSanction, dispatch_uid="comments.sanction_presence.deleted")
def sanction_written(sender, **kwargs) -> None:
    _forget()
    transaction.on_commit(_forget)
