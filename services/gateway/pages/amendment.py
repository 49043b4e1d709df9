"""The amendment page's form, read as the API's amendment and its refusals read back as the
form's fields. Plain functions, tested directly.

The page is a plain HTML form (it works without a script): the visit's marks and attendance,
one reason box per concern already raised (a reason withdraws it; empty keeps it) and one new
concern, with the raiser's e-mail for the answer if they consent. Its ``submission_id`` is
minted when the page opens, so the form sent twice is one amendment. Example::

    amendment = amendment_of(form, visit)          # for visits.amend_visit
    errors = form_errors(view.errors(error), visit) # {"new.topic": "Bắt buộc nhập."}
"""
import re

from marshmallow import (
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from shared.contracts import Id

NEW_CONCERN = ("summary", "topic", "raised_by", "urgency")
# a reason box is named after its concern: withdraw.<concern_id>
WITHDRAW = re.compile(r"withdraw\.([a-z0-9._-]{1,80})")
SCORES = ("leadership", "education", "combativeness")


def _text(name, longest):
    return fields.String(data_key=name, load_default="", validate=validate.Length(max=longest))


class AmendVisitForm(Schema):
    """What the edge takes from the amendment form; each reason box is checked here too."""

    class Meta:
        unknown = INCLUDE  # the reason boxes, one per concern raised: withdraw.<concern_id>

    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    submission_id = Id(required=True)
    meeting_kind = _text("meeting_kind", 40)
    present = _text("attendance.present", 20)
    expected = _text("attendance.expected", 20)
    leadership = _text("assessment.leadership", 20)
    education = _text("assessment.education", 20)
    combativeness = _text("assessment.combativeness", 20)
    note = _text("assessment.note", 2000)
    new_summary = _text("new.summary", 2000)
    new_topic = _text("new.topic", 40)
    new_raised_by = _text("new.raised_by", 40)
    new_urgency = _text("new.urgency", 40)
    # the raiser mailed when the answer arrives (issue 30), kept only with their consent
    new_raiser_email = _text("new.raiser_email", 254)
    new_raiser_consent = _text("new.raiser_consent", 10)

    @validates_schema(pass_original=True)
    def _only_reason_boxes(self, data, original, **kwargs):
        known = {field.data_key or name for name, field in self.fields.items()}
        for name, value in original.items():
            if name in known:
                continue
            if not WITHDRAW.fullmatch(name):
                raise ValidationError("Unknown field.", name)
            if not isinstance(value, str) or len(value) > 2000:
                raise ValidationError("Longer than maximum length 2000.", name)


    @post_load
    def _by_input_names(self, data, **kwargs):
        """Keyed as the page names its inputs (``attendance.present``), as it shows them back."""
        return {(self.fields[key].data_key or key) if key in self.fields else key: value
                for key, value in data.items()}


def _number(value):
    """A whole number as typed, or the text itself for the service to refuse beside it."""
    return int(value) if re.fullmatch(r"\s*\d{1,9}\s*", value or "") else value


def amendment_of(form, visit):
    """``visits.amend_visit``'s body from the form: every concern raised kept by its id, those
    with a reason withdrawn, a new one when any of it was written."""
    withdrawn = {c["concern_id"] for c in visit["concerns"] if c.get("withdrawn")}
    reasons = {}
    for name, value in form.items():
        found = WITHDRAW.fullmatch(name)
        if found and value.strip() and found.group(1) not in withdrawn:
            reasons[found.group(1)] = value
    concerns = [{"concern_id": c["concern_id"]} for c in visit["concerns"]]
    if form["new.summary"].strip() or form["new.topic"]:
        new = {name: form[f"new.{name}"] for name in NEW_CONCERN}
        if not new["topic"]:
            del new["topic"]  # refused as required, beside the field
        email = form["new.raiser_email"].strip()
        if email:  # without consent the service refuses it, beside the field
            new["raiser_email"] = email
        new["raiser_consent"] = form["new.raiser_consent"] == "true"
        concerns.append(new)
    return {
        "submission_id": form["submission_id"], "meeting_kind": form["meeting_kind"],
        "attendance": {"present": _number(form["attendance.present"]),
                       "expected": _number(form["attendance.expected"])},
        "assessment": {**{score: _number(form[f"assessment.{score}"]) for score in SCORES},
                       "note": form["assessment.note"]},
        "concerns": concerns,
        "withdrawals": [{"concern_id": cid, "reason": reason} for cid, reason in reasons.items()],
    }


def form_values(form):
    """The form's fields by the names its inputs carry (what the page shows back)."""
    return {name: value for name, value in form.items() if name != "csrf"}


def form_errors(errors, visit, amendment):
    """The service's refusal (``{"concerns.3.topic": "…"}``) by the form's names: the new
    concern is ``new.<field>``, a withdrawal's reason ``withdraw.<concern_id>``."""
    raised = len(visit["concerns"])
    withdrawals = [w["concern_id"] for w in amendment["withdrawals"]]
    mapped = {}
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "concerns" and len(parts) == 3 and parts[1] == str(raised):
            name = f"new.{parts[2]}"
        elif parts[0] == "withdrawals" and len(parts) == 3 and parts[1].isdigit() \
                and int(parts[1]) < len(withdrawals):
            name = f"withdraw.{withdrawals[int(parts[1])]}"
        mapped[name] = message
    return mapped
