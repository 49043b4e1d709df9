"""Reminders of planned branch meetings: at the configured lead time before a meeting's day,
its plan entry is marked reminded together with one ``attendance_reminder_issued`` (the same
update, so a crash or a second instance never issues it twice); the notifications service
mails each attendee. An entry whose meeting passed unreminded is marked without an event."""
import datetime as dt

from services.assignments import meetings, store
from services.assignments.store import meetings as meeting_store
from shared import contracts
from shared.clock import vietnam_date


def remind_due(db, now, remind_before):
    """Issue the reminders due at ``now``; how many were issued."""
    horizon = vietnam_date(now + remind_before).isoformat()
    issued = 0
    for entry in meeting_store.plans_to_remind(db, horizon):
        day = dt.date.fromisoformat(entry["meeting_on"])
        if not meetings.reminder_due(day, now, remind_before):
            if day < vietnam_date(now):
                meeting_store.mark_reminded(db, entry["_id"], None)
            continue
        [unit] = store.units_named(db, [entry["unit_id"]]) or [{"name": entry["unit_id"]}]
        event = contracts.ATTENDANCE_REMINDER_ISSUED.new({
            "plan_id": entry["_id"], "committee_unit_id": entry["committee_unit_id"],
            "unit_id": entry["unit_id"], "unit_name": unit["name"], "meeting_on": day,
            "cadre_ids": entry["attendee_cadre_ids"]})
        issued += meeting_store.mark_reminded(db, entry["_id"], event)
    return issued
