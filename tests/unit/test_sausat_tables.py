"""``sausat`` in an 80-column terminal: a queue's name keeps its line (whole, or cut with an
ellipsis), never folded into fragments; a table too wide for the terminal turns into cards;
times read in Vietnam's time; headings come from the catalogue in Vietnamese."""
import re

import pytest
from click.testing import CliRunner

from tooling import sausat, tables

NAMES = ("escalations.concern_raised", "notifications.case_information_requested",
         "visits.unit_registered", "notifications.directory.dead", "monitor.all_events")
QUEUES = {"queues": [{"queue": name, "messages": 12, "ready": 10, "unacknowledged": 2,
                      "consumers": 3, "publish_rate": 1.5, "deliver_rate": 1.25,
                      "oldest_message_seconds": 4200, "kind": "work"} for name in NAMES]}
LETTERS = {"queues": [{"failed_on": "notifications.case_information_requested", "depth": 1,
                       "letters": [{"letter_id": "5f0c9e2a7d1b4c3e8a9f0b1c", "event_type": None,
                                    "event_id": "8c1f2e3d4c5b6a7980a1b2c3d4e5f607",
                                    "attempts": 5, "failed_at": "2026-12-06T20:30:00+00:00",
                                    "error": "cannot be decoded as JSON"}]}]}


class Answer:
    status_code = 200

    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


def run(monkeypatch, body, *args, columns=80):
    monkeypatch.setattr(sausat.Gateway, "get", lambda self, path, params=None, ok=(200,):
                        Answer(body))
    result = CliRunner().invoke(sausat.cli, list(args), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def test_at_80_columns_each_queue_keeps_one_line_whole_or_cut_with_an_ellipsis(monkeypatch):
    output = run(monkeypatch, QUEUES, "queues")
    lines = output.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if "10 / 2" in line]
    assert len(rows) == len(NAMES)  # one line a queue: nothing wrapped onto a second
    for name, row in zip(NAMES, rows):
        shown = row.split()[0]
        assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1])
                                 and len(shown) >= 20), (name, row)
    assert "Hàng đợi" in output and "Bộ xử lý" in output


def test_a_table_too_wide_for_80_columns_is_shown_as_cards_with_vietnam_time(monkeypatch):
    output = run(monkeypatch, LETTERS, "dead-letters", "list")
    lines = output.splitlines()
    assert max(len(line) for line in lines) <= 80
    # every id and name whole, on its own line beside its heading
    for value in ("5f0c9e2a7d1b4c3e8a9f0b1c", "notifications.case_information_requested",
                  "8c1f2e3d4c5b6a7980a1b2c3d4e5f607"):
        assert any(value in line for line in lines), value
    assert re.search(r"Lỗi lúc \(giờ Việt Nam\)\s+07/12/2026 03:30:00", output)
    assert "2026-12-06T20:30" not in output
    assert "(không đọc được)" in output


@pytest.mark.parametrize("columns", [200, 240])
def test_a_wide_terminal_shows_the_same_table_in_columns(monkeypatch, columns):
    output = run(monkeypatch, LETTERS, "dead-letters", "list", columns=columns)
    row = next(line for line in output.splitlines() if "5f0c9e2a7d1b4c3e8a9f0b1c" in line)
    assert "notifications.case_information_requested" in row and "07/12/2026" in row


def test_the_widths_fit_the_terminal_and_figures_are_never_cut():
    kinds = [tables.NAME, tables.FIGURE, tables.TIME, tables.TEXT]
    rows = [["a" * 50, "12345", "07/12/2026 03:30:00", "x" * 100]]
    widths = tables.column_widths(kinds, ["Tên", "Số", "Lúc", "Lỗi"], rows, 80)
    assert sum(widths) + 3 * 3 + 2 <= 80
    assert widths[1] == 5 and widths[2] == 19 and widths[3] >= tables.TEXT_AT_LEAST
