"""A supervisord event listener that restarts a service which is alive but hung.

The promise: a service that supervisord shows RUNNING, yet that has not answered the gateway's
/health for ``HEALTH_RESTART_SECONDS``, is sent SIGKILL, and supervisord starts it again at once.
Off (0) by default: the health call waits in the same queue as the service's work, so a
service overloaded for that long looks hung too; set it where a minute of silence means a hang.
A SIGKILL loses nothing accepted (outbox inside each aggregate, idempotent consumers), and a
hung process would not honour TERM. A gateway that gives no /health answer counts the same way.
A service that answers with an error is left alone: a restart does not mend what it reports,
and the error shows in ``status``.

With several instances of a service only the group can be judged (any instance answers the
health call), so the watch acts when none answers, on every instance of the group.

Example (what deploy/supervisor/supervisord.conf generates; ``HEALTH_RESTART_SECONDS=120
deploy/services.sh restart`` turns it on)::

    [eventlistener:health_watch]
    command=/srv/sausat/.venv/bin/python -m tooling.health_watch
    events=TICK_5
"""
import os
import sys
import time
from logging import basicConfig, getLogger

import requests
from supervisor import childutils

from tooling.supervisor_config import health_restart_seconds, health_url

_log = getLogger(__name__)

GATEWAY = "gateway"
HEALTH_TIMEOUT_SECONDS = 6  # the gateway gives each service 3 s
NOT_ANSWERING = "not answering"  # the gateway's word for a service that timed out


class HungWatch:
    """Which running services have gone unanswering for too long; no I/O, so tested directly."""

    def __init__(self, restart_after_seconds):
        self.restart_after = restart_after_seconds
        self.failing_since = {}

    def observe(self, now, started, health):
        """The groups to kill, given ``started`` {group: start time of its oldest RUNNING
        process} and ``health``: the gateway's {service: status}, or None without an answer."""
        verdicts = {}
        for group in started:
            if group == GATEWAY:
                verdicts[group] = health is not None
            elif health is not None and group in health:
                verdicts[group] = health[group] != NOT_ANSWERING
            # else: unknown this round (no answer, or a group the gateway does not ask)
        for group in list(self.failing_since):
            if group not in started or started[group] > self.failing_since[group]:
                del self.failing_since[group]  # stopped or restarted since: a new life
        hung = []
        for group, answered in verdicts.items():
            if answered:
                self.failing_since.pop(group, None)
                continue
            since = self.failing_since.setdefault(group, now)
            if self.restart_after > 0 and now - since >= self.restart_after:
                hung.append(group)
                del self.failing_since[group]
        return hung


def health_statuses(url):
    try:
        services = requests.get(url, timeout=HEALTH_TIMEOUT_SECONDS).json()["services"]
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return None
    return {name: entry.get("status") for name, entry in services.items()}


def running_groups(supervisor):
    """{group: start time of its oldest RUNNING process}, for groups all of whose processes run."""
    groups = {}
    for info in supervisor.getAllProcessInfo():
        if info["group"] == "health_watch":
            continue
        if info["statename"] != "RUNNING":
            groups[info["group"]] = None
        elif groups.get(info["group"], 0) is not None:
            groups[info["group"]] = max(groups.get(info["group"], 0), info["start"])
    return {group: start for group, start in groups.items() if start is not None}


def check(watch, supervisor, url):
    started = running_groups(supervisor)
    health = health_statuses(url) if GATEWAY in started else None
    silent_before = set(watch.failing_since)
    hung = watch.observe(time.time(), started, health)
    for group in sorted(set(watch.failing_since) - silent_before):
        _log.info("%s not answering /health; restarted if still silent in %s s",
                  group, watch.restart_after)
    for group in hung:
        _log.warning("%s has not answered /health for %s s while running: SIGKILL, so "
                     "supervisord starts it again", group, watch.restart_after)
        supervisor.signalProcessGroup(group, "KILL")


def main():
    basicConfig(stream=sys.stderr, level="INFO",  # stdout speaks supervisord's protocol
                format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    watch = HungWatch(health_restart_seconds(os.environ))
    url = health_url(os.environ)
    supervisor = childutils.getRPCInterface(os.environ).supervisor
    if watch.restart_after > 0:
        _log.info("watching %s: a service silent for %s s while running is restarted",
                  url, watch.restart_after)
    else:
        _log.info("not restarting hung services (HEALTH_RESTART_SECONDS=0)")
    while True:
        childutils.listener.wait(sys.stdin, sys.stdout)
        if watch.restart_after > 0:
            try:
                check(watch, supervisor, url)
            except Exception:  # the watch must outlive any one failed round
                _log.exception("health check round failed")
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
