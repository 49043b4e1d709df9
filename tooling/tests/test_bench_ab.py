"""The same-run A/B of the sustained phase: the base's tree as git holds it, and its report."""
import os
import subprocess
import time

from tooling.bench import ab, machine


def run(routed, **cpu):
    return {"routed_per_s": routed, "accepted_per_s": routed + 1, "cpu_per_concern": cpu}


def test_the_base_is_the_tree_of_the_commit_not_the_working_files(tmp_path):
    tree = ab.export("HEAD", tmp_path / "tree")
    held = subprocess.run(["git", "show", "HEAD:shared/topology.py"], cwd=ab.ROOT, text=True,
                          capture_output=True, check=True).stdout
    assert (tree / "shared" / "topology.py").read_text() == held
    assert (tree / "deploy" / "config.yml").is_file()
    assert not (tree / ".git").exists()


def test_the_report_gives_each_round_its_ratio_and_the_medians_per_service():
    rounds = [
        {"order": ("base", "branch"), "load": 1.5,
         "base": run(80.0, visits=0.005, RabbitMQ=0.003),
         "branch": run(90.0, visits=0.004, RabbitMQ=0.002)},
        {"order": ("branch", "base"), "load": 2.5,
         "base": {**run(70.0, visits=0.007, RabbitMQ=0.003), "steal_share": 0.125},
         "branch": run(100.0, visits=0.004, RabbitMQ=0.003)},
        {"order": ("base", "branch"), "load": 2.0,
         "base": run(60.0, visits=0.009, RabbitMQ=0.003),
         "branch": run(95.0, visits=0.006, RabbitMQ=0.004)},
    ]
    text = ab.summary(rounds)
    assert "| 1 (base) | 1.5 | 0% / 0% | 80.0 | 90.0 | 8.00 ms | 6.00 ms | 0.75 |" in text
    assert "| 2 (branch) | 2.5 | 12% / 0% | 70.0 | 100.0 | 10.00 ms | 7.00 ms | 0.70 |" in text
    assert "| visits | 7.00 ms | 4.00 ms | 0.57 |" in text
    assert "| RabbitMQ | 3.00 ms | 3.00 ms | 1.00 |" in text
    assert "| total | 10.00 ms | 7.00 ms | 0.70 |" in text
    assert "| routed/s | 70.0 | 95.0 | 1.36 |" in text


def test_stolen_ticks_are_read_from_the_machines_counters():
    ticks = machine.cpu_ticks()
    assert 0 <= ticks["steal"] <= ticks["all"] and ticks["all"] > 0


def test_each_side_waits_for_a_quiet_machine_but_not_forever(caplog):
    started = time.monotonic()
    machine.settle(busy_below=(os.cpu_count() or 1) + 1, longest=10)  # always quiet enough
    assert time.monotonic() - started < 3
    started = time.monotonic()
    machine.settle(busy_below=0.0, longest=2)  # never quiet enough
    assert time.monotonic() - started >= 2
    assert "did not fall quiet within 2 s" in caplog.text


def test_what_a_concern_causes_after_routing_counts_when_it_was_measured():
    routed_only = run(80.0, visits=0.004, monitor=0.001)
    until_quiet = {**routed_only,
                   "cpu_per_concern_until_quiet": {"visits": 0.004, "monitor": 0.003}}
    assert ab.cpu_total(routed_only) == 0.005
    assert ab.cpu_total(until_quiet) == 0.007


class LoadedSide:
    """A side of ``--together``: its processes' CPU seconds in turn, and its load's figures."""

    def __init__(self, snapshots, routed, clients=16):
        self.snapshots, self.routed, self.loaded_with = list(snapshots), routed, None
        self.bench = self
        self.clients = clients

    def cpu(self):
        return self.snapshots.pop(0)

    def load(self, visits, clients):
        self.loaded_with = (visits, clients)
        return {"accepted": self.routed, "routed": self.routed, "accepted_per_s": 50.0,
                "routed_per_s": 50.0}


def test_together_counts_each_sides_services_over_one_window_and_shares_the_broker():
    sides = {
        "base": LoadedSide([{"visits": 10.0, "RabbitMQ": 100.0, ab.LOAD: 1.0},
                            {"visits": 14.0, "RabbitMQ": 106.0, ab.LOAD: 3.0}], routed=1000),
        "branch": LoadedSide([{"visits": 20.0, "RabbitMQ": 100.0, ab.LOAD: 1.0},
                              {"visits": 23.0, "RabbitMQ": 106.0, ab.LOAD: 3.0}], routed=1000)}
    settled = []
    runs = ab.together(sides, 2000, settle=lambda: settled.append(True))
    assert settled == [True, True]  # quiet before the load and again after it
    assert {name: side.loaded_with for name, side in sides.items()} == {
        "base": (2000, 8), "branch": (2000, 8)}  # at once, half the clients each
    assert runs["base"]["cpu_per_concern"] == {"visits": 0.004}
    assert runs["branch"]["cpu_per_concern"] == {"visits": 0.003}
    # the one node served both: 6 s over 2,000 concerns, on neither side's total
    assert runs["base"]["broker_per_concern_of_both"] == 0.003
    text = ab.summary([{"order": ab.SIDES, "load": 1.0, **runs}])
    assert "| total | 4.00 ms | 3.00 ms | 0.75 |" in text


def test_together_reports_a_side_that_routed_nothing_without_dividing_by_zero():
    before = {"base": {"visits": 1.0}, "branch": {"visits": 1.0}}
    after = {"base": {"visits": 2.0}, "branch": {"visits": 2.0}}
    runs = ab.together_figures(before, after, {
        "base": {"routed": 0, "accepted": 0, "accepted_per_s": 0.0, "routed_per_s": 0.0},
        "branch": {"routed": 10, "accepted": 10, "accepted_per_s": 1.0, "routed_per_s": 1.0}})
    assert runs["base"]["cpu_per_concern"] == {}
    assert runs["branch"]["cpu_per_concern"] == {"visits": 0.1}
    assert runs["branch"]["broker_per_concern_of_both"] is None  # no broker process counted
    text = ab.summary([{"order": ab.SIDES, "load": 1.0, **runs}])
    assert "| total | 0.00 ms | 100.00 ms | – |" in text
