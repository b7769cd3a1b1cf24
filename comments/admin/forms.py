"""The forms of the moderators' admin pages and of their ask-first actions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from comments import sanctions
from comments.models import Comment, CommenterSanction, PrivacyRequest, ReasonCode

REASON_CHOICES = [("", "— no reason —"), *ReasonCode.choices]


class ModerateForm(forms.Form):
    """A moderator's decision: the status, why, and a note for the audit trail."""

    status = forms.ChoiceField(choices=Comment.Status.choices)
    reason = forms.ChoiceField(choices=REASON_CHOICES, required=False)
    note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


class CommentAdminForm(forms.ModelForm):
    """The change form, plus the reason and note recorded when the status changes."""

    change_reason = forms.ChoiceField(
        choices=REASON_CHOICES,
        required=False,
        label="Reason",
        help_text="Recorded in the audit trail when you change the status.",
    )
    change_note = forms.CharField(
        required=False,
        max_length=1000,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For moderators only (audit trail); never shown to readers.",
    )

    # Human labels for the model's fields ("Author url" otherwise); set here because the
    # model's verbose names belong to its migrations.
    LABELS = {"author_url": "Author URL"}

    class Meta:
        model = Comment
        # The admin builds the form from CommentAdmin.fields (with its formfield
        # overrides); these are only the base class's.
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            if name in self.fields:
                self.fields[name].label = label


class RetroactiveBanForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=sanctions.RETROACTIVE_DAYS_MAX,
        initial=7,
        label="Reject their comments of the last N days",
    )
    message = forms.CharField(
        required=False, max_length=sanctions.MESSAGE_MAX, label="Note (staff only)"
    )


class SuspendForm(forms.Form):
    until = forms.DateTimeField(
        label="Suspended until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    message = forms.CharField(
        max_length=sanctions.MESSAGE_MAX,
        label="Message shown to the commenter",
        initial="Your comments are suspended for breaking the house rules.",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise ValidationError("Choose a time in the future.")
        return until


# A new sanction's fields, in the order of its form.
SANCTION_ADD_FIELDS = [
    "kind",
    "email",
    "ip_network",
    "email_domain",
    "message",
    "starts_at",
    "ends_at",
    "retroactive_days",
]


class SanctionAddForm(forms.ModelForm):
    """One target: an email address, an IP address or network, or an email domain."""

    email = forms.EmailField(
        required=False, help_text="A commenter's address (they need not have commented yet)."
    )

    class Meta:
        model = CommenterSanction
        fields = [name for name in SANCTION_ADD_FIELDS if name != "email"]

    field_order = SANCTION_ADD_FIELDS

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.sanction_values = sanctions.sanction_validate(
                **{name: data.get(name) for name in SANCTION_ADD_FIELDS}
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def _post_clean(self):
        # The model's own checks (one target) are the service's; skip the partial ones.
        pass


class PrivacyRunForm(forms.Form):
    email = forms.EmailField(label="Email address")
    kind = forms.ChoiceField(choices=PrivacyRequest.Kind.choices, widget=forms.RadioSelect)
    confirm_erase = forms.BooleanField(
        required=False, label="Yes, erase: anonymize these comments now (cannot be undone)"
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == PrivacyRequest.Kind.ERASE and not data.get("confirm_erase"):
            raise forms.ValidationError("Tick the confirmation box to erase.")
        return data
