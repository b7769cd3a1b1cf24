"""Preview tokens: a frontend shows an unpublished article to whoever holds one, as
Wagtail's headless preview and WordPress's preview links do.

A token is the article's id signed (django.core.signing, SECRET_KEY, a salt of our own)
with its time: `GET /api/v1/articles/{slug}/?preview=TOKEN` answers the article whatever
its status until ARTICLE_PREVIEW_SECONDS have passed. It opens that article only (the
id in it must be the one the slug names) and its answer is never cached by anyone
(`Cache-Control: private, no-store`). Staff get it on the article's admin page, or
from the staff API (`POST /api/v1/desk/articles/{slug}/preview/`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from articles.models import Article

SALT = "articles.preview"


def preview_token(*, article: Article) -> str:
    return signing.dumps(article.pk, salt=SALT)


def preview_expires_at(*, issued_at: datetime | None = None) -> datetime:
    """When a token issued at `issued_at` (now) stops opening its article."""
    issued_at = issued_at or timezone.now()
    return issued_at + timedelta(seconds=settings.ARTICLE_PREVIEW_SECONDS)


def previewed_article_id(*, token: str) -> int | None:
    """The article id a token opens, or None (tampered, expired, not ours)."""
    try:
        article_id = signing.loads(token, salt=SALT, max_age=settings.ARTICLE_PREVIEW_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return article_id if isinstance(article_id, int) else None
