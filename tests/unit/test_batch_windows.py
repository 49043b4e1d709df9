"""How long a lone event waits for company (shared.topology.Batching.window), per subscription:
long where nobody waits on the result, short where a person or another queue does."""
from shared import topology

UNHURRIED = {"monitor.audit", "assignments.visit_logged", "assignments.concern_outcomes",
             "imports.coverage", "imports.registry"}


def window(queue_name):
    [found] = [sub for sub in topology.SUBSCRIPTIONS if sub.queue_name == queue_name]
    return found.batch.window if found.batch else None


def test_what_nobody_waits_on_waits_for_company_and_nothing_else_does():
    # under load a lone delivery's transaction and ack cost more than the writes (issue 27);
    # a 50 ms window makes batches of several at the rates the benchmark reaches
    assert {sub.queue_name for sub in topology.SUBSCRIPTIONS
            if sub.batch == topology.UNHURRIED} == UNHURRIED
    assert topology.UNHURRIED.window == 0.05
    # visits' copy of each case is read when a concern joins one (no such case: 404)
    assert all(window(name) <= 0.005 for name in (
        "notifications.directory", "notifications.case_events", "escalations.concern_raised",
        "visits.case_life"))


def test_a_case_event_waits_no_longer_than_the_concern_it_needs_to_be_told():
    # notifications mails a case event only once the directory has its concern
    # (directory.NotYetKnown: a retry, i.e. more messages); a longer window on the directory
    # than on case events would let case events overtake it
    assert window("notifications.directory") == window("notifications.case_events")
