from django.core.management.base import BaseCommand
from django.db import transaction

from articles import search_index
from articles.signals import bulk_content_changed
from comments import search_index as comment_search_index


class Command(BaseCommand):
    help = (
        "After writes that bypassed the app (SQL, QuerySet.update, loaddata): announce a "
        "bulk change, as an import does, so that the search index (only the documents that "
        "differ are written), the category counts and the response cache catch up. Saves, "
        "imports and migrations keep the index current themselves (docs/search.md). "
        "With --comments, the comments' index is also made again from the comments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--comments",
            action="store_true",
            help=(
                "Also remake the comments' search index from every comment (triggers keep "
                "it current: needed only after writes with triggers off, such as a COPY "
                "with session_replication_role = replica; docs/moderation.md)."
            ),
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            answers = dict(bulk_content_changed.send(sender=self.__class__))
        written = answers[search_index.bulk_content_written]
        self.stdout.write(f"{written} search document(s) written.")
        if options["comments"]:
            indexed = comment_search_index.rebuild()
            self.stdout.write(f"{indexed} comment(s) in the comment search index.")
