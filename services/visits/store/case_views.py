"""Reads of ``concern_cases`` (the branch brief's view of each concern's case) that spare a case
event the visit: the view names the visit it came from."""


def visit_id_of_view(db, concern_id):
    """The visit whose concern ``concern_id`` is, as its view records it; None when the concern
    has no view yet (a visit from before the brief, or a crash between the visit's insert and
    its views)."""
    view = db.concern_cases.find_one({"_id": concern_id}, {"visit_id": 1})
    return view and view.get("visit_id")
