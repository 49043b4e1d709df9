"""The system's figures, each measured against the running system over HTTP and watched on the
broker: one concern at a time, sustained load, offered load, inbox reads, CPU and memory.

Every phase is bounded in requests and in seconds; what did not finish in time is counted, not
waited for. Times are ``time.monotonic()`` seconds. Example::

    bench = SystemBench(system, watcher)                # a RunningSystem, a CaseRoutedWatcher
    bench.one_at_a_time(count=100, seconds=40)          # {"latencies": [...], "missed": 0}
"""
import os
import time

from tooling.bench import workload
from tooling.bench.http_load import KeepAliveClient, closed_loop, open_loop
from tooling.bench.machine import broker_pid, cpu_seconds, cpu_ticks, rss_megabytes, settle
from tooling.bench.stats import percentile

BROKER = "RabbitMQ"  # the node's CPU, beside the services' (issue 27's target counts it)
LOAD = "benchmark process"  # the load, the watcher: on the same cores, not the system's cost


class SystemBench:
    def __init__(self, system, watcher, clients=16):
        self.system = system
        self.watcher = watcher
        self.host = "127.0.0.1"
        self.port = system.port
        self.clients = clients
        self.numbered = 0
        self.broker = broker_pid()

    def _next_numbers(self):
        self.numbered += 1
        return self.numbered * 1_000_000

    def pids(self):
        return {name: process.pid for name, process in self.system.processes.items()}

    def cpu(self):
        """CPU seconds so far of each service, the broker's node and this process."""
        spent = {name: cpu_seconds(pid) for name, pid in self.pids().items()}
        if self.broker is not None:
            spent[BROKER] = cpu_seconds(self.broker)
        spent[LOAD] = sum(os.times()[:2])
        return spent

    def rss(self):
        return {name: rss_megabytes(pid) for name, pid in self.pids().items()}

    def broker_at_rest(self, seconds=1.0):
        """The broker node's CPU seconds per second over ``seconds`` before a phase: what it
        spends without this run's load (other vhosts on a shared node, its own timers)."""
        if self.broker is None:
            return None
        before = cpu_seconds(self.broker)
        time.sleep(seconds)
        return (cpu_seconds(self.broker) - before) / seconds

    def cases_routed(self):
        return len(self.watcher.routed)

    # (1) -------------------------------------------------------------------------------------
    def one_at_a_time(self, count, seconds, timeout=30):
        """POST one visit, wait for its case_routed, repeat, ``count`` times or for ``seconds``:
        POST → case stored latencies."""
        client = KeepAliveClient(self.host, self.port)
        base = self._next_numbers()
        latencies, missed = [], 0
        deadline = time.monotonic() + seconds
        try:
            for i in range(count):
                if time.monotonic() > deadline:
                    break
                method, path, body, headers = workload.log_visit_request(base + i)
                sent = time.monotonic()
                status, answer = client.send(method, path, body, keep_body=True,
                                             headers=headers)
                ids = workload.concern_ids(answer)
                if status != 201 or not ids:
                    missed += 1
                    continue
                routed = self.watcher.wait_for(ids, timeout)
                if ids[0] in routed:
                    latencies.append(routed[ids[0]] - sent)
                else:
                    missed += 1
        finally:
            client.close()
        return {"latencies": latencies, "missed": missed}

    # (2) and (6) -----------------------------------------------------------------------------
    def sustained(self, visits, seconds, drain_timeout, settle=settle):
        """``visits`` POSTs (or as many as ``seconds`` allow) from the clients back to back,
        on a quiet machine (``settle``; None: at once); accepted/s over the POSTs, routed/s
        until the last case was routed, each process's share of one core until then (one
        near 1.0 is what bounds the rate), and CPU seconds per routed concern per service and
        the broker: until the machine was quiet again (``cpu_per_concern``: a concern's mail,
        audit lines and copies, made after its routing, are its cost too) and until the last
        was routed (``cpu_per_concern_until_routed``)."""
        base = self._next_numbers()
        if settle is not None:
            settle()
        at_rest = self.broker_at_rest()
        ticks_before, cpu_before, began = cpu_ticks(), self.cpu(), time.monotonic()
        load = closed_loop(self.host, self.port, lambda i: workload.log_visit_request(base + i),
                           clients=self.clients, count=visits, seconds=seconds, keep_body=True)
        ids = [c for o in load.ok for c in workload.concern_ids(o.body)]
        routed = self.watcher.wait_for(ids, drain_timeout)
        cpu_after, took, ticks_after = self.cpu(), time.monotonic() - began, cpu_ticks()
        last = max(routed.values(), default=load.started)
        spent = {name: cpu_after[name] - cpu_before[name] for name in cpu_after
                 if name in cpu_before}
        until_routed = {name: seconds / len(routed) for name, seconds in spent.items()
                        if routed and name != LOAD}
        until_quiet = until_routed
        if settle is not None:
            settle()
            cpu_quiet = self.cpu()
            until_quiet = {name: (cpu_quiet[name] - cpu_before[name]) / len(routed)
                           for name in until_routed if name in cpu_quiet}
        ticks = {key: ticks_after[key] - ticks_before[key] for key in ticks_after}
        return {
            "accepted_per_s": len(load.ok) / load.seconds,
            "routed_per_s": len(routed) / (last - load.started) if routed else 0.0,
            "accepted": len(load.ok), "refused": load.errors, "routed": len(routed),
            "not_routed": len(ids) - len(routed),
            "cpu_per_concern": until_quiet,
            "cpu_per_concern_until_routed": until_routed,
            "load_cpu_per_concern": spent[LOAD] / len(routed) if routed else None,
            "core_share": {name: seconds / took for name, seconds in spent.items()},
            # the share of the machine's CPU time the hypervisor gave to others meanwhile
            "steal_share": ticks["steal"] / max(1, ticks["all"]),
            # the node's CPU per second just before, no load of ours: other vhosts, timers
            "broker_at_rest": at_rest,
            "broker_beyond_rest_per_concern": ((spent[BROKER] - at_rest * took) / len(routed)
                                               if routed and at_rest is not None else None),
        }

    # (3) -------------------------------------------------------------------------------------
    def offered(self, rate, seconds, drain_timeout):
        """``rate`` concerns/s for ``seconds``, whatever the system does; end to end from when
        each POST was due to its case_routed."""
        base = self._next_numbers()
        load = open_loop(self.host, self.port, lambda i: workload.log_visit_request(base + i),
                         rate=rate, seconds=seconds, clients=self.clients, keep_body=True)
        due = {}
        for outcome in load.ok:
            for concern_id in workload.concern_ids(outcome.body):
                due[concern_id] = outcome.due
        routed = self.watcher.wait_for(due, drain_timeout)
        latencies = [routed[c] - due[c] for c in routed]
        last = max(routed.values(), default=load.started)
        return {
            "offered_per_s": rate, "seconds": seconds,
            "accepted": len(load.ok), "refused": load.errors, "unsent": load.unsent,
            "routed": len(routed),
            "not_routed": len(due) - len(routed),
            "routed_per_s": len(routed) / (last - load.started) if routed else 0.0,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "latencies": latencies,
        }

    # (4) -------------------------------------------------------------------------------------
    def inbox(self, seconds):
        """GET an authority's inbox (limit 20) from the clients for ``seconds``."""
        load = closed_loop(self.host, self.port, workload.inbox_request,
                           clients=self.clients, seconds=seconds)
        return {"per_s": load.rate, "p50": load.latency_percentile(50),
                "p99": load.latency_percentile(99), "answered": len(load.ok),
                "failed": load.errors}
