from django.core.management.base import BaseCommand

from articles.services import demo_data_load


class Command(BaseCommand):
    help = "Load the demo articles, categories, tags and authors (idempotent)."

    def handle(self, *args, **options):
        summary = demo_data_load()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data: "
                + "; ".join(
                    f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
                    for kind, c in summary.items()
                )
            )
        )
