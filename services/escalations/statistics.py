"""Statistics of case handling per authority, topic and period, over case summaries.

A summary is the part of a case the figures need (see ``SUMMARY_FIELDS``); the service reads
them through an index on ``(authority_id, received_at)`` and hands them here. Example::

    case_statistics(summaries)
    # -> [{"authority_id": "ubnd-xa-tam-hop", "topic": "land", "received": 12,
    #      "acknowledged_on_time": 10, "answered_on_time": 8, "median_days_to_answer": 6.5,
    #      "reopened": 1, "closed_resolved": 7, "closed_unresolved": 2, ...}]

"On time" is judged against the deadline dates as they stood (a pause for information moves
the answer deadline, an interim reply sets it to the committed date); a case counts for the
authority that holds it now. Answers count per outcome (``outcomes``); the on-time rate counts
only the answers that settled the matter (solved, explained: ``settled``), so sending a concern
elsewhere on time does not inflate it (``answer_outcomes.tally``).
"""
import datetime as dt
import statistics as stats

from services.escalations import answer_outcomes, sla

SUMMARY_FIELDS = ("authority_id", "topic", "status", "received_at", "acknowledged_at",
                  "acknowledge_by", "answered_at", "answer_by", "reopened_count", "outcome")


def _on_time(done_at, due):
    """Done before the deadline passed: the midnight after a day, or a moment (a tier's
    acceptance counted in working hours) itself."""
    if done_at is None or due is None:
        return False
    if isinstance(due, str) and "T" in due:
        return done_at <= dt.datetime.fromisoformat(due)
    return done_at < sla.deadline_at(dt.date.fromisoformat(due) if isinstance(due, str)
                                     else due)


def case_statistics(summaries):
    """One row per (authority, topic), sorted, with the counts and the median days to answer."""
    groups = {}
    for case in summaries:
        groups.setdefault((case["authority_id"], case["topic"]), []).append(case)
    rows = []
    for (authority_id, topic), cases in sorted(groups.items()):
        days_to_answer = [(c["answered_at"] - c["received_at"]).total_seconds() / 86400
                          for c in cases if c.get("answered_at") is not None]
        rows.append({
            "authority_id": authority_id, "topic": topic,
            "received": len(cases),
            "acknowledged_on_time": sum(_on_time(c.get("acknowledged_at"), c.get("acknowledge_by"))
                                        for c in cases),
            "answered": len(days_to_answer),
            "answered_on_time": sum(_on_time(c.get("answered_at"), c.get("answer_by"))
                                    for c in cases),
            "median_days_to_answer": (round(stats.median(days_to_answer), 2)
                                      if days_to_answer else None),
            "reopened": sum(1 for c in cases if c.get("reopened_count", 0) > 0),
            "closed_resolved": sum(1 for c in cases if c["status"] == "closed_resolved"),
            "closed_unresolved": sum(1 for c in cases if c["status"] == "closed_unresolved"),
            **_per_outcome(cases),
        })
    return rows


def _per_outcome(cases):
    """The answers per outcome, and the on-time rate over the settled ones only."""
    tally = answer_outcomes.tally(
        (c.get("outcome"), _on_time(c.get("answered_at"), c.get("answer_by")))
        for c in cases if c.get("answered_at") is not None)
    rate = tally.on_time_rate
    return {"outcomes": tally.per_outcome, "settled": tally.settled,
            "settled_on_time": tally.settled_on_time,
            "on_time_rate": None if rate is None else round(rate, 3)}
