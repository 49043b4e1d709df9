"""Choosing a record by typing: what an administrator typed in a picker field (a unit, a cadre,
an authority) resolved to exactly one record, or refused with why and the records to choose
from. Plain rules: the lookups are given, so the same rule serves every kind and its tests.

A field ``<name>`` holds what was typed: an exact code, or words of the name (diacritics
optional, each word beginning a word of the name, as the registry searches). ``<name>_pick``
holds a code chosen from a suggestion (``static/picker.js``) or from the candidates shown after
a refusal (a form without JavaScript); it wins over what was typed. ``<name>_current`` holds the
code an edit form started from, shown by its name: the name left as it was keeps that record,
though other records share the name.
"""
import re
from typing import NamedTuple

from marshmallow import fields, validate

from shared import folding
from shared.contracts.base import ID_PATTERN
from shared.errors import InvalidInput

PICK = "_pick"
CURRENT = "_current"
# the candidates shown beside a field that matched several: enough to choose among, few
# enough to read; past it, more words narrow the search
CANDIDATES = 10
# the picker fields' candidates travel back to the form under this key of its values
CANDIDATES_KEY = "_candidates"


class Picked(NamedTuple):
    """``record_id`` found; or ``because`` (a reason code) with ``candidates``
    (``[(record_id, words)]``) to choose from."""
    record_id: str = ""
    because: str = ""
    candidates: tuple = ()


def resolve(typed, picked, exact, search, current=""):
    """What ``typed`` (or the code ``picked``) names. ``exact(code)`` answers the record's
    words or None; ``search(words, limit)`` answers ``[(record_id, words, name)]`` of the
    records whose names hold the words (bounded, from an index). Nothing typed: nothing
    picked (the form's reader says whether the field is required). ``current``: the record
    the field showed by its name, kept while that name is what was sent."""
    picked, typed = (picked or "").strip(), (typed or "").strip()
    current = (current or "").strip()
    if picked:  # a code the page offered; anything else sent there names nothing
        known = re.fullmatch(ID_PATTERN, picked) and exact(picked) is not None
        return Picked(picked) if known else Picked(because="picked_gone")
    if not typed:
        return Picked()
    if current and re.fullmatch(ID_PATTERN, current):
        shown = exact(current)
        if shown is not None and folding.fold(shown) == folding.fold(typed):
            return Picked(current)
    if re.fullmatch(ID_PATTERN, typed) and exact(typed) is not None:
        return Picked(typed)
    try:
        found = search(typed, CANDIDATES + 1)
    except InvalidInput:  # no letter or digit to search for
        found = []
    if len(found) == 1:
        return Picked(found[0][0])
    # "Chi bộ thôn 1" typed whole is that one, though "Chi bộ thôn 10" also matches its words
    whole = [row for row in found if folding.fold(row[2]) == folding.fold(typed)]
    if len(whole) == 1:
        return Picked(whole[0][0])
    if not found:
        return Picked(because="no_match")
    return Picked(because="several_match",
                  candidates=tuple((row[0], row[1]) for row in found[:CANDIDATES]))


def resolve_form(form, fields, lookups):
    """``form`` with each picker field of ``fields`` (``{field: kind}``) replaced by the code it
    names, and the refusals ``{field: reason code}`` and candidates ``{field: [...]}`` of those
    that name none or several. ``lookups[kind]`` is ``(exact, search)``."""
    resolved, because, candidates = dict(form), {}, {}
    for field, kind in fields.items():
        exact, search = lookups[kind]
        found = resolve(form.get(field), form.get(field + PICK), exact, search,
                        form.get(field + CURRENT))
        resolved.pop(field + PICK, None)
        resolved.pop(field + CURRENT, None)
        if found.because:
            because[field] = found.because
            if found.candidates:
                candidates[field] = list(found.candidates)
        else:
            resolved[field] = found.record_id
    return resolved, because, candidates


def pick_fields(*names, limit=200):
    """The ``<name>_pick`` and ``<name>_current`` fields a form schema adds for its picker
    fields."""
    return {name + suffix: fields.String(load_default="", validate=validate.Length(max=limit))
            for name in names for suffix in (PICK, CURRENT)}
