"""In-process dramatiq worker for development without Redis/RabbitMQ.

With no broker URL, django_dramatiq configures a StubBroker; messages sent by the web process
are then consumed by a worker thread started here, in the same process. Production runs
`manage.py rundramatiq` processes against Redis or RabbitMQ instead.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_worker = None


def start_inprocess_worker(worker_threads: int = 4):
    global _worker
    if not settings.DRAMATIQ_INPROCESS_WORKER:
        return None
    with _lock:
        if _worker is not None:
            return _worker
        import dramatiq
        from dramatiq.brokers.stub import StubBroker

        broker = dramatiq.get_broker()
        if not isinstance(broker, StubBroker):
            return None
        broker.emit_after("process_boot")
        _worker = dramatiq.Worker(broker, worker_threads=worker_threads, worker_timeout=200)
        _worker.start()
        threading.Thread(target=_periodic, name="inprocess-scheduler", daemon=True).start()
        logger.info("In-process dramatiq worker started (%d threads)", worker_threads)
        return _worker


def _periodic() -> None:
    """The scheduler's job list, run from the web process when there is no broker to share."""
    import time

    from django.utils.module_loading import import_string

    from backend.management.commands.scheduler import SCHEDULE

    next_run = {path: time.monotonic() + 30 for path, _ in SCHEDULE}
    while True:
        now = time.monotonic()
        for path, every in SCHEDULE:
            if now >= next_run[path]:
                try:
                    import_string(path).send()
                except Exception:  # keep the loop alive; the next round tries again
                    logger.exception("Periodic job %s could not be sent", path)
                next_run[path] = now + every
        time.sleep(1)
