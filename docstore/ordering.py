"""MongoDB's sort order in Python, for sorts SQL cannot give exactly.

SQL sorts a field by its ``json_extract`` value, which is exact for scalars. A path that held a
subdocument (its JSON text would sort among strings) or runs through an array (MongoDB sorts by
the smallest element ascending, the largest descending; an empty array before null) is sorted
here instead: correct, but every matching row is read. Example::

    rows = sort_rows(rows, [("a", 1), ("_id", 1)])   # rows of (doc text,)
"""
import json

from docstore.encoding import sort_key

_EMPTY_ARRAY = (0,)  # sorts before null, as in MongoDB


def needs_python(sort, meta):
    """Whether ``ORDER BY`` on these paths would differ from MongoDB's order."""
    return any(path != "_id" and (path in meta.subdocuments or meta.through_array(path))
               for path, _ in sort)


def sort_rows(rows, sort, text_at=0):
    """``rows`` in MongoDB's order of ``sort``; the document's text is at ``text_at``."""
    keyed = [(json.loads(row[text_at]), row) for row in rows]
    return [row for _, row in sort_documents(keyed, sort, document=lambda pair: pair[0])]


def sort_documents(docs, sort, document=lambda doc: doc):
    for path, direction in reversed(sort):  # stable sorts, the last key first
        docs = sorted(docs, key=lambda item: sort_value(document(item), path, direction),
                      reverse=direction == -1)
    return docs


def sort_value(doc, path, direction):
    """The key a document sorts by on ``path``: of all the values the path reaches (array
    elements one level deep, a missing branch as null), the smallest ascending, else the
    largest."""
    keys = []
    _reach(doc, path.split("."), keys)
    return (min if direction == 1 else max)(keys)


def _reach(value, segments, keys):
    if not segments:
        if isinstance(value, list):
            keys.extend([sort_key(item) for item in value] or [_EMPTY_ARRAY])
        else:
            keys.append(sort_key(value))
        return
    head, rest = segments[0], segments[1:]
    if isinstance(value, dict):
        _reach(value.get(head), rest, keys) if head in value else keys.append(sort_key(None))
    elif isinstance(value, list):
        if head.isdigit() and int(head) < len(value):
            _reach(value[int(head)], rest, keys)
        reached = [item for item in value if isinstance(item, dict)]
        for item in reached:
            _reach(item, segments, keys)
        if not reached and not head.isdigit():
            keys.append(sort_key(None))
    else:
        keys.append(sort_key(None))
