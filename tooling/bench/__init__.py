"""The benchmark: the raw broker and the running system measured in one run, written as a report.

``bash deploy/bench.sh [--quick] [--out DIR]`` (or ``python -m tooling.bench``) brings the
services up on a vhost and a data folder of its own, loads the demo registry, measures the
baselines (raw RabbitMQ with kombu, a hello-world on the gateway's WSGI server) and the system's
figures, three repetitions each, stops everything and writes ``REPORT.md`` with PNG plots (by
default into docs/reports/benchmark). See docs/benchmark.md. Example::

    python -m tooling.bench --quick --out /tmp/bench
"""
