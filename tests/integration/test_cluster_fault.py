"""Beyond one machine: the three-node RabbitMQ cluster of deploy/rabbitmq-cluster.sh (AMQP
5701-5703, never the suite's node on 5672) under load, with the node leading most queues
SIGKILLed and restarted. Nothing accepted is lost or doubled, and the system recovers without
intervention within 3 minutes: every service ready, every quorum queue (the services' RPC
queues included) with a member online on each node. The longer cluster runs (a node down for a
minute, a partition, two instances) are `deploy/faults.sh --cluster all` (docs/cluster.md)."""
import pytest

from shared.config import ROOT
from tooling.faults.cluster import ClusterBroker, node_name
from tooling.faults.runs import Run

pytestmark = pytest.mark.integration

RECOVERY_BOUND = 180  # seconds


def test_the_node_leading_most_queues_killed_under_load_loses_and_doubles_nothing():
    with ClusterBroker() as cluster:
        run = Run("cluster-kill-leader", seed=32, seconds=40, instances=1, broker=cluster,
                  amqp_uri=cluster.amqp_uri, management_uri=cluster.management_uri,
                  keep=ROOT / "var" / "faults" / "kept")
        tally = run.execute()
    killed = [note for note in run.notes if "SIGKILL sausat" in note]
    assert killed and any(node_name(n) in killed[0] for n in (1, 2, 3)), run.notes
    assert tally.accepted > 0 and tally.routed == tally.accepted, tally
    assert tally.notified > 0, tally
    assert (tally.lost, tally.duplicated) == (0, 0), tally.problems
    assert tally.dead_lettered == tally.poison > 0
    assert run.recoveries and all(s is not None and s <= RECOVERY_BOUND
                                  for s in run.recoveries), run.notes
    assert tally.recovered, run.notes
