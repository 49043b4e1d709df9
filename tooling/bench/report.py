"""The benchmark's report: a Markdown table of figure / baseline / result / target / met?, the
machine it ran on, and PNG plots (matplotlib, no display needed).

:func:`rows` turns the results of a run into the table, :func:`markdown` renders it, and
:func:`write` writes REPORT.md, results.json and the plots into a folder. Example::

    path = write(results, pathlib.Path("docs/reports/benchmark"))  # -> its REPORT.md
"""
import json
import pathlib
import statistics
from dataclasses import dataclass

from tooling.bench import cost_report, sign_in_storm
from tooling.bench.stats import AtLeast, AtMost, Spread, fmt, percentile, verdict

ONE_AT_A_TIME = (AtMost(15, " ms"), AtMost(50, " ms"))
SUSTAINED_ROUTED = AtLeast(400, "/s")
KEEPS_UP = 0.95       # routed/s at least this share of accepted/s (or offered/s) keeps up
E2E_P99 = AtMost(50, " ms")
INBOX_RATE, INBOX_P99 = AtLeast(300, " req/s"), AtMost(100, " ms")
INBOX_GROWTH = AtMost(2, "×")
RSS = AtMost(150, " MB")
CPU_PER_CONCERN = AtMost(20, " ms")  # services and RabbitMQ together (issue 27)
SAMPLE_KEYS = ("latencies", "round_trip_samples")


@dataclass(frozen=True)
class Row:
    figure: str
    baseline: str
    result: str
    target: str
    met: str


def spread(reps, key, scale=1.0):
    values = [r[key] * scale for r in reps if r.get(key) is not None]
    return Spread.of(values)


def ms(reps, key):
    return spread(reps, key, 1000)


def rows(results):
    """The report's table, from the results of a run (see tooling/bench/__main__.py). A figure whose
    phase failed gets a row saying so."""
    table = []
    for figure, build in ROWS:
        try:
            table.extend(build(results))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            table.append(Row(figure, "–", "not measured: its phase failed (see Errors)", "–",
                             "not measured"))
    return table


def _parts(results):
    return (results["broker"]["repetitions"], results["hello"]["repetitions"],
            results["system"], results.get("store"))


def _one_at_a_time(results):
    broker, hello, system, store = _parts(results)
    once = [{"p50": percentile(r["latencies"], 50), "p99": percentile(r["latencies"], 99)}
            for r in system["one_at_a_time"]]
    p50, p99 = ms(once, "p50"), ms(once, "p99")
    missed = sum(r["missed"] for r in system["one_at_a_time"])
    done = [len(r["latencies"]) + r["missed"] for r in system["one_at_a_time"]]
    wanted = results["settings"].get("one_at_a_time")
    short = wanted and min(done) < wanted
    return [Row(
        "one concern at a time, POST /visits → case stored, p50 / p99"
        + (f" ({missed} not routed within 30 s)" if missed else "")
        + (f" ({min(done)}–{max(done)} of {wanted} concerns within the time bound)"
           if short else ""),
        f"raw round trip {fmt(ms(broker, 'round_trip_p50'), ' ms')} / "
        f"{fmt(ms(broker, 'round_trip_p99'), ' ms')}",
        f"{fmt(p50, ' ms')} / {fmt(p99, ' ms')}",
        f"{ONE_AT_A_TIME[0]} / {ONE_AT_A_TIME[1]}",
        verdict([ONE_AT_A_TIME[0].met(p50), ONE_AT_A_TIME[1].met(p99)]))]


