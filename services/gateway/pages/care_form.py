"""Who a member's page lets choose the member's carer, and among whom (issue 29;
docs/members.md, "Who cares for a member"). The members service decides both
(``care_choices``: an administrator or a cadre on the branch's committee or the one above, the
seat holders of those committees that day); the page only words them. And, on the branch's
members page, the members nobody cares for yet."""
from services.gateway.pages import i18n


def carer_choices(offered, member, language):
    """The form's choices, ``[(cadre_id, "Name (role, which committee)")]``, or None when no
    form is shown: the caller may not choose, or the membership ended (``put`` refuses it)."""
    if not offered["may_choose"] or member.get("status") != "active":
        return None
    return [(cadre["cadre_id"], seat_words(cadre, member["unit_id"], language))
            for cadre in offered["cadres"]]


def seat_words(cadre, branch_id, language):
    """``Lê Thị Hòa (Bí thư, chi ủy)``: the seat that makes them a possible carer, the
    branch's own committee first."""
    seat = sorted(cadre["seats"], key=lambda held: held["unit_id"] != branch_id)[0]
    where = "care_seat_branch" if seat["unit_id"] == branch_id else "care_seat_above"
    return (f"{cadre['name']} ({i18n.label('committee_role', seat['role'], language)}, "
            f"{i18n.text(where, language)})")


def without_carer(members):
    """The members in nobody's care, in the list's order."""
    return [member for member in members if not member.get("in_care_of")]


def refusal_words(fields, refused, status):
    """What the choice's field says of a refusal: why the cadre chosen may not care for the
    member, or why the member may not be put in care (their membership ended); a caller who
    may no longer choose (403) reads the refusal's kind before its reason."""
    if status == 403 or not fields:
        return refused
    return fields.get("cadre_id") or " ".join(dict.fromkeys(fields.values()))
