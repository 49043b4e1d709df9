"""The fault runs on a three-node RabbitMQ cluster (``deploy/rabbitmq-cluster.sh``, its data in
``var/faults/cluster``): the node leading most of the run's queues SIGKILLed and restarted, a
node stopped for a minute, a node paused (SIGSTOP, a partition as its peers see it) and resumed.
Services get every node's URI (``;``-separated: kombu fails over); a run has recovered when,
besides the single-node checks, every quorum queue of its vhost has a member online on each node.

Example::

    with ClusterBroker() as cluster:                 # three nodes, one cluster
        cluster.kill_node(cluster.leading_most(vhost)); cluster.start_node(2)
"""
import collections
import os
import shutil
import subprocess
import time
from logging import getLogger
from urllib.parse import quote

import requests

from shared import broker_uri
from shared.config import ROOT

_log = getLogger("faults")

NODES = (1, 2, 3)


def node_name(number):
    return f"sausat{number}@localhost"


class ClusterBroker:
    def __init__(self, base=None, net_ticktime=10):
        self.base = base or ROOT / "var" / "faults" / "cluster"
        # a short net_ticktime: a paused node is declared down in seconds, not a minute
        self.env = {**os.environ, "RABBITMQ_CLUSTER_BASE": str(self.base),
                    "RABBITMQ_NET_TICKTIME": str(net_ticktime)}
        self.amqp_uri = ";".join(f"amqp://guest:guest@127.0.0.1:{5700 + n}/" for n in NODES)
        self.management_uris = ";".join(f"http://guest:guest@127.0.0.1:{15700 + n}"
                                        for n in NODES)
        self.management_uri = broker_uri.alternates(self.management_uris)[0]  # vhosts, users

    def _script(self, *args, timeout=420, check=True):
        done = subprocess.run(["bash", "deploy/rabbitmq-cluster.sh", *map(str, args)], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"deploy/rabbitmq-cluster.sh {' '.join(map(str, args))}: "
                               f"{done.stderr[-2000:]}")
        return done.returncode == 0

    def start(self):
        """A fresh cluster: the runs count what they send, so nothing is kept from before."""
        shutil.rmtree(self.base, ignore_errors=True)
        self._script("start")

    def start_again(self):
        self._script("start")

    def stop(self):
        self._script("stop", check=False)

    def answers(self):
        return self._script("status", check=False)

    def start_node(self, number):
        self._script("start-node", number)

    def stop_node(self, number):
        self._script("stop-node", number)

    def kill_node(self, number):
        self._script("kill-node", number)

    def pause_node(self, number):
        self._script("pause-node", number)

    def resume_node(self, number):
        self._script("resume-node", number)

    def grow(self):
        self._script("grow", check=False)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- what the nodes say -------------------------------------------------------------------

    def _management(self, path):
        """``path`` from the first node that answers (a paused or stopped one does not)."""
        for uri in broker_uri.alternates(self.management_uris):
            try:
                response = requests.get(uri.replace("guest:guest@", "") + path, timeout=5,
                                        auth=("guest", "guest"))
                if response.status_code == 200:
                    return response.json()
            except requests.RequestException:
                continue
        return None

    def quorum_queues(self, vhost):
        """``[{name, leader, members, online}]`` of the vhost's quorum queues, or None when no
        node answers."""
        queues = self._management(f"/api/queues/{quote(vhost, safe='')}"
                                  "?columns=name,type,leader,members,online")
        if queues is None:
            return None
        return [q for q in queues if q.get("type") == "quorum"]

    def leading_most(self, vhost):
        """The node (1-3) leading most of the vhost's quorum queues."""
        leaders = collections.Counter(q.get("leader") for q in self.quorum_queues(vhost) or [])
        for name, _ in leaders.most_common():
            for number in NODES:
                if name == node_name(number):
                    return number
        return NODES[0]

    def replicated(self, vhost):
        """Every quorum queue of the vhost with a member online on every node."""
        queues = self.quorum_queues(vhost)
        everyone = {node_name(n) for n in NODES}
        return bool(queues) and all(set(q.get("online") or []) >= everyone for q in queues)

    def wait_replicated(self, vhost, timeout):
        """Seconds until :meth:`replicated` (growing queues declared while a node was away),
        or None if not within ``timeout``."""
        began = time.monotonic()
        grown = False
        while time.monotonic() - began < timeout:
            if self.replicated(vhost):
                return time.monotonic() - began
            if not grown and time.monotonic() - began > 10:
                self.grow()
                grown = True
            time.sleep(1)
        return None


def _node_back(run, number, how):
    """Note how long after ``number`` came back every queue was whole again."""
    seconds = run.broker.wait_replicated(run.vhost_name, timeout=180)
    run.note(f"node {number} back after {how}: every queue with 3 online members "
             + (f"{seconds:.0f} s later" if seconds is not None else "NOT within 180 s"))
    run.recoveries.append(seconds)


def kill_leader(run, rng, seconds, stop):
    """SIGKILL the node leading most queues under load, restart it 10-15 s later; twice when
    the run is long enough."""
    started = time.monotonic()
    rounds = 2 if seconds >= 150 else 1
    for index in range(rounds):
        if stop.wait(max(0.0, started + seconds * (index + 0.3) / rounds - time.monotonic())):
            return
        number = run.broker.leading_most(run.vhost_name)
        run.broker.kill_node(number)
        down = rng.uniform(10, 15)
        run.note(f"SIGKILL {node_name(number)}, which led most queues, for {down:.0f} s")
        time.sleep(down)  # not cut short: the node always comes back
        run.broker.start_node(number)
        _node_back(run, number, "SIGKILL")


def node_down(run, rng, seconds, stop):
    """One node (not the first, which the run's own management calls use) stopped for a
    minute, then started."""
    if stop.wait(seconds * 0.2):
        return
    number = rng.choice(NODES[1:])
    run.broker.stop_node(number)
    run.note(f"{node_name(number)} stopped for 60 s")
    time.sleep(60)
    run.broker.start_node(number)
    _node_back(run, number, "a minute stopped")


def partition(run, rng, seconds, stop):
    """A node paused for 30 s, three net ticks: its peers declare it down and carry on; it
    finds itself in a minority on waking, pauses (pause_minority) and rejoins."""
    if stop.wait(seconds * 0.25):
        return
    number = rng.choice(NODES[1:])
    run.broker.pause_node(number)
    run.note(f"{node_name(number)} paused (SIGSTOP) for 30 s")
    time.sleep(30)
    run.broker.resume_node(number)
    _node_back(run, number, "a partition")


CLUSTER_FAULTS = {
    "cluster-kill-leader": kill_leader,
    "cluster-node-down": node_down,
    "cluster-partition": partition,
}
