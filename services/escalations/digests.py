"""Each officer's daily digest (issue 25): once a working day, from the policy's local hour
(``digest_local_hour``, 07:00 by default), every officer working on cases whose running
deadline falls within two working days (``early_warnings.falls_due_soon``) gets one list of
them (``digest_compiled``, mailed by notifications).

Once per officer and day: each digest is stored under ``<officer>:<day>`` with its event in
one insert, so a sweep that runs again (after a crash, or on another instance) adds nothing;
the day is then marked done so later sweeps of that day ask nothing more. Example::

    send_digests(db, rules, now)      # how many digests were compiled now (0 most sweeps)
"""

from services.escalations import case_clock, early_warnings, sla, store
from shared import contracts
from shared.clock import VIETNAM


def due_soon_by_officer(found, calendar, today):
    """``{(officer, authority): [case line]}`` of the cases among ``found`` that someone works
    on and whose running deadline falls due soon, the earliest first."""
    digests = {}
    for case in found:
        pending = case_clock.pending_deadline(case)
        officer = case.get("assignee_user_id")
        if officer is None or pending is None:
            continue
        kind, due_on = pending
        if early_warnings.falls_due_soon(calendar, today, due_on):
            digests.setdefault((officer, case["authority_id"]), []).append({
                "case_id": case["_id"], "concern_id": case["concern_id"], "deadline": kind,
                "due_on": due_on})
    return digests


def send_digests(db, rules, now):
    """Compile today's digests if the hour has come and nobody did yet; how many."""
    local = now.astimezone(VIETNAM)
    today, calendar = local.date(), rules.policy.calendar
    if local.hour < rules.policy.digest_hour or not calendar.is_working_day(today):
        return 0
    if store.digest_day_done(db, today):
        return 0
    horizon = sla.deadline_at(calendar.add_working_days(
        today, early_warnings.DIGEST_WITHIN_WORKING_DAYS))
    found = store.cases_due_by(db, now, horizon)
    compiled = 0
    for (officer, authority_id), lines in sorted(
            due_soon_by_officer(found, calendar, today).items()):
        payload = {"user_id": officer, "authority_id": authority_id, "day": today,
                   "cases": lines}
        event = contracts.DIGEST_COMPILED.new(payload, occurred_at=now)
        document = {"_id": f"{officer}:{today.isoformat()}", "user_id": officer,
                    "authority_id": authority_id, "day": today.isoformat(),
                    "case_ids": [line["case_id"] for line in lines], "compiled_at": now}
        compiled += store.save_digest(db, document, event)
    store.mark_digest_day(db, today, now)
    return compiled


