"""``sausat``'s tables: Vietnamese headings from the catalogue, laid out to the terminal's
width (``COLUMNS``). A name or an id keeps one line, cut with an ellipsis past its column's
width rather than folded into fragments; a figure or a time is never cut (its heading wraps);
free text wraps; a table that cannot give its names room is shown as cards, a value a line.
Times read in Vietnam's time. Example::

    table(say("sausat.queues_title"), [("sausat.queue", NAME), ("sausat.consumers", FIGURE)],
          [("escalations.concern_raised", 3)])
"""
import datetime as dt

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from shared.clock import VIETNAM
from shared.words import say

# how a column's cells behave when the terminal is narrow: a name or an id stays on one line
# (an ellipsis at its end), a figure or a time is never cut, free text wraps
NAME, FIGURE, TIME, TEXT = "name", "figure", "time", "text"
HEADER_WRAPS_AT = 8  # a figure's header longer than this wraps at its spaces
TEXT_AT_LEAST = 16
NAME_AT_LEAST = 16  # a name column narrower than this: the rows are shown as cards instead


def console():
    """A console as wide as the terminal now (``COLUMNS`` is read when it is made)."""
    return Console()


def table(title, columns, rows):
    """``columns``: ``(catalogue key, NAME | FIGURE | TIME | TEXT)``, laid out by
    :func:`column_widths` to the terminal's width."""
    rows = [["" if value is None else str(value) for value in row] for row in rows]
    headers = [say(key) for key, _ in columns]
    kinds = [kind for _, kind in columns]
    out = console()
    widths = column_widths(kinds, headers, rows, out.width)
    if any(kind == NAME and width < min(widest, NAME_AT_LEAST) for kind, width, widest
           in zip(kinds, widths, widest_values(rows, len(kinds)))):
        return out.print(cards(title, headers, kinds, rows))
    shown = Table(title=title, box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for header, kind, width in zip(headers, kinds, widths):
        one_line = kind == NAME
        shown.add_column(header, width=width, no_wrap=one_line,
                         overflow="ellipsis" if one_line else "fold",
                         justify="right" if kind == FIGURE else "left")
    for row in rows:
        shown.add_row(*row)
    out.print(shown)


def cards(title, headers, kinds, rows):
    """The rows of a table too wide for the terminal, one under the other, a value a line:
    a name keeps its line (an ellipsis only past the terminal's edge), text wraps."""
    shown = Table(title=title, box=box.SIMPLE_HEAD, show_header=False, pad_edge=False)
    shown.add_column(style="bold", no_wrap=True)
    shown.add_column()
    for number, row in enumerate(rows):
        for header, kind, value in zip(headers, kinds, row):
            one_line = kind != TEXT
            shown.add_row(header, Text(value, no_wrap=one_line,
                                       overflow="ellipsis" if one_line else "fold"))
        if number < len(rows) - 1:
            shown.add_section()
    return shown


def widest_values(rows, count):
    return [max([len(row[i]) for row in rows] + [0]) for i in range(count)]


def column_widths(kinds, headers, rows, total):
    """Each column's width within ``total`` characters: a figure or a time as wide as its
    widest value (its header wraps at its spaces), free text at least 16, and the names
    share what is left, none wider than its widest value (an ellipsis cuts a longer one)."""
    widest = widest_values(rows, len(kinds))
    words = [min(len(header), HEADER_WRAPS_AT) for header in headers]
    widths = [max(widest[i], words[i]) if kind in (FIGURE, TIME) else 0
              for i, kind in enumerate(kinds)]
    left = total - 3 * (len(kinds) - 1) - 2 - sum(widths)  # padding and rules between
    texts = [i for i, kind in enumerate(kinds) if kind == TEXT]
    left -= TEXT_AT_LEAST * len(texts)  # kept for the free text, which wraps
    names = [i for i, kind in enumerate(kinds) if kind == NAME]
    wanted = {i: max(widest[i], words[i], 4) for i in names}
    while names:  # the narrowest first: what it does not need goes to the others
        i = min(names, key=lambda j: wanted[j])
        widths[i] = min(wanted[i], max(left // len(names), 4))
        left -= widths[i]
        names.remove(i)
    for i in texts:
        widths[i] = TEXT_AT_LEAST + max(left // len(texts), 0)
    return widths


def vietnam_time(value):
    """An ISO moment from the gateway (UTC) as ``27/11/2026 15:40:05`` in Vietnam's time."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")
