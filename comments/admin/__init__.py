"""The moderators' admin, one module per page: the comment queue, the discussion
settings, privacy requests, commenters and sanctions. Importing this package registers
them all with the admin site."""

from comments.admin import comment_queue, commenters, policy, privacy_requests, sanctions

__all__ = ["comment_queue", "commenters", "policy", "privacy_requests", "sanctions"]
