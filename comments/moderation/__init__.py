"""The moderation pipeline: small ordered steps, each a function testable alone.

A step receives the `Submission` and returns `None` (no opinion: next step) or a
`Verdict`. The first verdict wins. A verdict either refuses the comment (`reject`:
closed 403, flood 429, duplicate 409, suspended 429; nothing is stored) or decides the
status it is stored with (`spam`, `pending`, `approved`), with a reason code for the
audit trail (`comments.models.ReasonCode`).

The order extends DESIGN.md's:

    closed → flood → duplicate                                  (refusals)
    → honeypot → sanctions (ban: spam; suspension: refused 429)
    → blocklist → banned words                                 (spam)
    → suspect words → moderation keywords → too many links
    → the article's links / everything pre-moderation
    → commenter always pre-moderated → rejection rate → new commenter   (pending)
    → [COMMENTS_EXTRA_MODERATION_STEPS] → known author (approved)
    → the policy's default

Spam checks come before holds, and holds before the approval, so a banned word from a
known author is still spam and a link on a pre-moderated article is held whoever wrote
it. Steps that need the same rows share them through `Submission.memo`
(comments.moderation.lookups).

`settings.COMMENTS_MODERATION_PIPELINE` lists the steps by dotted path, like Django's
MIDDLEWARE; site owners put their own steps in it (an Akismet check, say) without
editing the project. `COMMENTS_EXTRA_MODERATION_STEPS` (environment, comma-separated)
inserts steps just before the known-author approval. See docs/comments.md and
docs/moderation.md.

A step that raises is logged and the comment is held as pending: a broken plug-in
never loses a comment nor turns into a server error.

Where things are: the runner, `Submission` and `Verdict` in `pipeline`; the shared
lookups in `lookups`; the steps by concern in `steps` (gates, sanctions, word lists,
links, history). This package names every step, so the stored identifiers
(`comments.moderation.too_many_links`) import as they always have.
"""

from comments.matching import (
    email_domain_candidates,
    ip_network_candidates,
    normalize_email_domain,
    normalize_ip_network,
)
from comments.moderation.lookups import (
    active_sanctions,
    commenter_history,
    is_new_commenter,
    link_count,
    posting_facts,
)
from comments.moderation.pipeline import (
    DEFAULT_PIPELINE,
    Step,
    Submission,
    Verdict,
    pipeline_steps,
    run_pipeline,
)
from comments.moderation.steps.gates import comments_closed, duplicate, flood, honeypot
from comments.moderation.steps.history import (
    known_author,
    new_commenter,
    policy_default,
    rejection_rate,
)
from comments.moderation.steps.links import (
    article_premoderate,
    article_premoderate_links,
    too_many_links,
)
from comments.moderation.steps.sanctions import commenter_premoderated, sanctions
from comments.moderation.steps.word_lists import (
    banned_words,
    blocklist,
    moderation_keywords,
    suspect_words,
)
from comments.selectors import CommenterHistory

__all__ = [
    "DEFAULT_PIPELINE",
    "CommenterHistory",
    "Step",
    "Submission",
    "Verdict",
    "active_sanctions",
    "article_premoderate",
    "article_premoderate_links",
    "banned_words",
    "blocklist",
    "commenter_history",
    "posting_facts",
    "commenter_premoderated",
    "comments_closed",
    "duplicate",
    "email_domain_candidates",
    "flood",
    "honeypot",
    "ip_network_candidates",
    "is_new_commenter",
    "known_author",
    "link_count",
    "moderation_keywords",
    "new_commenter",
    "normalize_email_domain",
    "normalize_ip_network",
    "pipeline_steps",
    "policy_default",
    "rejection_rate",
    "run_pipeline",
    "sanctions",
    "suspect_words",
    "too_many_links",
]
