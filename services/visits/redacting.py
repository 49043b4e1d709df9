"""Redaction by hand (Law 91/2025/QH15; FixMyStreet's moderation): personal details typed into
a concern's summary — a name, a house, an address the automatic redaction (``shared.redaction``)
cannot know — picked out word by word, each becoming ``[đã ẩn]``.

The cadre who carried the concern redacts it here (:func:`redact_concern`); an officer of the
authority holding its case redacts the case (``services.escalations.redacting``), whose
``case_summary_redacted`` this service takes (:func:`take_authority_redaction`). Either way the
words go from every text visits keeps of the concern — as typed, as the authority got it, in
every older version of the visit, the brief's view and the retained events — and
``concern_redacted`` carries the new text to every other copy (the case, the mails, the audit
trail). **The original is kept nowhere**: a detail someone judged personal has no purpose left
to keep, so not even a request from the person can show it afterwards. The concern records who
redacted and when (``redactions``), never what. Example::

    redact_concern(db, concern_id, ["Nguyễn Văn Hai", "số nhà 12"], cadre, now)
"""
import re
import unicodedata
from logging import getLogger

from services.visits import rules, store
from shared import contracts, event_log, redaction
from shared.errors import Conflict, NotFound

_log = getLogger(__name__)

ATTEMPTS = 3  # a visit amended meanwhile: read again


def redact_concern(db, concern_id, words, principal, now):
    """The cadre's redaction; the concern as the cadre now sees it."""
    visit = store.whole_visit_of_concern(db, concern_id)
    if visit is None:
        raise NotFound("concern not found", {"concern_id": [str(concern_id)]})
    rules.check_own_visit(visit, principal, "concern", concern_id)
    concern = _concern(visit, concern_id)
    typed, shared = concern["summary"], concern.get("shared_summary", concern["summary"])
    redaction.check_words(words, typed, shared)
    done = {"by": principal.user_id, "at": now, "side": "cadre", "words": len(words)}
    _rewrite(db, concern_id, lambda text: _without(text, words), done, principal.user_id)
    _log.info("concern %s: %d word(s) redacted by its cadre", concern_id, len(words))


def take_authority_redaction(db, event):
    """``case_summary_redacted``: the words the officer took out (found by comparing the texts,
    the event never names them) go from every text visits keeps; once only."""
    concern_id, summary = event.payload["concern_id"], event.payload["summary"]
    visit = store.whole_visit_of_concern(db, concern_id)
    if visit is None:
        return
    concern = _concern(visit, concern_id)
    before = concern.get("shared_summary", concern["summary"])
    if before == summary:
        return  # taken already (a redelivery)
    words = removed_words(before, summary)

    def change(text):
        return summary if text == before or words is None else _without(text, words)
    done = {"by": event.actor, "at": event.occurred_at, "side": "authority",
            "words": len(words or ())}
    _rewrite(db, concern_id, change, done, event.actor)


def removed_words(before, after):
    """The words ``after`` has as marks where ``before`` had text; None when ``after`` is not
    ``before`` with some words marked."""
    before, after = (unicodedata.normalize("NFC", t) for t in (before, after))
    pieces = after.split(redaction.MARK)
    pattern = "(.+?)".join(re.escape(piece) for piece in pieces)
    found = re.fullmatch(pattern, before, re.DOTALL)
    if found is None:
        return None
    return sorted({word.strip() for word in found.groups()
                   if word.strip() and word != redaction.MARK}, key=len, reverse=True)


def _without(text, words):
    """``text`` with those of ``words`` it holds marked (the others are another text's)."""
    missing = set(redaction.words_not_in(text, words))
    present = [word for i, word in enumerate(words) if i not in missing]
    return redaction.redact_words(text, present) if present else text


def _concern(visit, concern_id):
    return next(c for c in visit["concerns"] if c["concern_id"] == concern_id)


def _rewrite(db, concern_id, change, done, actor):
    for _ in range(ATTEMPTS):
        visit = store.whole_visit_of_concern(db, concern_id)
        changes, texts = _rewritten(visit, concern_id, change, done)
        after = _concern(changes, concern_id)
        events = []
        if _concern(visit, concern_id).get("shared_summary") != after["shared_summary"]:
            events.append(contracts.CONCERN_REDACTED.new(
                {"concern_id": concern_id, "summary": after["shared_summary"]}, actor=actor))
        if store.rewrite_concern(db, visit, {k: changes[k] for k in ("concerns", "versions")},
                                 events):
            break
    else:
        raise Conflict("the visit keeps changing; try again", {"concern_id": [concern_id]})
    store.redact_case_view(db, concern_id, after["shared_summary"])
    if texts:  # the events visits published quoting the old texts
        event_log.redact(db, lambda text: _replaced(text, texts))


def _rewritten(visit, concern_id, change, done):
    """The visit's concerns and versions with the concern's texts changed; the old texts with
    their new ones."""
    texts = {}

    def rewrite(concern, record):
        if concern["concern_id"] != concern_id:
            return concern
        typed = concern["summary"]
        shared = concern.get("shared_summary", typed)
        new_typed, new_shared = change(typed), change(shared)
        texts.update({old: new for old, new in ((typed, new_typed), (shared, new_shared))
                      if old != new})
        rewritten = {**concern, "summary": new_typed, "shared_summary": new_shared}
        if record:
            rewritten["redactions"] = [*concern.get("redactions", ()), done]
        return rewritten
    return {"concerns": [rewrite(c, True) for c in visit["concerns"]],
            "versions": [{**version, "concerns": [rewrite(c, False)
                                                  for c in version.get("concerns", ())]}
                         for version in visit.get("versions", ())]}, texts


def _replaced(text, texts):
    for old, new in sorted(texts.items(), key=lambda item: len(item[0]), reverse=True):
        text = text.replace(old, new)
    return text
