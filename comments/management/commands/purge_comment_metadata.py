from django.core.management.base import BaseCommand

from comments.models import ModerationPolicy
from comments.privacy import comment_metadata_purge


class Command(BaseCommand):
    help = (
        "Remove IP addresses and user agents from comments older than the moderation "
        "policy's retention period (default 30 days). Run it daily (cron), or pass "
        "--schedule to have the task worker run it every day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Override the policy's retention period."
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the purge as a background task that re-queues itself daily.",
        )

    def handle(self, *args, days, schedule, **options):
        if schedule:
            from comments.tasks import purge_comment_metadata

            if not purge_comment_metadata.get_backend().supports_defer:
                self.stderr.write(
                    "The task backend cannot run tasks later: set TASKS_BACKEND=database "
                    "and run the worker (make worker), or run this command from cron."
                )
                raise SystemExit(2)
            purge_comment_metadata.enqueue(24)
            self.stdout.write("Queued the daily metadata purge for the task worker.")
            return
        if days is not None and days < 1:
            self.stderr.write("--days must be at least 1.")
            raise SystemExit(2)
        retention = days or ModerationPolicy.load().metadata_retention_days
        purged = comment_metadata_purge(older_than_days=retention)
        self.stdout.write(
            f"Removed IP address and user agent from {purged} comment(s) older than {retention} days."
        )
