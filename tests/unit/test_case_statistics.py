"""Statistics per authority and topic over case summaries: counts on time, the median time to
answer, reopened, and unresolved closings kept apart from resolved ones."""
import datetime as dt

from services.escalations.statistics import case_statistics

VN = dt.timezone(dt.timedelta(hours=7))
RECEIVED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=VN)  # Monday


def summary(**overrides):
    case = {"authority_id": "ubnd-xa-tam-hop", "topic": "infrastructure", "status": "routed",
            "received_at": RECEIVED, "acknowledged_at": None, "acknowledge_by": "2026-11-05",
            "answered_at": None, "answer_by": "2026-11-23", "reopened_count": 0}
    case.update(overrides)
    return case


def days(n, hours=0):
    return RECEIVED + dt.timedelta(days=n, hours=hours)


def test_counts_and_median_for_one_authority_and_topic():
    rows = case_statistics([
        # acknowledged on the last day (late evening still counts), answered on time in 2 days
        summary(status="closed_resolved", acknowledged_at=dt.datetime(2026, 11, 5, 23, 0,
                                                                      tzinfo=VN),
                answered_at=days(2)),
        # acknowledged a day late, answered late after 30 days, closed unresolved, reopened
        summary(status="closed_unresolved", acknowledged_at=days(4), answered_at=days(30),
                reopened_count=1),
        # answered on time in 4 days, still open
        summary(status="answered", acknowledged_at=days(1), answered_at=days(4)),
        # received, nothing done yet
        summary(),
    ])
    assert rows == [{
        "authority_id": "ubnd-xa-tam-hop", "topic": "infrastructure", "received": 4,
        "acknowledged_on_time": 2, "answered": 3, "answered_on_time": 2,
        "median_days_to_answer": 4.0, "reopened": 1, "closed_resolved": 1,
        "closed_unresolved": 1,
        # answers from before outcomes were recorded: in no outcome and no on-time rate
        "outcomes": {"solved": 0, "explained": 0, "not_competent": 0,
                     "complaint_procedure": 0, "duplicate": 0},
        "settled": 0, "settled_on_time": 0, "on_time_rate": None,
    }]


def test_one_row_per_authority_and_topic_sorted():
    rows = case_statistics([summary(topic="land"), summary(authority_id="a-first"), summary()])
    assert [(r["authority_id"], r["topic"], r["received"]) for r in rows] == [
        ("a-first", "infrastructure", 1), ("ubnd-xa-tam-hop", "infrastructure", 1),
        ("ubnd-xa-tam-hop", "land", 1)]


def test_no_answer_yet_has_no_median():
    assert case_statistics([summary()])[0]["median_days_to_answer"] is None
    assert case_statistics([]) == []
