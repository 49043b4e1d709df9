"""Early warnings of a case's running deadline: ``early_warnings``' table (the holder at half
the office time allowed, the head at three quarters) applied to a case. Plain rules over the
case document; ``case_clock`` puts the next warning among the sweep's looks and notes it given.

Each warning is given once per deadline: its key (deadline, last day, share) is kept in the
case's ``warned`` with the rest of the sweep's one conditional update, so a sweep that runs
again finds it given. Time allowed runs from ``received_at`` (routing, a redirect or an
escalation) to the moment the deadline passes. Example::

    next_warning(case, "answer", due_on, due_at, calendar)   # EarlyWarning(at, to, share)
    at_risk_from(case, due_at, calendar)    # half the time gone: the inbox's "sắp quá hạn"
"""
from services.escalations import early_warnings


def warning_key(kind, due_on, share):
    return f"{kind}:{due_on.isoformat()}:{share}"


def _warnings(case, due_at, calendar):
    started = case.get("received_at")
    if started is None or calendar is None:
        return ()
    return early_warnings.warnings_due(started, due_at, calendar)


def next_warning(case, kind, due_on, due_at, calendar):
    """The first warning of the running deadline not yet given, or None."""
    warned = case.get("warned") or []
    for warning in _warnings(case, due_at, calendar):
        if warning_key(kind, due_on, warning.share) not in warned and warning.at < due_at:
            return warning
    return None


def at_risk_from(case, due_at, calendar):
    """When half the time allowed is gone (the inbox lists the case as at risk from then), or
    None when no time was allowed."""
    found = _warnings(case, due_at, calendar)
    return found[0].at if found else None
