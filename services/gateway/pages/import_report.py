"""An import's row report as a CSV file in the reader's language: each row the job listed,
by sheet and line, with what became of it (a members row's outcome, joined, moved...; a
rejected row's or a refused row's reason), the words the import page shows
(``row_outcome.*``, ``reason.*``). The job lists at most 1000 rows of each kind (docs/imports.md).
Example::

    row_report_csv(job, "vi")     # b'\\xef\\xbb\\xbfTrang,D\\xc3\\xb2ng,...'
"""
import csv
import io

from services.gateway.pages import i18n


def row_report_rows(job, language):
    """``[(sheet, line, outcome, column, reason)]`` in the file's order."""
    def because(row):
        return i18n.reason_words(row["because"], language) if row.get("because") else \
            row.get("reason") or ""
    rows = [(row["sheet"], row["line"], i18n.label("row_outcome", "rejected", language),
             row.get("header") or row.get("column") or "", because(row))
            for row in job.get("rejections") or ()]
    rows += [(row["sheet"], row["line"], i18n.label("row_outcome", "failed", language),
              row.get("header") or row.get("column") or "", because(row))
             for row in job.get("failures") or ()]
    rows += [(row["sheet"], row["line"], i18n.label("row_outcome", row["outcome"], language),
              "", "") for row in job.get("outcomes") or ()]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def row_report_csv(job, language):
    """The report as CSV, UTF-8 with a byte-order mark (Excel reads it so)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([i18n.text(key, language) for key in
                     ("sheet", "line", "outcome", "column", "reason")])
    writer.writerows(row_report_rows(job, language))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