def _sustained(results):
    broker, hello, system, store = _parts(results)
    sustained = system["sustained"]
    accepted, routed = spread(sustained, "accepted_per_s"), spread(sustained, "routed_per_s")
    keeps_up = None if not (accepted and routed) else routed.median >= KEEPS_UP * accepted.median
    not_routed = sum(r["not_routed"] for r in sustained)
    visits = results["settings"]["sustained_visits"]
    sent = [r.get("accepted", visits) + r.get("refused", 0) for r in sustained]
    bound = results["settings"].get("sustained_seconds")
    return [Row(
        f"sustained, {visits:,} visits from {results['clients']} clients: accepted/s, routed/s"
        + (f" ({not_routed} not routed in time)" if not_routed else "")
        + (f" (only {min(sent):,}–{max(sent):,} sent within {bound:g} s)"
           if min(sent) < visits else ""),
        f"confirmed publish {fmt(spread(broker, 'publish_one_per_s'), '/s')} one at a time, "
        f"{fmt(spread(broker, 'publish_window_per_s'), '/s')} with "
        f"{results['broker']['publish_window']} outstanding",
        f"accepted {fmt(accepted, '/s')}, routed {fmt(routed, '/s')}",
        f"routed ≥ accepted (within {100 - KEEPS_UP * 100:.0f} %), {SUSTAINED_ROUTED} concerns",
        verdict([keeps_up, SUSTAINED_ROUTED.met(routed)]))]


def _offered(results):
    broker, hello, system, store = _parts(results)
    offered = system["offered"]
    rate, seconds = offered[0]["offered_per_s"], offered[0]["seconds"]
    routed, e2e50, e2e99 = spread(offered, "routed_per_s"), ms(offered, "p50"), ms(offered, "p99")
    behind = sum(r["not_routed"] for r in offered)
    unsent = sum(r.get("unsent", 0) for r in offered)
    keeps = None if routed is None else routed.median >= KEEPS_UP * rate
    return [Row(
        f"{rate:g} concerns/s offered for {seconds:g} s: routed/s, end to end p50 / p99"
        + (f" ({behind} not routed within the wait)" if behind else "")
        + (f" ({unsent} of {round(rate * seconds) * len(offered):,} not even sent: the clients "
           f"were {seconds:g} s late)" if unsent else ""),
        "–",
        f"routed {fmt(routed, '/s')}, p50 {fmt(e2e50, ' ms')} / p99 {fmt(e2e99, ' ms')}",
        f"keeps up (routed ≥ {KEEPS_UP * 100:.0f} % of offered); p99 {E2E_P99}",
        verdict([keeps, E2E_P99.met(e2e99)]))]


def _inbox(results):
    broker, hello, system, store = _parts(results)
    table = []
    hello_rate = spread(hello, "per_s")
    for level in system["inbox"]:
        reps = level["repetitions"]
        per_s, p99 = spread(reps, "per_s"), ms(reps, "p99")
        failed = sum(r["failed"] for r in reps)
        table.append(Row(
            f"GET /authorities/<id>/inbox?limit=20, {results['clients']} clients, "
            f"at {level['cases']:,} cases" + (f" ({failed} failed)" if failed else ""),
            f"hello world on the same WSGI server: {fmt(hello_rate, ' req/s')}",
            f"{fmt(per_s, ' req/s')}, p99 {fmt(p99, ' ms')}",
            f"{INBOX_RATE}, p99 {INBOX_P99}",
            verdict([INBOX_RATE.met(per_s), INBOX_P99.met(p99)])))
    if not table:
        raise KeyError("inbox")
    return table


def _store_cost(results):
    broker, hello, system, store = _parts(results)
    levels = store["levels"]
    costs = [Spread.of([s * 1000 for s in level["query_seconds"]]) for level in levels]
    growth = None
    if len(costs) >= 2 and costs[0].median > 0:
        growth = Spread.of([costs[-1].median / costs[0].median])
    wanted = [level["target"] for level in levels]
    unreached = [level for level in levels if level["reached"] < level["target"]]
    reached_all = not unreached and len(levels) == len(results["settings"]["store_cases"])
    judged = INBOX_GROWTH.met(growth) if growth else None
    if judged and not reached_all:
        judged = None  # within bounds so far, but the largest count was not reached
    return [Row(
        "inbox query cost straight on the store at "
        + " / ".join(f"{n:,}" for n in results["settings"]["store_cases"]) + " cases",
        "–",
        " / ".join(f"{fmt(c, ' ms')} at {level['reached']:,}" for c, level in zip(costs, levels))
        + (f"; growth {fmt(growth, '×')}" if growth else "")
        + (f" (loading stopped at {unreached[0]['reached']:,} by the "
           f"{store['load_seconds_bound']:g} s bound)" if unreached else ""),
        f"{INBOX_GROWTH} from {wanted[0]:,} to {results['settings']['store_cases'][-1]:,}",
        verdict([judged]))]


