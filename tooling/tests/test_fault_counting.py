"""The fault runs' counting rules (tooling.faults.tally) and the test-only handler-failure
switch."""
import collections
import datetime as dt

from shared.consumer import failure_injected
from tooling.faults.broker import poison_expected
from tooling.faults.tally import Tally, count_actions, count_escalations, expected_notifications

AT = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.timezone.utc)


def line(action, authority_id, why=None, role="system", at=AT):
    return {"at": at, "action": action, "authority_id": authority_id, "why": why, "role": role}


def case(*timeline, **fields):
    return {"_id": "c1", "concern_id": "k1", "next_deadline_at": None, "timeline": list(timeline),
            **fields}


def test_every_telling_line_expects_one_notification_and_the_top_escalation_none():
    escalated = case(line("route", "ubnd-xa"), line("remind", "ubnd-xa", "acknowledge deadline "
                                                    "2026-12-02 is near"),
                     line("escalate", "ubnd-huyen", "acknowledge deadline 2026-12-02 passed"),
                     line("escalate", "ubnd-tinh", "acknowledge deadline 2026-12-09 passed"),
                     line("escalate", "ubnd-tinh", "acknowledge deadline 2026-12-16 passed"),
                     line("acknowledge", "ubnd-tinh", role="authority_officer"),
                     line("answer", "ubnd-tinh", role="authority_officer"))
    assert expected_notifications(escalated) == {
        ("case_routed", "case_unrouted"): 1, ("case_deadline_near",): 1,
        ("case_escalated",): 2, ("case_answered",): 1}


def test_a_reminder_made_after_its_deadline_expects_no_mail():
    late = case(line("route", "ubnd-xa"),
                line("remind", "ubnd-xa", "answer deadline 2026-11-20 is near"))
    assert expected_notifications(late) == {("case_routed", "case_unrouted"): 1}


def test_the_same_breach_escalated_twice_is_a_duplicate_and_an_overdue_case_a_loss():
    tally = Tally()
    # two sweeps acting on one reading: the same passed deadline, to the same parent, twice
    twice = case(line("route", "ubnd-xa"),
                 line("escalate", "ubnd-huyen", "acknowledge deadline 2026-12-02 passed"),
                 line("escalate", "ubnd-huyen", "acknowledge deadline 2026-12-02 passed"),
                 line("escalate", "ubnd-tinh", "acknowledge deadline 2026-12-09 passed"))
    overdue = case(line("route", "ubnd-xa"), _id="c2",
                   next_deadline_at=AT - dt.timedelta(hours=1),
                   next_deadline_kind="acknowledge_deadline")
    count_escalations({"c1": twice, "c2": overdue}, tally, AT)
    assert (tally.duplicated, tally.lost) == (1, 1), tally.problems


def test_an_accepted_action_missing_is_lost_and_one_applied_twice_is_doubled():
    tally = Tally()
    officer = "authority_officer"
    cases = {"c1": case(line("route", "a"), line("acknowledge", "a", role=officer),
                        line("answer", "a", role=officer), line("answer", "a", role=officer)),
             "c2": case(line("route", "a"), _id="c2")}

    class Officers:
        accepted = collections.Counter({("c1", "acknowledge", "u"): 1, ("c1", "answer", "u"): 1,
                                        ("c2", "acknowledge", "u"): 1})
        uncertain = collections.Counter()

    count_actions(cases, tally, Officers)
    assert (tally.lost, tally.duplicated, tally.acted_on) == (1, 1, 3), tally.problems


def test_poison_is_expected_in_the_dead_letter_queue_of_every_subscription_it_reaches():
    expected = poison_expected()
    assert expected["escalations.concern_raised.dead"] == 2
    assert expected["monitor.audit.dead"] == 3  # the audit takes every event
    assert expected["notifications.learn_then_tell.dead"] == 3  # both concerns and the case event
    assert "visits.assignment_made.dead" not in expected


def test_the_handler_failure_switch_is_off_unless_its_file_names_the_queue(tmp_path):
    flag = tmp_path / "fail"
    assert not failure_injected(None, "visits.case_answered")
    assert not failure_injected(str(flag), "visits.case_answered")  # no file: off
    flag.write_text("escalations.concern_raised\n")
    assert failure_injected(str(flag), "escalations.concern_raised")
    assert not failure_injected(str(flag), "visits.case_answered")
    flag.write_text("*\n")
    assert failure_injected(str(flag), "visits.case_answered")


def test_a_reply_waiting_for_a_killed_caller_is_not_held_data_but_any_other_message_is():
    from types import SimpleNamespace

    from tooling.faults.runs import held_messages
    queues = [{"name": "rpc.reply-gateway-70d054c5", "messages": 1},
              {"name": "rpc-visits", "messages": 1},
              {"name": "notifications.case_events.retry-1000ms", "messages": 2},
              {"name": "notifications.case_events.dead", "messages": 3},
              {"name": "monitor.audit", "messages": 0}]
    vhost = SimpleNamespace(name="v", manager=SimpleNamespace(get_queues=lambda name: queues))
    assert held_messages(vhost) == {"rpc-visits": 1,
                                    "notifications.case_events.retry-1000ms": 2}
