"""Why a comment got its status: the codes the audit trail, the queue's filters and the
API share (re-exported by comments.models)."""

from __future__ import annotations

from django.db import models


class ReasonCode(models.TextChoices):
    """Why a comment got its status: the moderator's reason or the pipeline's."""

    SPAM = "spam", "Spam"
    OFFENSIVE = "offensive", "Offensive"
    OFF_TOPIC = "off_topic", "Off topic"
    HARASSMENT = "harassment", "Harassment"
    MISINFORMATION = "misinformation", "Misinformation"
    BANNED_WORD = "banned_word", "Banned or suspect word"
    LINKS = "links", "Links"
    NEW_COMMENTER = "new_commenter", "New commenter"
    FLAGGED = "flagged", "Flagged by readers"
    OTHER = "other", "Other"
