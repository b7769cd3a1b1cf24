"""Comment serializers. Public ones have no email, IP or user-agent field at all, and the
public input has no status: nothing private can leak and nothing can be mass-assigned."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comments.models import Comment, ReasonCode
from comments.rendering import render_comment_body

MAX_ID = 2**63 - 1  # the largest value a BigAutoField can hold


class StrictInputSerializer(serializers.Serializer):
    """Rejects fields it does not know (e.g. `status`, `ip_address`), naming them."""

    # Sent by HTML forms of session-authenticated readers; not data.
    IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken"})

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields) - self.IGNORED_FIELDS
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


class CommentInputSerializer(StrictInputSerializer):
    author_name = serializers.CharField(max_length=100)
    # The message names the field only: a submitted address is never echoed back.
    author_email = serializers.EmailField(
        max_length=254,
        error_messages={"invalid": "Enter a valid email address."},
        help_text="Required, never published.",
    )
    author_url = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["http", "https"], message="Enter an http or https URL.")],
    )
    body = serializers.CharField(help_text="Plain text. Markup is shown as text.")
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of the comment replied to.",
    )
    notify_replies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Email me when someone replies (each email has a one-click unsubscribe link).",
    )
    honeypot = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Leave empty. A hidden form field: bots fill it in, people do not.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        honeypot_name = settings.COMMENTS_HONEYPOT_FIELD
        if honeypot_name != "honeypot":
            self.fields[honeypot_name] = self.fields.pop("honeypot")


def _author_url_output():
    # Stored blank when the commenter gave none: a "uri"-formatted string would not admit "".
    return serializers.CharField(
        read_only=True, help_text="The commenter's http(s) URL, or an empty string."
    )


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the public sees it."""

    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    author_url = _author_url_output()
    body_html = serializers.SerializerMethodField()
    featured = serializers.BooleanField(read_only=True, help_text="An editor's pick.")
    reaction_count = serializers.IntegerField(
        read_only=True, help_text="Readers' reactions (the article's `reaction_label`)."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "author_name",
            "author_url",
            "body",
            "body_html",
            "submitted_at",
            "depth",
            "featured",
            "reaction_count",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="Escaped HTML; links rel=nofollow ugc."))
    def get_body_html(self, comment: Comment) -> str:
        return render_comment_body(comment.body)


class CommentCreatedSerializer(CommentSerializer):
    status = serializers.ChoiceField(
        choices=[("approved", "Approved"), ("pending", "Pending")],
        help_text="approved: published now (201). pending: held for moderation (202).",
    )
    edit_token = serializers.CharField(
        help_text=(
            "Given once, here only: send it as X-Edit-Token to edit (PATCH) or withdraw "
            "(DELETE) this comment within the edit window."
        ),
    )

    class Meta(CommentSerializer.Meta):
        fields = CommentSerializer.Meta.fields + ["status", "edit_token"]
        read_only_fields = fields


class CommentEditedSerializer(CommentSerializer):
    status = serializers.ChoiceField(
        choices=[("approved", "Approved"), ("pending", "Pending")],
        help_text="After the edit: approved (shown) or pending (held for moderation).",
    )

    class Meta(CommentSerializer.Meta):
        fields = CommentSerializer.Meta.fields + ["status"]
        read_only_fields = fields


class CommentEditInputSerializer(StrictInputSerializer):
    body = serializers.CharField(help_text="The new text (plain text).")


class PrivacyRequestInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(
        max_length=254, error_messages={"invalid": "Enter a valid email address."}
    )
    kind = serializers.ChoiceField(choices=[("export", "Export"), ("erase", "Erase")])


class PrivacyExportSerializer(serializers.Serializer):
    """What the export link downloads (to the address's owner only)."""

    email = serializers.EmailField()
    exported_at = serializers.DateTimeField()
    comments = serializers.ListField(child=serializers.DictField())


class PrivacyErasedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    comments_erased = serializers.IntegerField()


class FlagInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class FlagResponseSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ReactionStateSerializer(serializers.Serializer):
    reaction_count = serializers.IntegerField(help_text="The comment's reactions now.")
    reacted = serializers.BooleanField(help_text="Whether this client's reaction is counted.")


class ModerationCommentSerializer(serializers.ModelSerializer):
    """Staff only: every field, the private ones included."""

    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author_url = _author_url_output()
    moderated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    flag_count = serializers.IntegerField(read_only=True)
    # Declared: a read-only ModelSerializer field would not admit the blank value.
    moderation_reason = serializers.ChoiceField(
        choices=ReasonCode.choices,
        allow_blank=True,
        read_only=True,
        help_text="The latest decision's reason code (empty: none given).",
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "article",
            "parent",
            "depth",
            "author_name",
            "author_email",
            "author_url",
            "body",
            "status",
            "is_listed",
            "submitted_at",
            "ip_address",
            "user_agent",
            "user",
            "moderated_by",
            "moderated_at",
            "moderation_step",
            "moderation_reason",
            "flag_count",
            "link_count",
            "new_commenter",
            "featured",
            "featured_at",
            "reaction_count",
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


class UnsubscribeSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)
