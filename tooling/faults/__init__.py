"""Fault runs: the whole system under load, a fault injected, the system drained, and every
accepted concern, case action, escalation and mail counted in the services' own stores.

``bash deploy/faults.sh <run>... [--seed N] [--minutes M] [--instances 2]`` (or ``python -m
tooling.faults``; see ``tooling.faults.runs`` for the runs, docs/reports/faults/REPORT.md for
results) starts a RabbitMQ node of its own (``faults@localhost`` on 5682/15682/25682, data in
var/faults/rabbitmq), runs every service under supervisord on a vhost of that node, and prints
one line per run::

    kill-services: accepted 612, routed 612, acted on 88, escalated 0, notified 700,
    duplicated 0, lost 0, dead-lettered 9 (poison 9), recovered yes, seed 1

The shared node on 5672 is never touched.
"""
