"""Who is acting, and which role may do what: one table every service checks against.

The promise: a request acts as exactly one :class:`Principal` (the signed-in user's id, role and
the one scope bound to that role), and an action a role may never do is refused with
:class:`~shared.errors.Forbidden` naming the rule, wherever it is checked. Whether the user may
touch *this* object (their own visit, their authority's case) is decided by the service that
owns the object, which answers ``NotFound`` for another's object exactly as for a missing one.

RPCs take the principal as a plain dict and load it with :func:`principal_from`. Who may pass
what is settled before the method runs (``shared.rpc``, ``shared.callers``): a principal only
from the gateway's broker user with its signed assertion of exactly that principal, and
``None`` only from a calling service (or the loader script) that ``SERVICE_CALLS`` lists for
this RPC, e.g. imports registering units. So ``None`` here is a *verified* calling service,
never whoever managed to publish a request. Example::

    principal = principal_from({"user_id": "7f…", "role": "cadre", "cadre_id": "tran-thi-binh"})
    require(principal, "visits.log")        # passes
    require(principal, "users.manage")      # raises Forbidden("... administrator ...")
"""
from dataclasses import asdict, dataclass

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.contracts import ROLES, Id
from shared.errors import Forbidden, InvalidInput
from shared.reasons import reason

CADRE, OFFICER, OPERATOR, ADMINISTRATOR = ROLES

# the scope each role is bound to: exactly this field is set, the other is None
SCOPE_FIELD = {CADRE: "cadre_id", OFFICER: "authority_id", OPERATOR: None, ADMINISTRATOR: None}

