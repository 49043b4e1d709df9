"""When the health watch kills a service: only one that runs and has stayed silent long enough."""
from tooling.health_watch import HungWatch

SILENT = {"visits": "not answering", "escalations": "ok"}
RUNNING = {"gateway": 100, "visits": 100, "escalations": 100}


def test_a_service_silent_for_the_whole_threshold_is_killed_once():
    watch = HungWatch(restart_after_seconds=30)
    assert watch.observe(200, RUNNING, SILENT) == []
    assert watch.observe(220, RUNNING, SILENT) == []
    assert watch.observe(230, RUNNING, SILENT) == ["visits"]
    assert watch.observe(235, RUNNING, SILENT) == []  # its clock starts again


def test_one_answer_in_between_resets_the_clock():
    watch = HungWatch(30)
    watch.observe(200, RUNNING, SILENT)
    watch.observe(215, RUNNING, {"visits": "ok", "escalations": "ok"})
    assert watch.observe(240, RUNNING, SILENT) == []
    assert watch.observe(270, RUNNING, SILENT) == ["visits"]


def test_a_service_that_answers_with_an_error_is_left_alone():
    watch = HungWatch(30)
    broken = {"visits": "error: store unreachable", "escalations": "ok"}
    assert watch.observe(200, RUNNING, broken) == []
    assert watch.observe(300, RUNNING, broken) == []


def test_a_restarted_process_gets_a_new_clock():
    watch = HungWatch(30)
    watch.observe(200, RUNNING, SILENT)
    restarted = {**RUNNING, "visits": 210}  # restarted meanwhile, by a crash or by hand
    assert watch.observe(235, restarted, SILENT) == []  # silent since 235, as far as known
    assert watch.observe(260, restarted, SILENT) == []
    assert watch.observe(265, restarted, SILENT) == ["visits"]


def test_a_gateway_without_an_answer_is_killed_and_the_others_not_judged():
    watch = HungWatch(30)
    assert watch.observe(200, RUNNING, None) == []
    assert watch.observe(231, RUNNING, None) == ["gateway"]


def test_a_service_not_running_is_supervisord_s_business_not_the_watch_s():
    watch = HungWatch(30)
    starting = {"gateway": 100, "escalations": 100}  # visits STARTING or BACKOFF
    assert watch.observe(200, starting, SILENT) == []
    assert watch.observe(300, starting, SILENT) == []


def test_zero_never_kills():
    watch = HungWatch(0)
    assert watch.observe(200, RUNNING, SILENT) == []
    assert watch.observe(10_000, RUNNING, None) == []
