"""The monitor's round, every ``ALERT_INTERVAL_SECONDS``: the health of every backend service
and the queues' figures judged by the alert rules (``alerts``); a new alert is raised and a gone
one cleared as events, through the ``alerts`` outbox (``store``).

A finding must hold ``ALERT_HOLD_SECONDS`` before it is raised: what was seen, and since when,
is the container's memory (``dependencies.Findings``). Example::

    check_alerts(db, config, findings, own_report, watched)
    # {"raised": ["no_consumer:visits.unit_registered"], "cleared": []}, or None
"""
import datetime as dt
import time
from logging import getLogger

from services.monitor import alerts as alert_rules
from services.monitor import store
from services.monitor.queues import export_figures, queue_figures
from shared import contracts
from shared.errors import Unavailable
from shared.rpc import HEALTH_TIMEOUT_SECONDS, health_of

_log = getLogger(__name__)

def health_of_all(own_report, watched, timeout=HEALTH_TIMEOUT_SECONDS):
    """``{service: health report}``: the monitor's own, and each of ``watched`` ({service:
    RPC proxy}) asked at once (``shared.rpc.health_of``: one not answering is an alert, not
    an error)."""
    return {"monitor": own_report, **health_of(watched, timeout)}


def check_alerts(db, config, findings, own_report, watched):
    """Raise the alerts that now hold, clear those gone; None when the queues are unknown
    this round (nothing is cleared for want of figures, no service is asked)."""
    try:
        queues = queue_figures(config, findings.nonempty_since)
    except Unavailable as error:
        _log.warning("alerts: queues unknown this round: %s", error)
        export_figures([])  # Prometheus sees no figures rather than stale ones
        return None
    export_figures(queues)
    holding = alert_rules.due(
        alert_rules.evaluate(queues, health_of_all(own_report, watched),
                             alert_rules.Thresholds.from_settings(config)),
        findings.held_since, time.monotonic(), config["ALERT_HOLD_SECONDS"])
    active = store.active_alerts(db)
    to_raise, to_clear = alert_rules.changes(active, holding)
    now = dt.datetime.now(dt.timezone.utc)
    for key in to_raise:
        alert = holding[key]
        raised = contracts.ALERT_RAISED.new({"alert_id": key, **alert, "raised_at": now})
        _log.warning("alert raised: %s (%s)", key, alert["detail"])
        store.raise_alert(db, key, alert, now, raised)
    for key in to_clear:
        doc = active[key]
        cleared = contracts.ALERT_CLEARED.new({
            "alert_id": key, "kind": doc["kind"], "subject": doc["subject"],
            "raised_at": doc["raised_at"], "cleared_at": now})
        _log.info("alert cleared: %s", key)
        store.clear_alert(db, key, now, cleared)
    return {"raised": to_raise, "cleared": to_clear}