PERMISSIONS = {
    # reading the organisation tree, authorities and routing rules: no personal data
    "registry.read": frozenset(ROLES),
    "registry.manage": frozenset({ADMINISTRATOR}),
    "users.manage": frozenset({ADMINISTRATOR}),
    "visits.log": frozenset({CADRE}),
    "visits.read": frozenset({CADRE}),
    "concerns.read": frozenset({CADRE, OFFICER}),
    "cases.inbox": frozenset({OFFICER}),
    # a case page: an officer of the authority holding it, the cadre who carried the concern
    "cases.read": frozenset({CADRE, OFFICER}),
    # acting on a case at all; then each action below, by the side of the case that takes it
    # (services/escalations/case_life.TRANSITIONS): the holder authority's officers, or the
    # raising side (the cadre who carried the concern, for their own concern only)
    "cases.act": frozenset({CADRE, OFFICER}),
    "cases.acknowledge": frozenset({OFFICER}),
    "cases.start": frozenset({OFFICER}),
    "cases.request_information": frozenset({OFFICER}),
    "cases.provide_information": frozenset({CADRE}),
    "cases.redirect": frozenset({OFFICER}),
    "cases.answer": frozenset({OFFICER}),
    "cases.close": frozenset({CADRE, OFFICER}),
    "cases.mark_duplicate": frozenset({OFFICER}),
    "cases.reopen": frozenset({CADRE}),
    "cases.escalate": frozenset({OFFICER}),
    # who besides the head reads a confidential case: the holding authority's head names them
    "cases.name_officers": frozenset({OFFICER}),
    # personal details typed into a summary redacted by hand: the cadre who carried the
    # concern, the officers of the authority holding its case (docs/personal-data.md)
    "concerns.redact": frozenset({CADRE}),
    "cases.redact": frozenset({OFFICER}),
    # the texts of the public receipt page: the cadre's summary, the holder's answer
    "cases.publish": frozenset({CADRE, OFFICER}),
    # an authority's reply templates: its own officers add and read them
    "templates.manage": frozenset({OFFICER}),
    # taking a case to work on: not a transition of the table, an officer of its holder
    "cases.take": frozenset({OFFICER}),
    # ... or assign one to a named officer of it (the head only: services/escalations/holding)
    "cases.assign": frozenset({OFFICER}),
    # an authority's duty roster (issue 25): its officers read it; its head edits it (the rule
    # in services/escalations/rosters), and administrators read and edit every authority's
    "rosters.read": frozenset({OFFICER, ADMINISTRATOR}),
    "rosters.manage": frozenset({OFFICER, ADMINISTRATOR}),
    # ... or put it in another severity tier with a reason (services/escalations/case_tiers)
    "cases.change_tier": frozenset({OFFICER}),
    # the working calendar (days off, worked days, office hours): administrators keep it
    "calendars.manage": frozenset({ADMINISTRATOR}),
    # an interim reply with a committed date (gia hạn): an officer of the holder, once per case
    "cases.interim_reply": frozenset({OFFICER}),
    # concerns no routing rule covered: the triage authority's officers see those it holds (any
    # other officer: those their authority holds, none), administrators all of them, to see
    # which routing rules are missing, operators all of them without texts or answers
    "cases.unrouted": frozenset({OFFICER, OPERATOR, ADMINISTRATOR}),
    # counts per authority and topic, no personal data: an officer their own authority's,
    # administrators every authority's
    "cases.statistics": frozenset({OFFICER, ADMINISTRATOR}),
    # queues and event metadata, never payloads
    "monitor.read": frozenset({OPERATOR}),
    # replaying and discarding dead letters, removing stale wait queues (each recorded)
    "monitor.operate": frozenset({OPERATOR}),
    # what mail went to whom: addresses, and case subjects that quote the concern
    "notifications.read": frozenset({ADMINISTRATOR}),
    # sending a failed or rejected mail again once its cause is mended (recorded)
    "notifications.retry": frozenset({OPERATOR, ADMINISTRATOR}),
    # who read personal data, which records, when (DESIGN §6): the log itself names no one's data
    "audit.read": frozenset({ADMINISTRATOR}),
    # requests from the people concerned (access, correction, deletion, objection): recorded,
    # followed and closed by administrators
    "audit.requests": frozenset({ADMINISTRATOR}),
    # every signed-in user: their own session and password
    "self": frozenset(ROLES),
    # cadres with their contacts and memberships (personal data): not the operators'
    "registry.people.read": frozenset({CADRE, OFFICER, ADMINISTRATOR}),
    # spreadsheets into the registry and back out (the export holds cadres' e-mail addresses)
    "registry.import": frozenset({ADMINISTRATOR}),
    "registry.export": frozenset({ADMINISTRATOR}),
    # which units nobody keeps close to, and each cadre's units with their last visits
    "coverage.read": frozenset({ADMINISTRATOR}),
    # visits that close the loop (issue 8): a branch's brief before a visit, for the cadres
    # assigned to it or in a working group attending it (officers hold cases, not branches)
    "visits.brief": frozenset({CADRE}),
    # visits by branch, cadre and period: a cadre their own; administrators any, without
    # who raised the concerns
    "visits.list": frozenset({CADRE, ADMINISTRATOR}),
    # a branch's meeting record over a year: its cadres (as for the brief) and administrators
    "visits.record": frozenset({CADRE, ADMINISTRATOR}),
    # visits logged where no assignment or working group sent the cadre: for the supervising
    # committee, whose office works through an administrator's account
    "visits.unscheduled": frozenset({ADMINISTRATOR}),
    # branch meetings (issue 28): a branch's dates, changed by the cadre holding its
    # secretary's seat or an administrator; a committee's attendance plan, made and read by the
    # cadres holding its leading seats or an administrator (services/assignments/planning);
    # a cadre's own planned meetings
    "meetings.schedule": frozenset({CADRE, ADMINISTRATOR}),
    "meetings.plan": frozenset({CADRE, ADMINISTRATOR}),
    "meetings.read": frozenset({CADRE, ADMINISTRATOR}),
    # a cadre's own calendar feed address: issued and revoked by the cadre
    "meetings.feed": frozenset({CADRE}),
    # the periodic report a committee files upward: bound to a leading seat of that committee
    "meetings.report": frozenset({CADRE, ADMINISTRATOR}),
    # Party members (issue 29; sensitive personal data): a branch's members and the absence
    # flags, for the cadres assigned to it or holding a seat on its committee on the day asked
    # (services/members/access) and administrators; the roll imported by administrators; a
    # meeting's attendance member by member, recorded by the cadre logging the visit
    "members.read": frozenset({CADRE, ADMINISTRATOR}),
    "members.import": frozenset({ADMINISTRATOR}),
    "members.attendance": frozenset({CADRE}),
    # contacts with members and families (issue 29): a cadre who may see the member's branch
    "members.contact": frozenset({CADRE}),
    # who cares for a member: an administrator, or a cadre on the committee (services/members/care)
    "members.care": frozenset({CADRE, ADMINISTRATOR}),
}


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: str
    cadre_id: str = None
    authority_id: str = None
    # the head of the officer's authority: reads its confidential cases and names who else may
    authority_head: bool = False

    def to_dict(self):
        return asdict(self)


