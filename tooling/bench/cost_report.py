"""The report's section on what each concern costs, per service: the broker messages one request
of each kind causes (counted on the firehose, tooling/bench/messages.py), the CPU each service
spent per concern under the sustained load (and RabbitMQ's node, when its pid is known), each
process's share of one core then (what bounds the rate), and the flame graphs under it.

Example::

    lines = markdown_lines(results)     # [] when the run measured none of it
"""
from tooling.bench.messages import KINDS
from tooling.bench.stats import Spread, fmt

SCENARIO_NAMES = {
    "visit_with_one_concern": "one visit, one concern",
    "case_action": "one case action",
    "authenticated_get": "one authenticated GET",
}


def _cell(counts):
    return " / ".join(str(counts.get(kind, 0)) for kind in KINDS) if counts else "–"


def _cpu_per_concern(results):
    """{service: Spread of ms per concern} over the sustained repetitions."""
    per_service = {}
    for rep in (results.get("system") or {}).get("sustained") or []:
        for name, seconds_each in (rep.get("cpu_per_concern") or {}).items():
            per_service.setdefault(name, []).append(seconds_each * 1000)
    return {name: Spread.of(values) for name, values in per_service.items()}


def row(cells):
    return "| " + " | ".join(cells) + " |"


def _totals(counts):
    return {kind: sum(c.get(kind, 0) for c in counts.values()) for kind in KINDS}


def messages_table(results):
    counted = results.get("messages") or {}
    cpu = _cpu_per_concern(results)
    scenarios = [s for s in SCENARIO_NAMES if s in counted]
    if not scenarios and not cpu:
        return []
    services = sorted({s for c in counted.values() for s in c} | set(cpu))
    lines = [
        "Publishes / deliveries / RPC round trips each service causes for one request, counted "
        "on RabbitMQ's firehose by the request's correlation id (the budget of "
        "tests/integration/test_message_budget.py), and the CPU each service spent per concern "
        "routed in the sustained phase (median (min–max) of its repetitions):",
        "",
        row(["service", *(SCENARIO_NAMES[s] for s in scenarios), "CPU per concern"]),
        row(["---"] * (len(scenarios) + 2)),
    ]
    for service in services:
        spent = fmt(cpu[service], " ms") if service in cpu else "–"
        lines.append(row([service, *(_cell(counted[s].get(service)) for s in scenarios),
                          spent]))
    all_cpu = Spread.of([sum(s.median for s in cpu.values())]) if cpu else None
    lines.append(row(["**total**", *(_cell(_totals(counted[s])) for s in scenarios),
                      fmt(all_cpu, " ms")]))
    return lines


def bounds(results):
    """Each process's share of one core over the sustained phase, the busiest first: a process
    near 1.0 bounds the rate alone; all of them adding up to the cores, the machine does."""
    sustained = [rep for rep in (results.get("system") or {}).get("sustained") or []
                 if rep.get("core_share")]
    if not sustained:
        return []
    shares = {}
    for rep in sustained:
        for name, share in rep["core_share"].items():
            shares.setdefault(name, []).append(share)
    medians = sorted(((Spread.of(v).median, name) for name, v in shares.items()), reverse=True)
    cores = (results.get("machine") or {}).get("cores", "?")
    load = [rep["load_cpu_per_concern"] * 1000 for rep in sustained
            if rep.get("load_cpu_per_concern") is not None]
    lines = [f"Share of one core each process used over the sustained phase (median; {cores} "
             f"cores in all): " + ", ".join(f"{name} {share:.2f}" for share, name in medians)
             + f"; together {sum(share for share, _ in medians):.2f}."]
    beyond = [rep["broker_beyond_rest_per_concern"] * 1000 for rep in sustained
              if rep.get("broker_beyond_rest_per_concern") is not None]
    if beyond:
        rest = Spread.of([rep["broker_at_rest"] for rep in sustained])
        lines[0] += (f" RabbitMQ at rest just before (no load of this run's): {rest.median:.2f} "
                     f"of a core; beyond that, {fmt(Spread.of(beyond), ' ms')} per concern.")
    if load:
        lines[0] += (f" The benchmark process (the load and the watcher) spent "
                     f"{fmt(Spread.of(load), ' ms')} per concern on the same cores.")
    return lines


def flame_graphs(results):
    profiled = (results.get("system") or {}).get("profiled")
    if not profiled:
        return []
    written = profiled.get("flame_graphs") or {}
    lines = [f"Flame graphs (py-spy, 100 samples/s, not pausing the services) of each service "
             f"during one more sustained repetition, outside the medians: "
             f"{profiled.get('accepted', 0)} visits accepted, {profiled.get('routed', 0)} "
             f"concerns routed ({profiled.get('routed_per_s', 0):.1f}/s). Open them in a "
             f"browser: hovering a frame shows its share of the samples.", ""]
    lines += [f"- [{name}]({svg})" for name, svg in sorted(written.items())]
    lines += [f"- {name}: no flame graph ({why})"
              for name, why in sorted((profiled.get("failed") or {}).items())]
    return lines


def markdown_lines(results):
    table, graphs = messages_table(results), flame_graphs(results)
    if not table and not graphs:
        return []
    lines = ["", "## What each concern costs, per service", ""]
    if table:
        lines += table + ([""] + bounds(results) if bounds(results) else [])
    if graphs:
        lines += ([""] if table else []) + graphs
    return lines
