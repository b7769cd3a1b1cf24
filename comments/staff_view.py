"""The staff view of a comment: where it sits, what was written and by whom, and the
record staff keep of it (IP address, user agent, account, who or what decided and why,
reports, links, picks). One list for the admin's change form (comments.admin) and the
staff API (comments.api.staff), so both show the same record in the same order. The
public serializers (comments.api.public) never use it."""

# Where the comment sits: read-only everywhere.
COMMENT_PLACE_FIELDS = ("article", "parent", "depth")

# What the commenter wrote, and who they said they are.
COMMENT_TEXT_FIELDS = ("author_name", "author_email", "author_url", "body")

# What is recorded about the comment (read-only everywhere): its listing, where it came
# from, the latest decision, and what ranks it in the queue and on the page.
COMMENT_RECORD_FIELDS = (
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
)
