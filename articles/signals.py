"""Signals the articles app sends about its own writes.

Model saves and deletes already send Django's signals; this one covers the writes that
bypass them (bulk_create, QuerySet.update in an import), so receivers such as the
response cache (articles/cache.py) hear about every change one way.
"""

from django.dispatch import Signal

# Articles, categories, tags or authors were written in bulk. No arguments.
bulk_content_changed = Signal()
