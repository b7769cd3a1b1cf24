"""`manage.py import_wordpress EXPORT.xml`: see articles/wordpress/."""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.wordpress import WxrError, wordpress_import

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import categories, tags, authors, posts, old slugs and comments from a WordPress "
        "export (WXR) file, in one transaction. Importing the same file again changes nothing. "
        "The summary counts what was skipped by reason; -v 2 lists every skipped item."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xml file from WordPress's Tools → Export")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and import everything, then roll back: only the summary is kept",
        )

    def handle(self, *args, path, dry_run=False, verbosity=1, **options):
        self._tty = self.stdout.isatty()
        self._last_step = -1
        started = time.monotonic()
        try:
            summary = wordpress_import(
                path=path, progress=self._progress, dry_run=dry_run, list_skipped=verbosity >= 2
            )
        except WxrError as error:
            self._end_bar()
            raise CommandError(str(error)) from error
        self._end_bar()
        if summary.skipped_items:
            self.stdout.write(f"Skipped items ({len(summary.skipped_items)}):")
            for line in summary.skipped_items:
                self.stdout.write(f"  {line}")
        self.stdout.write(summary.table())
        seconds = time.monotonic() - started
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run: nothing kept ({seconds:.1f} s)."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path} in {seconds:.1f} s."))

    def _progress(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if self._tty:
            # Redraw on every whole percent: cheap even with a million records.
            step = int(fraction * 100)
            if step != self._last_step:
                filled = int(fraction * BAR_WIDTH)
                bar = "#" * filled + "-" * (BAR_WIDTH - filled)
                self.stdout.write(
                    f"\r[{bar}] {step:3d}%  {done / 1e6:.1f} / {total / 1e6:.1f} MB", ending=""
                )
                self.stdout.flush()
        else:
            # Plain lines for logs: one per tenth of the file.
            step = int(fraction * 10)
            if step != self._last_step:
                self.stdout.write(f"Read {step * 10}% of {total / 1e6:.1f} MB")
        self._last_step = step

    def _end_bar(self) -> None:
        if self._tty and self._last_step >= 0:
            self.stdout.write("")  # leave the bar's line
            self._last_step = -1
