"""The staff API's serializers: comments with every field, the private ones included,
moderation decisions, and the audit trail. Never used by a public view (the public's
are comments.api.public.serializers; nothing here is shared with them)."""

from __future__ import annotations

from rest_framework import serializers

from comments.api.inputs import MAX_ID, StrictInputSerializer
from comments.models import Comment, ModerationAction, ReasonCode
from comments.staff_view import COMMENT_PLACE_FIELDS, COMMENT_RECORD_FIELDS, COMMENT_TEXT_FIELDS


def _read_only_choice(choices, help_text: str) -> serializers.ChoiceField:
    # Declared: a read-only ModelSerializer field would not admit the blank value.
    return serializers.ChoiceField(
        choices=choices, allow_blank=True, read_only=True, help_text=help_text
    )


class ModerationCommentSerializer(serializers.ModelSerializer):
    """Staff only: every field, the private ones included."""

    # The fields are the staff view of a comment (comments.staff_view), as in the admin.

    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # Stored blank when the commenter gave none: a "uri"-formatted string would not admit "".
    author_url = serializers.CharField(
        read_only=True, help_text="The commenter's http(s) URL, or an empty string."
    )
    moderated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    flag_count = serializers.IntegerField(read_only=True)
    moderation_reason = _read_only_choice(
        ReasonCode.choices, "The latest decision's reason code (empty: none given)."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            *COMMENT_PLACE_FIELDS,
            *COMMENT_TEXT_FIELDS,
            "status",
            *COMMENT_RECORD_FIELDS,
        ]
        read_only_fields = [f for f in fields if f != "status"]
        extra_kwargs = {
            "moderation_step": {
                "help_text": "What decided the latest status: a pipeline step's dotted path, "
                "or empty for a moderator."
            },
            "link_count": {"help_text": "Links in the body (queue priority)."},
            "new_commenter": {
                "help_text": "Fewer approved comments than the policy requires when posted."
            },
        }


def _reason_field():
    return serializers.ChoiceField(
        choices=ReasonCode.choices,
        required=False,
        allow_blank=True,
        help_text=(
            "Why (recorded in the audit trail). Optional; marking spam without one records `spam`."
        ),
    )


def _note_field():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="A note for the audit trail (staff only, never public).",
    )


class ModerationStatusSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    reason = _reason_field()
    note = _note_field()


class BulkModerationSerializer(StrictInputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=500
    )
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    reason = _reason_field()
    note = _note_field()


class BulkModerationResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="Comments whose status changed.")
    status = serializers.CharField()


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
    from_status = _read_only_choice(
        Comment.Status.choices, "Empty for the pipeline's first decision."
    )
    reason = _read_only_choice(ReasonCode.choices, "The reason code (empty: none given).")

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
