"""The benchmark's sustained phase counts what a concern costs after its routing too: it starts
on a quiet machine and counts each process's CPU until the machine is quiet again (issue 27:
until the last routing only, the mail and the audit made after it were left out)."""
from types import SimpleNamespace

from tooling.bench import scenarios
from tooling.bench.http_load import LoadResult, Outcome


class FakeBench(scenarios.SystemBench):
    """Processes whose CPU the test moves by hand, no broker pid."""

    def __init__(self):
        super().__init__(SimpleNamespace(port=0, processes={}), watcher=None)
        self.broker = None
        self.spent = {"visits": 1.0, "notifications": 2.0, scenarios.LOAD: 0.0}

    def cpu(self):
        return dict(self.spent)


def rounded(spent):
    return {name: round(seconds, 9) for name, seconds in spent.items()}


def test_cpu_per_concern_is_counted_until_the_machine_is_quiet_again(monkeypatch):
    bench = FakeBench()
    calls = []

    def load(*args, **kwargs):
        calls.append("load")
        bench.spent.update(visits=1.4, notifications=2.1, **{scenarios.LOAD: 0.1})
        bodies = [{"concerns": [{"concern_id": f"c{i}a"}, {"concern_id": f"c{i}b"}]}
                  for i in range(2)]
        return LoadResult([Outcome(i, 0.0, 0.5, 201, body) for i, body in enumerate(bodies)],
                          started=0.0, finished=1.0)

    def routed(ids, timeout):
        return {concern_id: 2.0 for concern_id in ids}

    def settle():
        calls.append("settle")
        if "load" in calls:  # the mails go after the routing
            bench.spent["notifications"] = 2.3

    bench.watcher = SimpleNamespace(wait_for=routed)
    monkeypatch.setattr(scenarios, "closed_loop", load)
    run = bench.sustained(2, 10, 10, settle=settle)
    assert calls == ["settle", "load", "settle"]
    assert run["routed"] == 4
    assert rounded(run["cpu_per_concern_until_routed"]) == {"visits": 0.1, "notifications": 0.025}
    assert rounded(run["cpu_per_concern"]) == {"visits": 0.1, "notifications": 0.075}
    assert 0.0 <= run["steal_share"] <= 1.0

    # without settling (settle=None): at once, counted until the last routing
    bench.spent.update(visits=1.0, notifications=2.0)
    quick = bench.sustained(2, 10, 10, settle=None)
    assert quick["cpu_per_concern"] == quick["cpu_per_concern_until_routed"]
