import logging
import signal
import time

from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)

# (actor path, every N seconds). Exactly one scheduler runs per deployment.
SCHEDULE = [
    ("eservices.tasks.reconcile_stalled_work", 60),
    ("payments.tasks.card_payments_reconcile", 60),  # status queries for card payments a notification missed
    ("payments.tasks.payments_reconcile_stalled", 300),  # invoices and statement imports whose job was lost
    ("crm.tasks.crm_duplicates_scan", 6 * 3600),  # the duplicate check over all clients
    ("crm.tasks.crm_imports_reconcile_stalled", 300),  # client imports whose job was lost
]


class Command(BaseCommand):
    help = "Send periodic jobs to the broker (the stalled-work reconciler, ...). Run one copy."

    def handle(self, *args, **options):
        from django.utils.module_loading import import_string

        stop = False

        def _stop(*_):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        next_run = {path: 0.0 for path, _ in SCHEDULE}
        while not stop:
            now = time.monotonic()
            for path, every in SCHEDULE:
                if now >= next_run[path]:
                    import_string(path).send()
                    next_run[path] = now + every
            time.sleep(1)
