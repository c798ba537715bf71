"""Run one background worker for the configured task backend (settings.TASKS_BACKEND):
django-tasks-db's `db_worker` (tasks wait in the database) or django-rq's `rqworker --job-class
django_tasks_rq.Job default` (tasks wait in Redis at REDIS_URL; start one on each worker
machine). Beside it, a thread queues
again the print parts whose worker went silent (handover.printing.recover_stale_print_parts)
and reports whose task was lost, and records the weekly progress reports when they are due
(reports.jobs.weekly_reports_due), at start and every half lease."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from resettlement.handover.printing import recover_stale_print_parts
from resettlement.reports.jobs import requeue_waiting, weekly_reports_due


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend (TASKS_BACKEND)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks waiting now, then exit (database backend: --batch; rq: --burst).",
        )

    def handle(self, *args, batch: bool = False, **options):
        verbosity = options["verbosity"]
        if settings.TASKS_BACKEND == "immediate":
            raise CommandError("TASKS_BACKEND=immediate runs tasks inside requests: no worker.")
        self._recover()
        if not batch:
            threading.Thread(target=self._keep_recovering, daemon=True).start()
        if settings.TASKS_BACKEND == "rq":
            # SimpleWorker runs each task in this process: the fonts WeasyPrint loaded stay
            # loaded from one part to the next (a forked work horse would load them again), and
            # a worker killed takes its task with it (a work horse lives on in its own session).
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                worker_class="rq.worker.SimpleWorker",
                burst=batch,
                verbosity=verbosity,
            )
        else:
            call_command("db_worker", batch=batch, reload=False, interval=0.5, verbosity=verbosity)

    def _recover(self) -> None:
        recovered = recover_stale_print_parts()
        if recovered:
            self.stdout.write(
                f"Print parts queued again (worker silent, or task lost): {recovered}"
            )
        requeued = requeue_waiting()
        if requeued:
            self.stdout.write(f"Progress reports queued again (task lost): {requeued}")
        weekly = weekly_reports_due()
        if weekly:
            self.stdout.write(f"Weekly progress reports recorded and queued: {weekly}")

    def _keep_recovering(self) -> None:
        stop = threading.Event()
        while not stop.wait(settings.PRINT_LEASE_SECONDS / 2):
            try:
                self._recover()
            except Exception as error:  # the database away for a moment: try again later
                self.stderr.write(f"recovery of print parts failed: {error}")
            finally:
                connections.close_all()  # this thread's connections
