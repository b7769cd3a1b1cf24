"""Reader comments, their moderation policy and reader flags."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from comments.reason_codes import ReasonCode  # also imported from here, as ever
from plumbing.shared_cache import shared_cache


def _user_link(*, related_name: str) -> models.ForeignKey:
    """A link to a user account (the commenter's, or the staff member who acted) that
    outlives the account: deleting the user leaves the record, without the link."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class CommentQuerySet(models.QuerySet):
    def listed(self):
        """Comments the public sees: approved, with every ancestor approved too."""
        return self.filter(is_listed=True)


class Comment(models.Model):
    class Status(models.TextChoices):
        # Labelled by their names, capitalized ("Pending").
        PENDING = "pending"
        APPROVED = "approved"
        SPAM = "spam"
        REMOVED = "removed"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # 0 for a top-level comment; a reply is one deeper than its parent.
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    author_name = models.CharField(max_length=100)
    # Private: never in a public response (see docs/privacy.md). Stored lower-cased so
    # flood, duplicate and known-author checks are exact, indexed matches.
    author_email = models.EmailField(max_length=254)
    author_url = models.URLField(max_length=200, blank=True)
    body = models.TextField(help_text="Plain text; escaped on output.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Derived: approved and every ancestor approved. Maintained by comments.threads so
    # the public list is one indexed filter rather than a walk up each thread.
    is_listed = models.BooleanField(default=False, editable=False)
    submitted_at = models.DateTimeField(db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    user = _user_link(related_name="comments")
    moderated_by = _user_link(related_name="moderated_comments")
    moderated_at = models.DateTimeField(null=True, blank=True)
    # The reader asked to be emailed when someone replies (one-click unsubscribe).
    notify_replies = models.BooleanField(default=False)
    # Set when the approval emails went out, so re-approving never sends them twice.
    approval_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the moderators' notice of this held comment went out (comments.tasks
    # notify_held_comments: one email for every comment held in a window).
    held_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # sha256 of the secret inside the edit token handed to the author once; the token
    # itself is never stored. Emptied when the comment is withdrawn.
    edit_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    wordpress_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False
    )
    # The latest decision: the pipeline step (dotted path) or "" for a moderator, and
    # its reason code; what the moderation queue shows as "why pending".
    moderation_step = models.CharField(max_length=200, blank=True, editable=False)
    moderation_reason = models.CharField(
        max_length=20, choices=ReasonCode.choices, blank=True, editable=False
    )
    # Queue priority signals, stored so the pending queue sorts on an index.
    flag_count = models.PositiveIntegerField(default=0, editable=False)
    link_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # The commenter had fewer approved comments than the policy asks for when posting.
    new_commenter = models.BooleanField(default=False, editable=False)
    # Editor's pick (staff only), and the readers' reactions, counted under a lock.
    featured = models.BooleanField(default=False)
    featured_at = models.DateTimeField(null=True, blank=True, editable=False)
    reaction_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(
                fields=["article", "submitted_at", "id"],
                name="comment_listed_thread",
                condition=Q(is_listed=True),
            ),
            models.Index(fields=["status", "-submitted_at"], name="comment_status_recent"),
            models.Index(fields=["author_email", "-submitted_at"], name="comment_email_recent"),
            models.Index(fields=["ip_address", "-submitted_at"], name="comment_ip_recent"),
            models.Index(fields=["article", "author_email"], name="comment_article_email"),
            # The public sort orders (`newest` scans comment_listed_thread backwards).
            models.Index(
                fields=["article", "-reaction_count", "submitted_at", "id"],
                name="comment_listed_reactions",
                condition=Q(is_listed=True),
            ),
            models.Index(
                fields=["article", "-featured", "submitted_at", "id"],
                name="comment_listed_featured",
                condition=Q(is_listed=True),
            ),
            # Held comments the moderators have not been told about yet: the notice task's
            # sweep (a handful of rows at any time, whatever the queue's length).
            models.Index(
                fields=["id"],
                name="comment_held_unannounced",
                condition=Q(status="pending", held_notified_at__isnull=True),
            ),
            # The pending queue by priority: reports, links, new commenters, then oldest.
            models.Index(
                fields=["-flag_count", "-link_count", "-new_commenter", "submitted_at"],
                name="comment_pending_priority",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:  # the article's title if read with it: never a query
        on = self.article.title if Comment.article.is_cached(self) else f"article {self.article_id}"
        return f"{self.author_name} on {on}: {self.body[:40]}"


class CommentFlag(models.Model):
    """A reader's report of a comment; one per comment and reporter IP."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    ip_address = models.GenericIPAddressField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "ip_address"], name="one_flag_per_reporter")
        ]

    def __str__(self) -> str:
        return f"flag on comment {self.comment_id}"


# A count, a size or a number of days that 0 would make meaningless.
AT_LEAST_ONE = [MinValueValidator(1)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# The cached policy row (ModerationPolicy.load); an hour at most, lest a write bypass save().
POLICY_CACHE_KEY = "comments:policy:v1"
POLICY_CACHE_SECONDS = 3600


class ModerationPolicy(models.Model):
    """The site's discussion settings: one row, edited by staff in the admin (like
    WordPress's Settings → Discussion). Created from settings.COMMENTS_DEFAULTS."""

    class DefaultStatus(models.TextChoices):
        PENDING = "pending", "Hold for moderation"
        APPROVED = "approved", "Publish at once"

    comments_open = models.BooleanField(
        default=True, help_text="Readers may comment anywhere on the site."
    )
    close_after_days = models.PositiveIntegerField(
        default=0, help_text="Close comments on articles older than this many days (0 = never)."
    )
    auto_approve_known_authors = models.BooleanField(
        default=True, help_text="Publish at once when the email has a previously approved comment."
    )
    hold_link_count = models.PositiveIntegerField(
        default=2, help_text="Hold a comment with this many links or more (0 = never)."
    )
    moderation_keywords = models.TextField(
        blank=True, help_text="One per line. A match in any field holds the comment."
    )
    blocklist_keywords = models.TextField(
        blank=True,
        help_text="One per line. A match in name, email, URL, body, IP or user agent marks spam.",
    )
    blocklist_emails = models.TextField(blank=True, help_text="One address per line: spam.")
    blocklist_domains = models.TextField(
        blank=True, help_text="One email domain per line (subdomains included): spam."
    )
    blocklist_ips = models.TextField(
        blank=True, help_text="One IP address or network (CIDR) per line: spam."
    )
    flood_interval_seconds = models.PositiveIntegerField(
        default=15, help_text="Minimum seconds between comments from one IP or one email."
    )
    max_depth = models.PositiveSmallIntegerField(
        default=5,
        validators=AT_LEAST_ONE,
        help_text="Deepest reply level (1 = no replies).",
    )
    max_body_length = models.PositiveIntegerField(default=5000, validators=AT_LEAST_ONE)
    default_status = models.CharField(
        max_length=10, choices=DefaultStatus.choices, default=DefaultStatus.PENDING
    )
    flag_threshold = models.PositiveIntegerField(
        default=3, help_text="Distinct reporters after which a comment returns to moderation."
    )
    edit_window_minutes = models.PositiveIntegerField(
        default=15, help_text="How long authors may edit or withdraw a comment (0 = never)."
    )
    erase_keeps_approved_bodies = models.BooleanField(
        default=True,
        help_text=(
            "On an erasure request, keep the words of approved comments (WordPress's "
            "behaviour); otherwise replace them with “[removed at the author's request]”."
        ),
    )
    metadata_retention_days = models.PositiveIntegerField(
        default=30,
        validators=AT_LEAST_ONE,
        help_text="Remove IP addresses and user agents of comments older than this.",
    )
    approved_comments_required = models.PositiveSmallIntegerField(
        default=1,
        help_text=(
            "Hold a commenter's comments until they have this many approved comments "
            "(1 = WordPress's “previously approved comment”; 0 = off)."
        ),
    )
    rejection_rate_percent = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(100)],
        help_text=(
            "Hold the comments of a commenter when more than this share of their "
            "recent comments was rejected (spam or removed) (0 = off)."
        ),
    )
    rejection_rate_window_days = models.PositiveSmallIntegerField(
        default=30, validators=AT_LEAST_ONE, help_text="The recent window, in days."
    )
    rejection_rate_min_comments = models.PositiveSmallIntegerField(
        default=3,
        validators=AT_LEAST_ONE,
        help_text="Judge the rejected share only from this many comments in the window.",
    )
    suspect_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line; whole words, any case. A match holds the comment.",
    )
    banned_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line; whole words, any case. A match marks spam.",
    )
    reactions_enabled = models.BooleanField(
        default=True, help_text="Readers may react to approved comments."
    )
    reaction_label = models.CharField(
        max_length=40, default="Respect", help_text="The one reaction readers can give."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "moderation policy"
        verbose_name_plural = "moderation policy"

    def __str__(self) -> str:
        return "Moderation policy"

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row
        super().save(*args, **kwargs)
        # Now (later reads in this transaction) and after the commit (a read between
        # the save and the commit may have cached the old row again).
        self.forget_cached()
        transaction.on_commit(self.forget_cached)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The moderation policy cannot be deleted.")

    @classmethod
    def load(cls) -> ModerationPolicy:
        """The policy row, created from settings.COMMENTS_DEFAULTS on first use; kept in
        the shared cache (Redis) when there is one: every comment POST and article page
        reads it, staff change it rarely, and save() forgets the cached copy."""
        shared = shared_cache()
        if shared is not None:
            cached = shared.get(POLICY_CACHE_KEY)
            if isinstance(cached, cls):
                return cached
        policy, _ = cls.objects.get_or_create(pk=1, defaults=dict(settings.COMMENTS_DEFAULTS))
        if shared is not None:
            shared.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
        return policy

    @staticmethod
    def forget_cached() -> None:
        shared = shared_cache()
        if shared is not None:
            shared.delete(POLICY_CACHE_KEY)

    @property
    def moderation_keyword_list(self) -> list[str]:
        return _lines(self.moderation_keywords)

    @property
    def blocklist_keyword_list(self) -> list[str]:
        return _lines(self.blocklist_keywords)

    @property
    def blocklist_email_list(self) -> list[str]:
        return [line.lower() for line in _lines(self.blocklist_emails)]

    @property
    def blocklist_domain_list(self) -> list[str]:
        return [line.lower().lstrip("@") for line in _lines(self.blocklist_domains)]

    @property
    def blocklist_ip_list(self) -> list[str]:
        return _lines(self.blocklist_ips)


class PrivacyRequest(models.Model):
    """A data export or erasure for one email address: asked for by a reader (confirmed
    through a signed link sent to that address) or run by staff in the admin. The log of
    who did what and when."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASE = "erase", "Erase"

    class Source(models.TextChoices):
        READER = "reader", "Reader (email link)"
        STAFF = "staff", "Staff (admin)"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    source = models.CharField(max_length=6, choices=Source.choices)
    # Kept until the request is done; an erasure then blanks it (the log keeps the
    # keyed hash), so the log itself does not hold on to an erased address.
    email = models.EmailField(blank=True)
    email_digest = models.CharField(max_length=64, db_index=True)
    requested_by = _user_link(related_name="privacy_requests")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    comments_affected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        # Exporting or erasing somebody's data is a right of its own, apart from
        # moderating comments (the admin's run page and any API that does it).
        permissions = [("run_privacy_request", "Can export or erase a reader's data")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_source_display()}) #{self.pk}"


class ModerationAction(models.Model):
    """One status change of a comment: the audit trail. Staff only, never public."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="actions")
    # Blank when the comment was created (the pipeline's first decision).
    from_status = models.CharField(max_length=10, choices=Comment.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Comment.Status.choices)
    # None when the pipeline decided.
    actor = _user_link(related_name="moderation_actions")
    reason = models.CharField(max_length=20, choices=ReasonCode.choices, blank=True)
    # The pipeline step (dotted path) that decided, blank for staff decisions.
    step = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="action_recent"),
            models.Index(fields=["comment", "-created_at"], name="action_comment_recent"),
            models.Index(fields=["actor", "-created_at"], name="action_actor_recent"),
            models.Index(fields=["reason", "-created_at"], name="action_reason_recent"),
        ]

    def __str__(self) -> str:
        return f"comment {self.comment_id}: {self.from_status or 'new'} → {self.to_status}"


