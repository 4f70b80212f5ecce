"""Queueing background work without making the user's action depend on the broker.

Work that must not be lost is first recorded in the database (an outbox row, an import job); `dispatch` then only
asks a worker to start early. If the broker cannot be reached within a few seconds the request goes on, and the
periodic sweeps (Celery beat) pick the recorded work up once the broker is back.
"""

import logging

logger = logging.getLogger(__name__)


def dispatch(task, *args) -> bool:
    """Queue `task(*args)` (in-process in eager mode); False, logged, when that is not possible now."""
    try:
        if task.app.conf.task_always_eager:
            task.run(*args)  # the embedded demo: no broker, no task bookkeeping
        else:
            task.apply_async(args=args, retry=False)
    except Exception:  # noqa: BLE001 — the work is recorded in the database and is swept up later
        logger.warning("could not queue %s%r now; the periodic sweep will run it", task.name, args, exc_info=True)
        return False
    return True