def _rss(results):
    rss = results["system"]["rss_after_load"]
    return [Row(
        "RSS per service after the load",
        "–",
        ", ".join(f"{name} {value:.0f} MB" for name, value in sorted(rss.items())
                  if value is not None),
        f"{RSS} each",
        verdict([RSS.met(Spread.of([max(v for v in rss.values() if v is not None)]))]))]


def _cpu(results):
    sustained = results["system"]["sustained"]
    per_service = {}
    for rep in sustained:
        for name, seconds_each in rep["cpu_per_concern"].items():
            per_service.setdefault(name, []).append(seconds_each * 1000)
    totals = Spread.of([sum(rep["cpu_per_concern"].values()) * 1000 for rep in sustained])
    # runs from before the sustained phase counted until the machine was quiet again
    until = ("until the machine was quiet again" if "cpu_per_concern_until_routed" in sustained[0]
             else "until the last case was routed")
    return [Row(
        "CPU per concern per service, sustained phase",
        "–",
        ", ".join(f"{name} {fmt(Spread.of(values), ' ms')}"
                  for name, values in sorted(per_service.items())),
        "–", "–"), Row(
        f"CPU per concern, all services and RabbitMQ, sustained phase ({until})",
        "–", fmt(totals, " ms"), str(CPU_PER_CONCERN), verdict([CPU_PER_CONCERN.met(totals)]))]


ROWS = (
    ("one concern at a time, POST /visits → case stored", _one_at_a_time),
    ("sustained load", _sustained),
    ("offered load", _offered),
    ("GET /authorities/<id>/inbox?limit=20", _inbox),
    ("inbox query cost straight on the store", _store_cost),
    ("RSS per service after the load", _rss),
    ("CPU per concern per service", _cpu),
)


def markdown_table(table):
    lines = ["| figure | baseline | result | target | met? |", "|---|---|---|---|---|"]
    for row in table:
        cells = [row.figure, row.baseline, row.result, row.target, row.met]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def markdown(results, plots=()):
    machine = results["machine"]
    lines = [
        f"# Benchmark report ({results['scale']} run"
        + (f", {results['instances']} instances of each service but the gateway)"
           if results.get("instances", 1) > 1 else ")"),
        "",
        f"Date: {results['date']}; the run took {results['seconds']:.0f} s.",
        "",
        "Machine: " + "; ".join(f"{key}: {value}" for key, value in machine.items()) + ".",
        "",
    ]
    load = results.get("load_average")
    if load:
        lines += [f"1-minute load average during the run: {load['min']:.1f} to {load['max']:.1f} "
                  f"(mean {load['mean']:.1f}) on {machine.get('cores', '?')} cores. Above the "
                  f"core count, other work on the machine competed with the run and is in the "
                  f"figures.", ""]
    lines += [
        "Each result is the median of three repetitions, with (min–max); the baseline is "
        "measured in the same run. p50 / p99 are percentiles of the latencies of a repetition.",
        "",
        markdown_table(rows(results)),
        "",
        "How each figure is measured: docs/benchmark.md.",
    ]
    if plots:
        lines += [""] + [f"![{title}]({name})" for title, name in plots]
    sweep = results.get("system", {}).get("sweep")
    if sweep:
        lines += ["", "Offered load sweep (once each):", "",
                  "| offered/s | accepted | not sent in time | routed/s | not routed in time "
                  "| e2e p50 | e2e p99 |", "|---|---|---|---|---|---|---|"]
        for point in sorted(sweep + results["system"]["offered"],
                            key=lambda p: p["offered_per_s"]):
            lines.append(f"| {point['offered_per_s']:g} | {point['accepted']} | "
                         f"{point.get('unsent', 0)} | "
                         f"{point['routed_per_s']:.1f} | {point['not_routed']} | "
                         f"{_ms(point['p50'])} | {_ms(point['p99'])} |")
    lines += cost_report.markdown_lines(results)
    lines += sign_in_storm.markdown_lines(results)
    if results.get("errors"):
        lines += ["", "## Errors", "", "Phases that failed (their figures are not measured):", ""]
        lines += [f"- {error}" for error in results["errors"]]
    end = results.get("system", {}).get("rss_at_end")
    if end:
        lines += ["", "RSS at the end of the run (after the largest inbox): "
                  + ", ".join(f"{n} {v:.0f} MB" for n, v in sorted(end.items()) if v) + "."]
    return "\n".join(lines) + "\n"


