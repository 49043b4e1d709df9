"""Member ids and absences never travel in events (issue 29; docs/members.md): no event's
schema has a field that could carry them, no example payload of any event holds a member's
code or mark, and the only event the members service publishes names the branch read, not
the members (its answer to a person's request names that person's own records)."""
import ast
import pathlib

from marshmallow import fields

from shared.contracts import (
    EVENT_TYPES,
    MEMBERS_DATA_SUBJECT_REQUEST_ANSWERED,
    MEMBERS_PERSONAL_DATA_READ,
)
from shared.contracts.audit import RECORD_KINDS
from shared.contracts.rpc.contacts import RecordContact
from shared.contracts.rpc.members import ATTENDANCE_MARKS
from tests.unit.event_payloads import PAYLOADS

ROOT = pathlib.Path(__file__).resolve().parents[2]
# what would carry a member or an absence, by name (a meeting's counts, ``attendance``'s
# ``present`` and ``expected``, travel: the periodic report is fed by them, issue 28)
MEMBER_WORDS = ("member_code", "member_id", "marks", "mark", "absent", "absence", "absences",
                "members")


def field_names(schema, prefix=""):
    for name, field in schema.fields.items():
        yield prefix + name
        inner = getattr(field, "inner", None)
        nested = field if isinstance(field, fields.Nested) else inner
        if isinstance(nested, fields.Nested):
            yield from field_names(nested.schema, f"{prefix}{name}.")


def values(payload, with_keys=False):
    if isinstance(payload, dict):
        for key, value in payload.items():
            if with_keys:
                yield key
            yield from values(value, with_keys)
    elif isinstance(payload, (list, tuple)):
        for value in payload:
            yield from values(value, with_keys)
    else:
        yield payload


def test_no_event_schema_has_a_field_for_members_or_absences():
    found = [(key, name) for key, event_type in EVENT_TYPES.items()
             for name in field_names(event_type.schema)
             if any(word == part for part in name.split(".") for word in MEMBER_WORDS)]
    assert found == []


def test_no_example_event_payload_holds_a_member_code_or_an_attendance_mark():
    for event_type, payload in PAYLOADS.items():
        drawn = list(values(payload()))
        assert not set(ATTENDANCE_MARKS) & {v for v in drawn if isinstance(v, str)}, event_type
        keys = {v for v in values(payload(), with_keys=True) if isinstance(v, str)}
        assert not {"member_code", "marks", "members"} & keys, event_type


def test_the_members_service_publishes_only_which_branch_was_read():
    """... and its answer to a person's own request, naming that person's records by ids
    that are not a member's code (docs/members.md)."""
    members_events = [event_type for event_type in EVENT_TYPES.values()
                      if event_type.source == "members"]
    assert members_events == [MEMBERS_PERSONAL_DATA_READ, MEMBERS_DATA_SUBJECT_REQUEST_ANSWERED]
    assert "branch_members" in RECORD_KINDS and "member" not in RECORD_KINDS
    for module, unit in (("queries.py", "unit_id"), ("contacts.py", "member['unit_id']")):
        source = (ROOT / "services" / "members" / module).read_text(encoding="utf-8")
        calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                 and getattr(node.func, "id", None) == "personal_data_read"]
        assert calls, module
        for call in calls:  # the records named: the branch, never a member
            assert ast.unparse(call.args[3]) == f"[('branch_members', {unit})]", module


def test_a_contact_reaches_visits_without_its_member():
    """What the members service sends visits for a contact's concerns (issue 29): the branch,
    the day, the kind and the cadre; no field could carry the member, and the call names none."""
    assert not [name for name in field_names(RecordContact())
                if any(word == part for part in name.split(".") for word in MEMBER_WORDS)]
    source = (ROOT / "services" / "members" / "contacts.py").read_text(encoding="utf-8")
    sent = [node.args[0] for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and ast.unparse(node.func) == "visits.record_contact"]
    assert len(sent) == 1
    assert sorted(key.value for key in sent[0].keys) == [
        "cadre_id", "concerns", "contacted_on", "kind", "submission_id", "unit_id", "user_id"]
