"""The registry's reads. Each takes the day it answers for (``as_of``; none given: today in
Vietnam, ``shared.clock``) and answers the registry as it stood that day."""
from services.assignments import domain, history, reorganisation, store, tree
from services.assignments.levels import LEVEL_SCHEMES, LEVELS
from shared import clock, folding
from shared.contracts import ASSIGNMENTS_PERSONAL_DATA_READ
from shared.personal_data import personal_data_read


def day_asked(query):
    """The day a query asks about: its ``as_of``, or today."""
    return query.get("as_of") or clock.today()


# --- units -----------------------------------------------------------------------------------

def get_unit(db, unit_id, query):
    return tree.unit_on(db, unit_id, day_asked(query))


def unit_names(db, query):
    """The names today of the units ``query["unit_ids"]`` (one indexed read; a unit unknown
    or no longer existing is left out)."""
    day = history.iso(clock.today())
    found = (history.state_on(unit, day)
             for unit in store.units_named(db, sorted(set(query["unit_ids"]))))
    return [unit for unit in found if unit is not None]


def unit_history(db, unit_id):
    return store.unit_history(db, unit_id)


def found_by(query):
    """The search criteria of a list's ``q`` (None: no search)."""
    return folding.search_criteria(query["q"]) if query.get("q") else None


def list_units(db, query):
    """A page of the units existing ``as_of``, those whose names hold ``q``'s words if given
    (one indexed equality per word, ``shared.folding``)."""
    day = history.iso(day_asked(query))
    page = store.units_existing_on(db, day, query, found_by(query))
    return {"units": [history.state_on(unit, day) for unit in page["items"]],
            "next_cursor": page["next_cursor"]}


def list_levels():
    return {"levels": [{"level_id": level.level_id, "name": level.name,
                        "parent_levels": sorted(level.parent_levels),
                        "description": level.description} for level in LEVELS],
            "schemes": {name: list(ids) for name, ids in LEVEL_SCHEMES.items()}}


def list_reorganisations(db, query):
    page = store.reorganisations_page(db, query)
    return {"reorganisations": [reorganisation.shown(item) for item in page["items"]],
            "next_cursor": page["next_cursor"]}


def units_by_organisation_code(db, codes):
    return store.units_coded(db, sorted(set(codes)))


# --- cadres, assignments, working groups -----------------------------------------------------

def cadre_names(db, query):
    """The names of the cadres ``query["cadre_ids"]`` (an unknown one is left out); no
    contact is read, so nothing is recorded as a personal-data read."""
    return store.cadres_named(db, sorted(set(query["cadre_ids"])))


def committee_seats(db, query):
    """The cadres holding, or having held, a seat on the committees of ``query["unit_ids"]``,
    each with those seats alone (which day counts is the caller's rule); names only."""
    asked = set(query["unit_ids"])
    return [{**cadre, "memberships": [seat for seat in cadre.get("memberships") or ()
                                      if seat.get("unit_id") in asked]}
            for cadre in store.cadres_seated_on(db, sorted(asked))]


def record_contacts_shown(db, principal, purpose, cadres):
    """One audit entry naming the cadres whose e-mail or telephone ``cadres`` show to
    ``principal`` (None: an internal caller, recorded by its own caller)."""
    shown = [("cadre", c["_id"]) for c in cadres if c.get("email") or c.get("phone")]
    entry = personal_data_read(ASSIGNMENTS_PERSONAL_DATA_READ, principal, purpose, shown)
    if entry is not None:
        store.record_personal_data_read(db, entry)


def get_cadre(db, cadre_id, principal=None):
    cadre = store.find_cadre(db, cadre_id)
    record_contacts_shown(db, principal, "assignments.get_cadre", [cadre])
    return cadre


def list_cadres(db, query, principal=None):
    page = store.cadres_page(db, query, found_by(query))
    record_contacts_shown(db, principal, "assignments.list_cadres", page["items"])
    return {"cadres": page["items"], "next_cursor": page["next_cursor"]}


def list_assignments(db, cadre_id, day):
    """A cadre's assignments (all of them; with ``day``, those holding that day)."""
    return domain.holding(store.assignments_of_cadre(db, cadre_id), day)


def list_unit_assignments(db, unit_id, day):
    return domain.holding(store.assignments_of_unit(db, unit_id), day)


def get_working_group(db, working_group_id):
    return store.find_working_group(db, working_group_id)


def list_working_groups(db, query):
    page = store.working_groups_page(db, query.get("as_of"), query)
    return {"working_groups": page["items"], "next_cursor": page["next_cursor"]}


# --- search ----------------------------------------------------------------------------------

def search(db, query, principal=None):
    """Units (as they stood ``as_of``) and cadres whose names hold every query word as the
    start of a word, with or without diacritics."""
    criteria = folding.search_criteria(query["q"])
    day = history.iso(day_asked(query))
    cadres = store.cadres_found(db, criteria, query["limit"])
    record_contacts_shown(db, principal, "assignments.search", cadres)
    return {"units": [history.state_on(unit, day)
                      for unit in store.units_found(db, criteria, day, query["limit"])],
            "cadres": cadres}
