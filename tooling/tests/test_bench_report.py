"""The benchmark's statistics and report writer, on made-up results (no system, no timing)."""
import copy

import pytest

from tooling.bench import cost_report, report
from tooling.bench.stats import AtLeast, AtMost, Spread, percentile, verdict


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile(range(1, 101), 99) == pytest.approx(99.01)
    assert percentile([7], 99) == 7
    assert percentile([], 50) is None
    with pytest.raises(ValueError, match="between|within"):
        percentile([1], 101)


def test_spread_is_min_median_max_of_the_repetitions():
    assert Spread.of([3.0, 1.0, 2.0]) == Spread(1.0, 2.0, 3.0)
    assert Spread.of([None, 5, 1]) == Spread(1, 3, 5)
    assert Spread.of([]) is None
    assert Spread.of([205.4, 204.0, 260.0]).format(" ms") == "205 ms (204–260)"
    assert Spread.of([2.0, 2.0, 2.0]).format("×") == "2.00×"


def test_targets_judge_the_median_and_verdict_combines_them():
    assert AtMost(15).met(Spread(1, 14, 90)) is True
    assert AtMost(15).met(Spread(1, 16, 16)) is False
    assert AtLeast(300).met(Spread(100, 300, 400)) is True
    assert AtMost(15).met(None) is None
    assert str(AtMost(15, " ms")) == "≤ 15 ms"
    assert verdict([True, True]) == "yes"
    assert verdict([True, False, None]) == "no"
    assert verdict([True, None]) == "not measured"
    assert verdict(["no target"]) == "–"


def inbox_level(cases, per_s, p99):
    return {"cases": cases, "repetitions": [{"per_s": per_s, "p50": p99 / 2, "p99": p99,
                                             "answered": 10, "failed": 0}] * 3}


def results(**overrides):
    """A run that meets every target, at quick scale."""
    made = {
        "scale": "quick", "clients": 16, "seconds": 61.0, "date": "2026-11-27 05:00 UTC",
        "settings": {"sustained_visits": 150, "store_cases": [1000, 5000]},
        "machine": {"cores": 2, "Python": "3.11.7"},
        "load_average": {"min": 1.0, "max": 3.0, "mean": 2.0},
        "broker": {"publish_window": 100, "round_trip_samples": [0.001, 0.002],
                   "repetitions": [{"round_trip_p50": 0.001, "round_trip_p99": 0.002,
                                    "publish_one_per_s": 1000, "publish_window_per_s": 10000}]
                   * 3},
        "hello": {"repetitions": [{"per_s": 5000, "p99": 0.01, "failed": 0}] * 3},
        "system": {
            "one_at_a_time": [{"latencies": [0.010, 0.012, 0.030], "missed": 0}] * 3,
            "sustained": [{"accepted_per_s": 500, "routed_per_s": 490, "not_routed": 0,
                           "cpu_per_concern": {"visits": 0.002, "escalations": 0.001}}] * 3,
            "offered": [{"offered_per_s": 20, "seconds": 4, "accepted": 80, "routed": 80,
                         "not_routed": 0, "routed_per_s": 20, "p50": 0.01, "p99": 0.03,
                         "latencies": [0.01, 0.03]}] * 3,
            "sweep": [{"offered_per_s": 40, "seconds": 3, "accepted": 120, "routed": 120,
                       "not_routed": 0, "routed_per_s": 40, "p50": 0.01, "p99": 0.02}],
            "inbox": [inbox_level(30, 900, 0.02), inbox_level(2000, 800, 0.03)],
            "rss_after_load": {"visits": 60.0, "escalations": 70.0},
            "rss_at_end": {"visits": 61.0, "escalations": 72.0},
        },
        "store": {"load_seconds_bound": 10, "levels": [
            {"target": 1000, "reached": 1000, "insert_per_s": 4000,
             "query_seconds": [0.0002, 0.0002, 0.0003]},
            {"target": 5000, "reached": 5000, "insert_per_s": 4000,
             "query_seconds": [0.0003, 0.0003, 0.0003]}]},
    }
    made = copy.deepcopy(made)
    for path, value in overrides.items():
        *parents, last = path.split("__")
        target = made
        for key in parents:
            target = target[key]
        target[last] = value
    return made


def met_column(run):
    return [row.met for row in report.rows(run)]


def test_a_run_meeting_every_target_says_yes_on_every_judged_row():
    assert met_column(results()) == ["yes", "yes", "yes", "yes", "yes", "yes", "yes", "–", "yes"]


def test_each_missed_target_says_no_on_its_row():
    slow = results(system__one_at_a_time=[{"latencies": [0.2, 0.2, 0.25], "missed": 0}] * 3)
    assert met_column(slow)[0] == "no"
    behind = results(system__sustained=[{"accepted_per_s": 250, "routed_per_s": 90,
                                         "not_routed": 0, "cpu_per_concern": {}}] * 3)
    assert met_column(behind)[1] == "no"
    big = results(system__rss_after_load={"visits": 60.0, "escalations": 242.0})
    assert met_column(big)[6] == "no"
    linear = results()
    linear["store"]["levels"][1]["query_seconds"] = [0.001] * 3  # 4× the cost at 5× the cases
    assert met_column(linear)[5] == "no"


def test_inbox_cost_within_bounds_but_short_of_the_largest_count_is_not_measured():
    run = results()
    run["store"]["levels"][1]["reached"] = 3000
    [row] = [r for r in report.rows(run) if r.figure.startswith("inbox query cost")]
    assert row.met == "not measured"
    assert "loading stopped at 3,000 by the 10 s bound" in row.result


