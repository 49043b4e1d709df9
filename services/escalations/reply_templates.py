"""Reply templates: texts an authority's officers start an answer or an information request
from, per topic (or for every topic), and the rule of which one a case may use. Plain rules,
tested directly; the store keeps them (``store.add_reply_template``).

An answer or a question sent with a ``template_id`` records the template on its timeline line
(``template_id``, ``template_title``), so the case shows which text it started from; the text
sent is the officer's own (they may have changed it). Example::

    template = new_template({"authority_id": "ubnd-xa-tam-hop", "kind": "answer",
                             "topic": "*", "title": "Đã giải quyết", "text": "..."},
                            officer, now)
    check_usable(template, case, "answer")     # or InvalidInput naming template_id

An officer of the authority changes or deletes its templates (``change``, ``delete``): each
change is kept on the template (who, when, which fields), and a deleted one stays stored, no
longer listed nor usable, so a case's timeline still names the text it started from.
"""
from services.escalations.access import holds
from shared import contracts
from shared.errors import InvalidInput, NotFound
from shared.reasons import reason


def new_template(template, principal, now):
    """The stored document of a template an officer adds for their own authority (another
    authority's is refused like one that does not exist)."""
    if not holds(principal, template["authority_id"]):
        raise NotFound("authority not found", {"authority_id": [template["authority_id"]]})
    return {"_id": contracts.new_id(), **template, "created_by": principal.user_id,
            "created_at": now}


def check_own(template, principal):
    """Another authority's template, or a deleted one, is refused like a missing one."""
    if template is None or template.get("deleted_at") or not holds(
            principal, template["authority_id"]):
        raise NotFound("reply template not found",
                       {"template_id": [str((template or {}).get("_id"))]})


def change(template, changes, principal, now):
    """``($set, change line)`` of an officer changing their authority's template; a change
    that changes nothing is refused by field."""
    check_own(template, principal)
    changed = sorted(name for name, value in changes.items() if template.get(name) != value)
    if not changed:
        raise InvalidInput("nothing to change", {"_schema": [
            reason("nothing_changed", "the template already reads so")]})
    line = {"by": principal.user_id, "at": now, "action": "change", "fields": changed}
    return {**{name: changes[name] for name in changed},
            "changed_by": principal.user_id, "changed_at": now}, line


def delete(template, principal, now):
    """``($set, change line)`` of an officer deleting their authority's template."""
    check_own(template, principal)
    line = {"by": principal.user_id, "at": now, "action": "delete", "fields": []}
    return {"deleted_by": principal.user_id, "deleted_at": now}, line


def check_usable(template, case, action):
    """Refuse a template that is not the holder's, not for this action, or for another
    topic (or deleted): the case would record a text it could not have started from."""
    if template is None or template["authority_id"] != case.get("authority_id") or \
            template.get("deleted_at"):
        raise InvalidInput("no such reply template for this case", {"template_id": [
            reason("unknown_template", "no such reply template for this authority")]})
    if template["kind"] != action:
        raise InvalidInput("that template is for another action", {"template_id": [
            reason("template_for_other_action", f"a template for {template['kind']}")]})
    if template["topic"] not in (contracts.ANY_TOPIC, case.get("topic")):
        raise InvalidInput("that template is for another topic", {"template_id": [
            reason("template_for_other_topic", f"a template for {template['topic']}")]})
