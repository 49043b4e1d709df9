"""``python -m tooling.faults <run>... [--seed N] [--minutes M] [--instances N]``: one line per run.

Exit status 0 when every run counted 0 lost, 0 duplicated and recovered; 1 otherwise.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")  # printed at import

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from shared.config import ROOT  # noqa: E402
from tooling.faults.broker import PrivateBroker  # noqa: E402
from tooling.faults.cluster import ClusterBroker  # noqa: E402
from tooling.faults.runs import BROKER_FAULTS, CLUSTER_RUNS, FAULTS, Run  # noqa: E402

_log = logging.getLogger("faults")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="deploy/faults.sh", description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", choices=[*FAULTS, "all"], metavar="RUN",
                        help=f"one or more of: {', '.join(FAULTS)}, all")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the load and the faults (default: a new one, printed)")
    parser.add_argument("--minutes", type=float, default=2.0,
                        help="how long the load and the fault last (default 2; the drain after "
                             "adds up to 4 more)")
    parser.add_argument("--instances", type=int, default=1, choices=range(1, 5),
                        help="processes of each service but the gateway (default 1)")
    parser.add_argument("--rate", type=float, default=2.0,
                        help="visits per second the cadre logs (1-3 concerns each; default 2)")
    parser.add_argument("--amqp-uri", default=None,
                        help="an outside broker's vhost to use instead of the private node "
                             "(with --management-uri; the broker runs are refused there)")
    parser.add_argument("--management-uri", default=None)
    parser.add_argument("--cluster", action="store_true",
                        help="run on a three-node cluster of its own (deploy/rabbitmq-cluster.sh, "
                             "AMQP 5701-5703) instead of the single private node")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s faults: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("kombu", "amqp", "nameko", "urllib3", "shared", "docstore", "tooling"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if "all" in args.runs:
        names = list(CLUSTER_RUNS) if args.cluster else [
            name for name in FAULTS if name != "kill-one" and name not in CLUSTER_RUNS]
    else:
        names = args.runs
    if args.cluster and any(name in BROKER_FAULTS for name in names):
        parser.error("the broker runs stop the single private node; on --cluster run "
                     f"{', '.join(CLUSTER_RUNS)} or any other")
    if not args.cluster and any(name in CLUSTER_RUNS for name in names):
        parser.error(f"{', '.join(CLUSTER_RUNS)} stop a node of a cluster: add --cluster")
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(3), "big")
    (ROOT / "var" / "faults").mkdir(parents=True, exist_ok=True)
    broker = None
    if args.amqp_uri:
        if any(name in BROKER_FAULTS for name in names):
            parser.error("the broker runs stop and kill RabbitMQ: they run on the private node")
        amqp_uri, management_uri = args.amqp_uri, args.management_uri
    else:
        broker = ClusterBroker() if args.cluster else PrivateBroker()
        amqp_uri, management_uri = broker.amqp_uri, broker.management_uri
    failed = 0
    try:
        if broker is not None:
            _log.info("starting %s", "the three-node cluster sausat1..3@localhost (AMQP 5701-"
                      "5703)" if args.cluster else "the private RabbitMQ node faults@localhost "
                      "(AMQP 5682)")
            broker.start()
        for index, name in enumerate(names):
            run = Run(name, seed + index, args.minutes * 60, args.instances, broker, amqp_uri,
                      management_uri, rate=args.rate, keep=ROOT / "var" / "faults" / "kept")
            began = time.monotonic()
            tally = run.execute()
            extra = f" [instances {args.instances}, {time.monotonic() - began:.0f} s]"
            if run.recoveries:
                extra += " [queues whole again in " + ", ".join(
                    "never" if s is None else f"{s:.0f} s" for s in run.recoveries) + "]"
            for problem in tally.problems[:20]:
                _log.error("%s: %s", name, problem)
            print(tally.line(name, run.seed, extra), flush=True)
            failed += bool(tally.lost or tally.duplicated or not tally.recovered)
    finally:
        if broker is not None:
            broker.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
