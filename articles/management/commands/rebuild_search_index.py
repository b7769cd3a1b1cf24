from django.core.management.base import BaseCommand
from django.db import transaction

from articles import search_index
from articles.signals import bulk_content_changed


class Command(BaseCommand):
    help = (
        "After writes that bypassed the app (SQL, QuerySet.update, loaddata): announce a "
        "bulk change, as an import does, so that the search index (only the documents that "
        "differ are written), the category counts and the response cache catch up. Saves, "
        "imports and migrations keep the index current themselves (docs/search.md)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            answers = dict(bulk_content_changed.send(sender=self.__class__))
        written = answers[search_index.bulk_content_written]
        self.stdout.write(f"{written} search document(s) written.")
