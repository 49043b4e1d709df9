"""Gauges a service computes from its own data (cases by state, say), for its ``/metrics``.

Kept apart from ``shared.metrics`` because it reads the store, and the store's relay counts into
``shared.metrics``: one direction only.
"""
from logging import getLogger

import eventlet
from nameko.extensions import DependencyProvider
from prometheus_client import Gauge

from shared.metrics import REGISTRY
from shared.store import Store

_log = getLogger(__name__)
_GAUGES = {}


def _gauge(name, help_text, label):
    """One gauge per name in the process, however many times a service class is defined."""
    if name not in _GAUGES:
        _GAUGES[name] = Gauge(name, help_text, [label] if label else [], registry=REGISTRY)
    return _GAUGES[name]


class Gauges(DependencyProvider):
    """Gauges a service computes from its own data, refreshed every ``interval`` seconds in a
    managed thread. ``compute(db)`` returns ``{(metric name, label value or None): value}``;
    ``gauges`` names each metric with its help and label (or None). Example::

        case_metrics = Gauges(case_figures, {"sausat_cases": ("Cases by state", "state")})
    """

    def __init__(self, compute, gauges, interval=30.0):
        self.compute = compute
        self.interval = interval
        self.gauges = {name: _gauge(name, help_text, label)
                       for name, (help_text, label) in gauges.items()}

    def start(self):
        self.container.spawn_managed_thread(self._refresh_forever, identifier="gauges")

    def _refresh_forever(self):
        store = next(dep for dep in self.container.dependencies if isinstance(dep, Store))
        while True:
            try:
                for (name, label), value in self.compute(store.db).items():
                    gauge = self.gauges[name]
                    (gauge.labels(label) if label is not None else gauge).set(value)
            except Exception:  # the store busy: the next refresh catches up
                _log.exception("refreshing gauges failed; again in %.0f s", self.interval)
            eventlet.sleep(self.interval)
