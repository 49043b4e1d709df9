"""How ``shared.batches.Batches.collect`` gathers a batch: the first delivery, then those that
join it within the window; with a quiet time, the batch also closes once that long passes
without a delivery. Run on a virtual clock: deliveries arrive at scripted moments."""
import pytest
from eventlet.queue import Empty

from shared import batches, topology


class ScriptedArrivals:
    """``Batches.waiting`` on a virtual clock: ``arrivals`` are (moment, item), in order."""

    def __init__(self, arrivals):
        self.now = 0.0
        self.arrivals = list(arrivals)
        self.waits = []  # the timeouts collect asked for

    def monotonic(self):
        return self.now

    def get(self, timeout=None):
        self.waits.append(timeout)
        if not self.arrivals:
            if timeout is None:
                raise AssertionError("waited forever with nothing to come")
            self.now += timeout
            raise Empty
        moment, item = self.arrivals[0]
        if timeout is not None and moment > self.now + timeout:
            self.now += timeout
            raise Empty
        self.arrivals.pop(0)
        self.now = max(self.now, moment)
        return item

    def get_nowait(self):
        return self.get(timeout=0)


def collect(monkeypatch, batching, arrivals):
    waiting = ScriptedArrivals(arrivals)
    monkeypatch.setattr(batches.time, "monotonic", waiting.monotonic)
    collector = batches.Batches(subscriber=None, batching=batching)
    collector.waiting = waiting
    return collector.collect(), waiting


STEADY = [(0.03 * n, f"e{n}") for n in range(20)]  # a delivery every 30 ms


def test_a_steady_stream_fills_a_batch_for_the_whole_window_when_quiet_is_set(monkeypatch):
    batch, waiting = collect(monkeypatch, topology.Batching(size=50, window=0.2, quiet=0.05),
                             STEADY)
    # every 30 ms is within the quiet time: the batch runs to its 200 ms window (0, 30 … 180)
    assert batch == [f"e{n}" for n in range(7)]
    assert max(wait for wait in waiting.waits if wait is not None) <= 0.05


def test_without_quiet_the_window_alone_closes_the_batch(monkeypatch):
    batch, _ = collect(monkeypatch, topology.Batching(size=50, window=0.2), STEADY)
    assert batch == [f"e{n}" for n in range(7)]
    batch, _ = collect(monkeypatch, topology.Batching(size=50, window=0.05), STEADY)
    assert batch == ["e0", "e1"]


def test_a_lone_delivery_waits_only_the_quiet_time(monkeypatch):
    batch, waiting = collect(monkeypatch, topology.Batching(size=50, window=0.2, quiet=0.05),
                             [(0.0, "alone"), (0.08, "too late")])
    assert batch == ["alone"]
    assert waiting.now == pytest.approx(0.05)  # applied 50 ms after it came, not 200 ms


def test_a_gap_longer_than_quiet_closes_the_batch_before_the_window(monkeypatch):
    batch, _ = collect(monkeypatch, topology.Batching(size=50, window=0.2, quiet=0.05),
                       [(0.0, "a"), (0.04, "b"), (0.08, "c"), (0.15, "next batch")])
    assert batch == ["a", "b", "c"]


def test_the_size_closes_a_batch_whatever_the_time(monkeypatch):
    batch, _ = collect(monkeypatch, topology.Batching(size=3, window=0.2, quiet=0.05), STEADY)
    assert batch == ["e0", "e1", "e2"]


@pytest.mark.parametrize("quiet", [0, -0.01, 0.3])
def test_a_quiet_time_outside_the_window_is_refused_by_name(quiet):
    with pytest.raises(ValueError, match="quiet"):
        topology.Batching(size=50, window=0.2, quiet=quiet)
