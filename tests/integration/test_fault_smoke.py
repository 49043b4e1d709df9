"""The fault harness itself, kept from rotting: one short run (``kill-one``: load over HTTP,
one SIGKILL of the escalations service under supervisord, drain, count) on a vhost of the
suite's broker. The full runs (docs/reports/faults/REPORT.md) stop and kill a RabbitMQ node of their
own, which the suite does not do."""
import pytest

from shared.config import ROOT
from tooling.faults.runs import Run

pytestmark = pytest.mark.integration


def test_a_killed_service_loses_and_doubles_nothing_the_harness_counts(request):
    run = Run("kill-one", seed=12, seconds=12, instances=1, broker=None,
              amqp_uri=request.config.getoption("RABBIT_AMQP_URI"),
              management_uri=request.config.getoption("RABBIT_API_URI"),
              keep=ROOT / "var" / "faults" / "kept")
    tally = run.execute()
    assert any("SIGKILL escalations" in note for note in run.notes), run.notes
    assert tally.accepted > 0 and tally.routed == tally.accepted, tally
    assert tally.notified > 0, tally
    assert (tally.lost, tally.duplicated) == (0, 0), tally.problems
    assert tally.dead_lettered == tally.poison > 0
    assert tally.recovered, run.notes