def test_report_has_the_machine_the_table_and_the_plots(tmp_path):
    path = report.write(results(), tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "| figure | baseline | result | target | met? |" in text
    assert "Python: 3.11.7" in text
    assert "2026-11-27 05:00 UTC" in text
    assert "load average during the run: 1.0 to 3.0 (mean 2.0) on 2 cores" in text
    for name in ("latency.png", "offered.png", "inbox_cost.png"):
        assert f"]({name})" in text
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    assert "round_trip_samples" not in (tmp_path / "results.json").read_text()


def test_phases_cut_short_by_their_time_bound_say_so():
    run = results()
    run["settings"].update(one_at_a_time=10, sustained_seconds=15)
    run["system"]["one_at_a_time"] = [{"latencies": [0.01] * 4, "missed": 0}] * 3
    run["system"]["sustained"] = [{**run["system"]["sustained"][0], "accepted": 90,
                                   "refused": 0}] * 3
    run["system"]["offered"] = [{**run["system"]["offered"][0], "unsent": 5}] * 3
    once, sustained, offered = report.rows(run)[:3]
    assert "(4–4 of 10 concerns within the time bound)" in once.figure
    assert "(only 90–90 sent within 15 s)" in sustained.figure
    assert "(15 of 240 not even sent" in offered.figure


def test_a_failed_phase_loses_its_figures_only(tmp_path):
    run = results(errors=["offered load: TimeoutExpired: escalations did not stop"])
    run["system"]["offered"] = []
    run["system"]["sweep"] = []
    table = report.rows(run)
    assert [row.met for row in table][2] == "not measured"
    assert table[2].result.startswith("not measured: its phase failed")
    assert [row.met for row in table][:2] == ["yes", "yes"]
    text = report.write(run, tmp_path).read_text(encoding="utf-8")
    assert "## Errors" in text and "escalations did not stop" in text
    assert "](offered.png)" not in text and "](inbox_cost.png)" in text


def test_the_report_carries_the_messages_and_cpu_per_service_and_the_flame_graphs(tmp_path):
    visit = {"gateway": {"publishes": 2, "deliveries": 2, "rpc_calls": 2},
             "visits": {"publishes": 3, "deliveries": 2, "rpc_calls": 0}}
    run = results(messages={"visit_with_one_concern": visit,
                            "authenticated_get": {"gateway": {"publishes": 3, "deliveries": 3,
                                                              "rpc_calls": 3}}})
    run["system"]["profiled"] = {"accepted": 150, "routed": 150, "routed_per_s": 80.0,
                                 "flame_graphs": {"visits": "flame-visits.svg"},
                                 "failed": {"monitor": "py-spy exited with 1: denied"}}
    text = report.write(run, tmp_path).read_text(encoding="utf-8")
    assert "| service | one visit, one concern | one authenticated GET | CPU per concern |" \
        in text
    assert "| visits | 3 / 2 / 0 | – | 2.00 ms |" in text
    assert "| gateway | 2 / 2 / 2 | 3 / 3 / 3 | – |" in text
    assert "| **total** | 5 / 4 / 2 | 3 / 3 / 3 | 3.00 ms |" in text
    assert "- [visits](flame-visits.svg)" in text
    assert "- monitor: no flame graph (py-spy exited with 1: denied)" in text


def test_a_run_without_counts_or_profiles_still_shows_the_cpu_per_service(tmp_path):
    text = report.write(results(), tmp_path).read_text(encoding="utf-8")
    assert "## What each concern costs, per service" in text
    assert "| escalations | 1.00 ms |" in text and "Flame graphs" not in text


def test_the_report_names_each_process_share_of_a_core_and_the_broker_per_concern():
    run = results()
    run["machine"]["cores"] = 2
    run["system"]["sustained"] = [
        {**run["system"]["sustained"][0],
         "cpu_per_concern": {"visits": 0.004, "RabbitMQ": 0.006},
         "core_share": {"visits": share, "RabbitMQ": 0.9, "benchmark process": 0.2},
         "load_cpu_per_concern": 0.003, "broker_at_rest": 0.05,
         "broker_beyond_rest_per_concern": 0.005} for share in (0.3, 0.4, 0.5)]
    text = "\n".join(cost_report.markdown_lines(run))  # the report's section, without plots
    assert "| RabbitMQ | 6.00 ms |" in text and "| **total** | 10.0 ms |" in text
    assert ("(median; 2 cores in all): RabbitMQ 0.90, visits 0.40, benchmark process 0.20; "
            "together 1.50.") in text
    assert "spent 3.00 ms per concern on the same cores" in text
    assert ("RabbitMQ at rest just before (no load of this run's): 0.05 of a core; beyond "
            "that, 5.00 ms per concern.") in text


def test_the_cpu_per_concern_of_all_processes_is_judged_against_issue_27s_target(tmp_path):
    run = results()
    run["system"]["sustained"] = [
        {**run["system"]["sustained"][0],
         "cpu_per_concern": {"visits": 0.012, "RabbitMQ": total - 0.012},
         "cpu_per_concern_until_routed": {"visits": 0.010, "RabbitMQ": 0.003}}
        for total in (0.019, 0.0195, 0.022)]
    text = report.write(run, tmp_path).read_text(encoding="utf-8")
    assert ("| CPU per concern, all services and RabbitMQ, sustained phase (until the machine "
            "was quiet again) | – | 19.5 ms (19.0–22.0) | ≤ 20 ms | yes |") in text
    run["system"]["sustained"][1]["cpu_per_concern"]["visits"] += 0.001  # median 20.5
    text = report.write(run, tmp_path).read_text(encoding="utf-8")
    assert "| 20.5 ms (19.0–22.0) | ≤ 20 ms | no |" in text
    # a run from before counted until the last routing, and says so
    assert "(until the last case was routed) | – | 3.00 ms | ≤ 20 ms | yes |" in \
        report.write(results(), tmp_path).read_text(encoding="utf-8")
