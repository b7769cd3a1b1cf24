"""Staff-only serializers of the moderation audit trail (never used by a public view)."""

from __future__ import annotations

from rest_framework import serializers

from comments.models import Comment, ModerationAction, ReasonCode


class ModerationActionSerializer(serializers.ModelSerializer):
    """One status change of a comment: who (or which pipeline step) and why."""

    comment = serializers.IntegerField(source="comment_id", read_only=True)
    article = serializers.SlugRelatedField(
        source="comment.article", slug_field="slug", read_only=True, help_text="Article slug."
    )
    actor = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The moderator's username; null when the pipeline (or the author) decided.",
    )
    # Declared: read-only ModelSerializer fields would not admit the blank value.
    from_status = serializers.ChoiceField(
        choices=Comment.Status.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty for the pipeline's first decision.",
    )
    reason = serializers.ChoiceField(
        choices=ReasonCode.choices,
        allow_blank=True,
        read_only=True,
        help_text="The reason code (empty: none given).",
    )

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "comment",
            "article",
            "from_status",
            "to_status",
            "actor",
            "reason",
            "step",
            "note",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "step": {
                "help_text": "The dotted path of the code that decided (a pipeline step, or "
                "comments.services.comment_flag / comment_withdraw); empty for a moderator."
            },
        }