class Commenter(models.Model):
    """A reader known by email address: what staff look up, note and sanction."""

    email = models.EmailField(max_length=254, unique=True)  # stored lower-cased
    name = models.CharField(max_length=100, blank=True, help_text="The latest name used.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class CommenterSanction(models.Model):
    """A ban, a timed suspension or always-pre-moderate, keyed on a commenter's email,
    an IP address (or network) or an email domain."""

    class Kind(models.TextChoices):
        BAN = "ban", "Ban (new comments are spam)"
        SUSPENSION = "suspension", "Suspension (refused until a date)"
        PREMODERATE = "premoderate", "Always pre-moderate"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    commenter = models.ForeignKey(
        Commenter, null=True, blank=True, on_delete=models.CASCADE, related_name="sanctions"
    )
    ip_network = models.CharField(
        max_length=64, blank=True, help_text="An IP address or a CIDR network."
    )
    email_domain = models.CharField(
        max_length=253, blank=True, help_text="Subdomains included; lower-case."
    )
    # Shown to a suspended commenter; staff-only otherwise.
    message = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: until lifted. Required for a suspension."
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    # A retroactive ban also rejected the commenter's comments of the last N days.
    retroactive_days = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = _user_link(related_name="commenter_sanctions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["ip_network"], name="sanction_ip"),
            models.Index(fields=["email_domain"], name="sanction_domain"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(commenter__isnull=False, ip_network="", email_domain="")
                    | Q(commenter__isnull=True, ip_network__gt="", email_domain="")
                    | Q(commenter__isnull=True, ip_network="", email_domain__gt="")
                ),
                name="sanction_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(kind="suspension") | Q(ends_at__isnull=False),
                name="suspension_has_end",
            ),
        ]

    def __str__(self) -> str:
        target = self.commenter or self.ip_network or self.email_domain
        return f"{self.get_kind_display()}: {target}"


class CommenterNote(models.Model):
    """A moderator's note about a commenter (staff only)."""

    commenter = models.ForeignKey(Commenter, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = _user_link(related_name="commenter_notes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note on {self.commenter_id}"


class CommentReaction(models.Model):
    """A reader's reaction to a comment; one per comment and client. `client_key` is a
    keyed hash of the trusted IP and the reader token, never the raw values."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    client_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "client_key"], name="one_reaction_per_client"
            )
        ]

    def __str__(self) -> str:
        return f"reaction on comment {self.comment_id}"
