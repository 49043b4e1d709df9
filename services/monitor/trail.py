"""The audit trail's rules: what of an event is kept for tracing, and a subject's journey.

Plain functions (no broker, no store). An audit entry keeps the event's metadata, its
correlation and causation, and its *subjects*: the concern, case and visit ids it is about. A
trace of an id is the events about it, and about the cases of its concern (or the concern of
its case, the concerns of its visit), in the order they happened, with the time between steps.
Operators see ids, actors (user ids) and timings only: no payloads, names, contacts or texts.
"""
import datetime as dt

# fields naming what an event is about: a trace follows them
SUBJECT_FIELDS = ("concern_id", "case_id", "visit_id")
# ids shown on a trace step besides the subjects: organisation ids, never a person's
SHOWN_FIELDS = SUBJECT_FIELDS + ("authority_id", "from_authority_id", "unit_id", "rule_id",
                                 "original_case_id")
# the administered records an event changes: a change log per user, unit, cadre... (who
# changed what) reads the entries naming one; case and visit events only mention units
ENTITY_FIELDS = ("user_id", "unit_id", "cadre_id", "assignment_id", "working_group_id",
                 "authority_id", "rule_id")
ADMINISTERED_SOURCES = ("accounts", "assignments")
NOT_CHANGES = ("tokens_revoked", "personal_data_read")  # a revocation repeats its cause
MAX_ROUNDS = 4  # concern -> case -> (redirected, duplicate) ... bounded however ids link
MAX_SUBJECTS = 200


def audit_entry(event):
    """The document recorded for ``event`` (a ``shared.contracts.Event``), without the fields
    its schema marks ``personal`` (who a request from a person is about)."""
    schema = event.event_type.schema
    payload = {name: value for name, value in schema.dump(event.payload).items()
               if not schema.fields[name].metadata.get("personal")}
    return {
        "_id": event.event_id,
        "routing_key": event.event_type.routing_key,
        "occurred_at": event.occurred_at,
        "actor": event.actor,
        # a chain begun without a request is correlated by its first event
        "correlation_id": event.correlation_id or event.event_id,
        "causation_id": event.causation_id,
        "subjects": [{"id": value} for value in subjects_of(payload)],
        "entities": [{"id": value} for value in entities_of(event.event_type, payload)],
        "payload": payload,
    }


def subjects_of(payload):
    ids = [payload[field] for field in SUBJECT_FIELDS if payload.get(field)]
    ids += [value for value in payload.get("concern_ids") or () if value]  # a visit's concerns
    return list(dict.fromkeys(ids))


def entities_of(event_type, payload):
    """The administered records ``event_type`` changed: the accounts' and the registry's
    events (the escalations service's authority ones), a reorganisation's every unit and the
    units merged ones went to (a merge changes its successor, whose path stays)."""
    administered = (event_type.source in ADMINISTERED_SOURCES
                    or event_type.name.startswith(("authority_", "routing_rule_")))
    if not administered or event_type.name in NOT_CHANGES:
        return []
    ids = [payload[field] for field in ENTITY_FIELDS if isinstance(payload.get(field), str)]
    ids += [unit["unit_id"] for unit in payload.get("units") or () if unit.get("unit_id")]
    ids += [successor for successor in (payload.get("successor_of") or {}).values()
            if isinstance(successor, str)]
    return list(dict.fromkeys(ids))


def change_entry(entry):
    """A change as an administrator reads it: which change, by whom, when; never its payload
    (a cadre's contacts)."""
    source, _, event_type = entry["routing_key"].partition(".")
    return {"event_id": entry["_id"], "event_type": event_type, "source": source,
            "occurred_at": _aware(entry["occurred_at"]).isoformat(),
            "actor": entry.get("actor")}


def followed_ids(entry, start_is_visit):
    """The ids a trace follows from ``entry``: its concern and case; a visit's concerns only
    when the trace is of that visit (a concern's trace does not spread to its siblings)."""
    payload = entry.get("payload") or {}
    ids = [payload.get("concern_id"), payload.get("case_id")]
    if start_is_visit:
        ids += list(payload.get("concern_ids") or ())
    return [value for value in ids if value]


def collect(start_id, find_about):
    """Every entry about ``start_id`` and what it leads to. ``find_about(id)`` returns the
    entries whose subjects include ``id`` (one indexed query each)."""
    entries, seen, frontier = {}, set(), [start_id]
    first = find_about(start_id)
    start_is_visit = any(e["routing_key"].endswith(".visit_logged")
                         and (e.get("payload") or {}).get("visit_id") == start_id for e in first)
    for _ in range(MAX_ROUNDS):
        following = []
        for subject in frontier:
            if subject in seen or len(seen) >= MAX_SUBJECTS:
                continue
            seen.add(subject)
            for entry in (first if subject == start_id else find_about(subject)):
                if entry["_id"] not in entries:
                    entries[entry["_id"]] = entry
                    following += followed_ids(entry, start_is_visit)
        frontier = [value for value in dict.fromkeys(following) if value not in seen]
        if not frontier:
            break
    return list(entries.values())


def journey(entries):
    """The steps operators see, in order: a cause before what it caused when both happened
    in the same millisecond, each with the seconds since the step before and since the start."""
    # a visit is logged with its concerns in one write: the visit first
    ordered = sorted(entries, key=lambda e: (_aware(e["occurred_at"]),
                                             not e["routing_key"].endswith(".visit_logged"),
                                             e["_id"]))
    ordered = _causes_first(ordered)
    steps, start, previous = [], None, None
    for entry in ordered:
        at = _aware(entry["occurred_at"])
        start = start or at
        payload = entry.get("payload") or {}
        source, _, event_type = entry["routing_key"].partition(".")
        steps.append({
            "event_id": entry["_id"],
            "event_type": event_type,
            "source": source,
            "occurred_at": at.isoformat(),
            "actor": entry.get("actor"),
            "correlation_id": entry.get("correlation_id"),
            "causation_id": entry.get("causation_id"),
            "ids": {field: payload[field] for field in SHOWN_FIELDS if payload.get(field)},
            "seconds_since_previous": None if previous is None
            else round((at - previous).total_seconds(), 3),
            "seconds_since_start": round((at - start).total_seconds(), 3),
        })
        previous = at
    return steps


def _causes_first(ordered):
    position = {entry["_id"]: index for index, entry in enumerate(ordered)}
    result, placed = [], set()

    def place(entry, depth=0):
        if entry["_id"] in placed:
            return
        cause = entry.get("causation_id")
        if cause in position and cause not in placed and depth < 50:
            place(ordered[position[cause]], depth + 1)
        placed.add(entry["_id"])
        result.append(entry)

    for entry in ordered:
        place(entry)
    return result


def _aware(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def personal_data_entry(event):
    """What the monitor keeps of a ``personal_data_read`` event: who read which records
    (ids, never the data), when and why, and which service answered."""
    payload = event.payload
    return {
        "_id": event.event_id,
        "read_at": payload["read_at"],
        "user_id": payload["user_id"],
        "role": payload["role"],
        "purpose": payload["purpose"],
        "source": event.event_type.source,
        "records": [{"kind": r["kind"], "id": r["id"]} for r in payload["records"]],
        "record_ids": list(dict.fromkeys(r["id"] for r in payload["records"])),
    }