class PrincipalSchema(Schema):
    user_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    cadre_id = Id(load_default=None, allow_none=True)
    authority_id = Id(load_default=None, allow_none=True)
    authority_head = fields.Boolean(load_default=False)

    @validates_schema
    def _scope_matches_role(self, data, **kwargs):
        check_scope(data["role"], data.get("cadre_id"), data.get("authority_id"),
                    error=ValidationError)
        check_head(data["role"], data.get("authority_head"), error=ValidationError)


PRINCIPALS = PrincipalSchema()  # one for every call: building a schema costs more than a load


def check_head(role, authority_head, error=InvalidInput):
    """Only an authority officer heads an authority."""
    if authority_head and role != OFFICER:
        problem = {"authority_head": [f"only an {OFFICER} heads an authority, not a {role}"]}
        if error is ValidationError:
            raise ValidationError(problem)
        raise error("only an authority officer heads an authority", problem)


def check_scope(role, cadre_id, authority_id, error=InvalidInput):
    """A role is bound to exactly its own scope: a cadre to a cadre_id, an officer to an
    authority_id, operators and administrators to neither."""
    given = {"cadre_id": cadre_id, "authority_id": authority_id}
    wanted = SCOPE_FIELD[role]
    problems = {}
    for field, value in given.items():
        if field == wanted and value is None:
            problems[field] = [reason("required", f"required for role {role}")]
        elif field != wanted and value is not None:
            problems[field] = [reason("not_for_role", f"not allowed for role {role}")]
    if problems:
        if error is ValidationError:
            raise ValidationError(problems)
        raise error("role and scope do not match", problems)


def principal_from(data):
    """The :class:`Principal` of an RPC argument, or None for a calling service the RPC
    entrypoint verified against ``shared.callers.SERVICE_CALLS``."""
    if data is None:
        return None
    try:
        return Principal(**PRINCIPALS.load(data))
    except (ValidationError, TypeError) as error:
        raise InvalidInput("invalid principal", getattr(error, "messages", {})) from None


def may(principal, action):
    return principal.role in PERMISSIONS[action]


def require(principal, action):
    """Refuse with Forbidden unless ``principal``'s role may do ``action`` (None: a calling
    service the entrypoint verified)."""
    if principal is None or may(principal, action):
        return principal
    roles = " or ".join(sorted(PERMISSIONS[action]))
    raise Forbidden(f"only {roles} may do this",
                    {"rule": [f"{action}: {roles} only"], "role": [principal.role]})


def actor_of(principal):
    """The user_id recorded in events and stored changes (None: the system or a script)."""
    return principal.user_id if principal is not None else None


def signed_in(principal, what):
    """``principal``, or ``InvalidInput`` when none: ``what`` (an action on a case, say) is
    always a signed-in user's, recorded as theirs."""
    if principal is None:
        raise InvalidInput(f"{what} by a signed-in user", {"principal": ["required"]})
    return principal
