"""A case's timeline as sentences a reader follows: who did what, and why, in their language.

Each line of the escalations service's timeline says who acted (role, and the authority that
held the case when they acted: the line before's), the action, the state after, the authority
after, and why: a person's own words (``why``) or the system's reason as a code and its values
(``because``). Every word comes from the catalogue (``timeline.<action>``,
``because.<code>``); a person's own words are shown as they wrote them, quoted. Example::

    sentences(case["timeline"], "vi")
    # [{"at": ..., "sentence": "Hệ thống chuyển ý kiến đến UBND xã Tam Hợp, theo quy tắc chuyển
    #   ý kiến lĩnh vực Hạ tầng", "quoted": None},
    #  {"at": ..., "sentence": "Cán bộ UBND xã Tam Hợp đề nghị bổ sung thông tin",
    #   "quoted": "Đoạn đường nào?"}]
"""
from services.gateway.pages import i18n
from shared.words import knows, say, say_value

SYSTEM = "system"
OFFICER = "authority_officer"
# the lines whose ``why`` the system wrote itself, in English: a line stored before ``because``
# existed is shown without it rather than quoting English
SYSTEM_WRITTEN_WHY = {"route", "remind", "escalate", "mark_duplicate", "accept_answer",
                      "reject_answer"}


def _who(entry, holder_name, language):
    role = entry.get("role")
    if role == SYSTEM:
        return say("who.system", language)
    if role == OFFICER and holder_name:
        return say("who.officer_of", language, authority=holder_name)
    return say_value("role", role, language) if role else say("who.someone", language)


def _because(because, language):
    """The system's reason in words, or None for a code the catalogue does not know yet."""
    if not isinstance(because, dict) or not knows(f"because.{because.get('code')}", language):
        return None
    values = {name: value for name, value in because.items() if name != "code"}
    if "topic" in values:
        values["topic"] = say_value("topic", values["topic"], language)
    if "deadline" in values:
        values["deadline"] = say_value("due_kind", values["deadline"], language)
    for tier in ("from_tier", "to_tier"):  # a tier change (issue 25)
        if tier in values:
            values[tier] = say_value("tier", values[tier], language)
    for day in ("due_on", "reviewed_on", "answer_by", "committed_on", "original_answer_by"):
        if values.get(day):
            values[day] = i18n.short_date(values[day], language)
    return say(f"because.{because['code']}", language, **values)


def _sentence_key(entry):
    action = entry.get("action")
    if action == "route" and not entry.get("authority_id"):
        return "timeline.route_unrouted"
    if action == "escalate" and not entry.get("authority_id"):
        return "timeline.escalate_top"
    return f"timeline.{action}"


def sentence(entry, holder_name, language):
    """``(sentence, quoted)`` of one line: ``holder_name`` is the authority holding the case
    when it was written (the line before's), ``quoted`` a person's own words or None."""
    key = _sentence_key(entry)
    because = entry.get("because")
    values = {"who": _who(entry, holder_name, language),
              "authority": entry.get("authority_name") or say("who.unknown_authority", language),
              "state": say_value("status", entry.get("to_state"), language),
              # "assign": the officer named (their name as it was when assigned)
              "assignee": entry.get("assignee_name") or entry.get("assignee_user_id") or "",
              "reviewed_on": i18n.short_date((because or {}).get("reviewed_on"), language)}
    if knows(key, language):
        said = say(key, language, **values)
    else:  # an action newer than the catalogue: its name and the state it led to
        said = say("timeline.other", language, **values,
                   action=say_value("action", entry.get("action"), language))
    reason = _because(because, language)
    if reason:
        said = f"{said}, {reason}"
    said = _with_letter(said, because, language)
    if entry.get("template_title"):  # the reply template the text started from
        said = f"{said} {say('timeline.from_template', language, title=entry['template_title'])}"
    if isinstance(because, dict) and entry.get("action") == "interim_reply":
        quoted = entry.get("why") or None  # the officer's progress note
    elif isinstance(because, dict):
        quoted = because.get("comment") or None  # the members' words at the branch
    elif entry.get("role") == SYSTEM and entry.get("action") in SYSTEM_WRITTEN_WHY:
        quoted = None
    else:
        quoted = entry.get("why") or None  # a person's own words
    return said, quoted


def _with_letter(said, because, language):
    """An answer's line names the official letter it was given by, or why there is none."""
    if not isinstance(because, dict):
        return said
    if because.get("letter_number"):
        return f"{said} " + say("timeline.answer_letter", language,
                                number=because["letter_number"],
                                date=i18n.short_date(because.get("letter_date"), language))
    if because.get("no_letter_reason"):
        return f"{said}, " + say("timeline.answer_no_letter", language,
                                 why=because["no_letter_reason"])
    return said


def sentences(timeline, language):
    """Every line of ``timeline`` as ``{"at", "sentence", "quoted"}``, oldest first."""
    lines, holder_name = [], None
    for entry in timeline or ():
        said, quoted = sentence(entry, holder_name, language)
        lines.append({"at": entry.get("at"), "sentence": said, "quoted": quoted})
        holder_name = entry.get("authority_name") or holder_name
    return lines
