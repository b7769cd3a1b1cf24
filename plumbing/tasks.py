"""Enqueuing background tasks (django-tasks) so that they never see a rolled-back write."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def enqueue_after_commit(task: Task, *args) -> None:
    """Queue a task so that it runs only once the transaction has committed.

    A queue kept in this database (TASKS_BACKEND=database, production's) takes the task
    inside the transaction: it commits with the write, in the same commit, or not at
    all, and the worker cannot see it before. Any other backend (the immediate one of
    `make run` runs the task at once) is handed the task after the commit. A queue that
    cannot take it is logged: the write is stored all the same, the user gets their
    answer.
    """

    def enqueue():
        try:
            task.enqueue(*args)
        except Exception:
            logger.exception("Could not enqueue %s%r", task.name, args)

    if (
        isinstance(task.get_backend(), DatabaseBackend)
        and transaction.get_connection().in_atomic_block
    ):
        # A savepoint: a failed insert must not abort the caller's transaction.
        try:
            with transaction.atomic():
                task.enqueue(*args)
        except Exception:
            logger.exception("Could not enqueue %s%r", task.name, args)
        return
    transaction.on_commit(enqueue)