def _ms(seconds):
    return "–" if seconds is None else f"{seconds * 1000:,.0f} ms"


def without_samples(value):
    """The results with every latency sample list left out (they go to the plots)."""
    if isinstance(value, dict):
        return {k: without_samples(v) for k, v in value.items() if k not in SAMPLE_KEYS}
    if isinstance(value, list):
        return [without_samples(v) for v in value]
    return value


def plot(results, out_dir):
    """Write the PNG plots whose figures were measured; returns [(title, file name)]."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    for title, name, draw in PLOTS:
        figure = plt.figure(figsize=(10, 4) if name == "inbox_cost.png" else (7, 4))
        try:
            draw(results, figure)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # its phase failed: the table says so
        finally:
            if figure.axes:
                figure.tight_layout()
        figure.savefig(out_dir / name, dpi=100)
        plt.close(figure)
        made.append((title, name))
    plt.close("all")
    return made


def _plain(axis):
    from matplotlib.ticker import FuncFormatter
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,g}"))


def _latency_plot(results, figure):
    system = results["system"]
    axes = figure.add_subplot()
    series = [
        ("raw broker round trip", results["broker"]["round_trip_samples"]),
        ("one concern at a time", [x for r in system["one_at_a_time"] for x in r["latencies"]]),
        (f"{system['offered'][0]['offered_per_s']:g}/s offered, end to end",
         [x for r in system["offered"] for x in r["latencies"]]),
    ]
    for label, samples in series:
        if samples:
            ordered = sorted(s * 1000 for s in samples)
            axes.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=label)
    axes.set_xscale("log")
    _plain(axes.xaxis)
    axes.set_xlabel("latency (ms, log scale)")
    axes.set_ylabel("share of messages / concerns")
    axes.set_title("Latency distribution")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="center", fontsize="small")


def _offered_plot(results, figure):
    system = results["system"]
    axes = figure.add_subplot()
    points = sorted(system["sweep"] + system["offered"], key=lambda p: p["offered_per_s"])
    offered = [p["offered_per_s"] for p in points]
    axes.plot(offered, [p["routed_per_s"] for p in points], "o-", label="routed/s")
    axes.plot([0, max(offered)], [0, max(offered)], "--", color="grey", label="offered")
    axes.set_xlabel("offered concerns/s")
    axes.set_ylabel("routed concerns/s")
    axes.set_title("Routed vs offered load")
    axes.grid(True, alpha=0.3)
    axes.legend()


def _inbox_plot(results, figure):
    left, right = figure.subplots(1, 2)
    levels = results["store"]["levels"]
    left.plot([lv["reached"] for lv in levels],
              [statistics.median(lv["query_seconds"]) * 1000 for lv in levels], "o-")
    left.set_xscale("log")
    left.set_yscale("log")
    _plain(left.xaxis)
    _plain(left.yaxis)
    left.set_xlabel("cases in the store")
    left.set_ylabel("inbox query (ms, median)")
    left.set_title("Inbox query straight on the store")
    left.grid(True, which="both", alpha=0.3)
    inbox = results["system"]["inbox"]
    right.plot([lv["cases"] for lv in inbox],
               [statistics.median(r["per_s"] for r in lv["repetitions"]) for lv in inbox], "o-")
    right.set_xscale("log")
    _plain(right.xaxis)
    right.set_xlabel("cases")
    right.set_ylabel("req/s (median)")
    right.set_title(f"GET inbox over HTTP, {results['clients']} clients")
    right.grid(True, which="both", alpha=0.3)


PLOTS = (
    ("latency distribution", "latency.png", _latency_plot),
    ("routed vs offered load", "offered.png", _offered_plot),
    ("inbox cost vs number of cases", "inbox_cost.png", _inbox_plot),
)


def write(results, out_dir):
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = plot(results, out_dir)
    (out_dir / "results.json").write_text(
        json.dumps(without_samples(results), indent=1, default=str) + "\n")
    path = out_dir / "REPORT.md"
    path.write_text(markdown(results, plots), encoding="utf-8")
    return path
