"""The public API's serializers. Outputs have no email, IP or user-agent field at all,
and inputs have no status: nothing private can leak and nothing can be mass-assigned.
The staff's serializers are comments.api.staff.serializers; nothing here is shared with
them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comments.api.inputs import MAX_ID, StrictInputSerializer
from comments.display_names import validate_display_name
from comments.models import Comment
from comments.rendering import render_comment_body
from plumbing.representation import datetime_text


@extend_schema_field(
    {"type": "string", "format": "uri", "maxLength": 200, "pattern": "^(https?://.+)?$"}
)
class HttpUrlField(serializers.CharField):
    """A commenter's website: http or https only, or blank (documented as such)."""


class CommentInputSerializer(StrictInputSerializer):
    author_name = serializers.CharField(max_length=100, validators=[validate_display_name])
    # The message names the field only: a submitted address is never echoed back.
    author_email = serializers.EmailField(
        max_length=254,
        error_messages={"invalid": "Enter a valid email address."},
        help_text="Required, never published.",
    )
    author_url = HttpUrlField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["http", "https"], message="Enter an http or https URL.")],
        help_text="An http(s) URL, or an empty string.",
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


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the public sees it."""

    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Stored blank when the commenter gave none: a "uri"-formatted string would not admit "".
    author_url = serializers.CharField(
        read_only=True, help_text="The commenter's http(s) URL, or an empty string."
    )
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

    def to_representation(self, comment: Comment) -> dict:
        """The dict DRF's generic path builds from the declared fields (a test compares
        the two), written directly: building the fields cost half a millisecond per
        serializer, the comment POST's answer and every thread page pay it. Subclasses
        with fields of their own take the generic path."""
        if type(self) is not CommentSerializer:
            return super().to_representation(comment)
        return {
            "id": int(comment.pk),
            "parent": comment.parent_id,
            "author_name": str(comment.author_name),
            "author_url": str(comment.author_url),
            "body": str(comment.body),
            "body_html": render_comment_body(comment.body),
            "submitted_at": datetime_text(self, comment.submitted_at),
            "depth": int(comment.depth),
            "featured": bool(comment.featured),
            "reaction_count": int(comment.reaction_count),
        }


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


class CommenterConfirmationInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(
        max_length=254, error_messages={"invalid": "Enter a valid email address."}
    )


class CommenterTokenSerializer(serializers.Serializer):
    commenter_token = serializers.CharField(
        help_text="Send it as the X-Commenter-Token header when posting or editing comments."
    )
    max_age_days = serializers.IntegerField(help_text="How long the token stays valid.")


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
