"""Work the console process does on its own, in one daemon thread: the handoff timer (bot.handoff.delivery.run_due:
holding messages for people nobody has answered yet, alerts to the Telegram staff group).

Started once per process, on the console's first request outside tests (`make run` and the browser tests load
/login at start). Each pass is independent, so a database hiccup only delays the next one.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: Optional[threading.Thread] = None


def _loop(database_url: str) -> None:
    from bot.handoff.delivery import check_interval_seconds, run_due

    while True:
        try:
            done = run_due(database_url)
            if any(done.values()):
                logger.info("handoff: %d holding message(s), %d staff alert(s) queued", done["holding"],
                            done["alerted"])
        except Exception as error:  # noqa: BLE001 - the timer must outlive a failed pass
            logger.warning("handoff background pass failed: %s", type(error).__name__)
        time.sleep(check_interval_seconds())


def start(database_url: str) -> bool:
    """Start the timer thread unless it runs already. True when this call started it."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return False
        _thread = threading.Thread(target=_loop, args=(database_url,), name="handoff-timer", daemon=True)
        _thread.start()
        return True
