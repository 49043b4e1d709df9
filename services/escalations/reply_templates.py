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


def check_usable(template, case, action):
    """Refuse a template that is not the holder's, not for this action, or for another
    topic: the case would record a text it could not have started from."""
    if template is None or template["authority_id"] != case.get("authority_id"):
        raise InvalidInput("no such reply template for this case", {"template_id": [
            reason("unknown_template", "no such reply template for this authority")]})
    if template["kind"] != action:
        raise InvalidInput("that template is for another action", {"template_id": [
            reason("template_for_other_action", f"a template for {template['kind']}")]})
    if template["topic"] not in (contracts.ANY_TOPIC, case.get("topic")):
        raise InvalidInput("that template is for another topic", {"template_id": [
            reason("template_for_other_topic", f"a template for {template['topic']}")]})
