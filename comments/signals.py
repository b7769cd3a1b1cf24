"""Signals the comments app sends about its own writes.

Saves through the model send Django's post_save; moderation, erasure, reactions and
counters write with QuerySet.update() (row locks, F() counters, many rows at once),
which sends nothing. Their services send `public_comments_changed` instead, once per
write, so every receiver (the response cache: comments/cache.py) hears about every
change one way.
"""

from django.dispatch import Signal

# What the public sees of these articles' discussions changed (a comment shown or
# hidden, a body, a name, a count, a reaction, a featured flag). Arguments:
# article_ids (iterable of int) and/or article_slugs (iterable of str), whichever the
# sender has at hand without a query.
public_comments_changed = Signal()
