"""The periodic report as an ``.xlsx`` workbook the committee's office edits into its own
template: plain cells under named headers (Vietnamese first, from the catalogue), numbers as
numbers, days as dates, rates as numbers shown as percentages, and no formula anywhere (a name
starting with ``=`` stays text). Five sheets: the summary, one row per branch, one row per
unit right under the committee, one row per month, one row per topic (the figures:
docs/reports-periodic.md). Example::

    data = workbook(job, "vi")    # bytes of the .xlsx
"""
import datetime as dt
import io

from services.gateway.pages import i18n
from shared.clock import vietnam_date

MEETING_FIGURES = ("meetings_held", "meetings_attended_by_members", "present", "expected",
                   "attendance_rate", "leadership_average", "education_average",
                   "combativeness_average")
PLAN_FIGURES = ("planned", "attended_as_planned", "planned_not_attended",
                "attended_without_plan")
TOPIC_FIGURES = ("raised", "answered_on_time", "answered_late", "reopened", "unresolved",
                 "withdrawn")
PERCENT, DAY, MONTH = "0.0%", "DD/MM/YYYY", "MM/YYYY"


def figure(name, language):
    return i18n.label("figure", name, language)


def _cell(sheet, value):
    """A plain cell: text stays text (never a formula), a day a date, a number a number."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.date):
        cell.number_format = DAY
    return cell


def _formatted(sheet, value, number_format):
    cell = _cell(sheet, value)
    cell.number_format = number_format
    return cell


def _row(sheet, values, rates=(), formats=None):
    """One row; the cells at ``rates`` shown as percentages, ``formats`` {index: format}."""
    formats = {**{i: PERCENT for i in rates}, **(formats or {})}
    sheet.append([_formatted(sheet, v, formats[i]) if i in formats else _cell(sheet, v)
                  for i, v in enumerate(values)])


def generated_day(job):
    moment = job["generated_at"]
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return vietnam_date(moment)


def workbook(job, language):
    """The bytes of the job's report as a workbook (the job must be done)."""
    from openpyxl import Workbook

    result, say = job["result"], (lambda key: i18n.text(key, language))
    book = Workbook(write_only=True)
    summary = book.create_sheet(say("report_sheet_summary"))
    _row(summary, [say("report_item"), say("report_value")])
    for key, value in (("report_committee", job["committee_name"]),
                       ("report_period", job["period"]),
                       ("report_first_day", dt.date.fromisoformat(result["first_day"])),
                       ("report_last_day", dt.date.fromisoformat(result["last_day"])),
                       ("report_generated_at", generated_day(job))):
        _row(summary, [say(key), value])
    for name in MEETING_FIGURES:
        _row(summary, [figure(name, language), result["totals"][name]],
             rates=(1,) if name == "attendance_rate" else ())
    for name in PLAN_FIGURES:
        _row(summary, [figure(name, language), result["plan"][name]])

    branches = book.create_sheet(say("report_sheet_branches"))
    _row(branches, [say("report_branch"), say("report_unit_id"), say("report_part_of"),
                    *(figure(name, language) for name in MEETING_FIGURES)])
    rate_column = 3 + MEETING_FIGURES.index("attendance_rate")
    for row in result["branches"]:
        _row(branches, [row["name"], row["unit_id"], row.get("part_of_name"),
                        *(row[name] for name in MEETING_FIGURES)], rates=(rate_column,))

    parts = book.create_sheet(say("report_sheet_parts"))
    _row(parts, [say("report_part"), say("report_unit_id"), say("report_branches"),
                 *(figure(name, language) for name in MEETING_FIGURES)])
    for row in result["parts"]:
        _row(parts, [row["name"], row["unit_id"], row["branches"],
                     *(row[name] for name in MEETING_FIGURES)], rates=(rate_column,))

    by_month = book.create_sheet(say("report_sheet_months"))
    _row(by_month, [say("report_month"), *(figure(name, language) for name in MEETING_FIGURES)])
    for row in result["months"]:
        _row(by_month, [dt.date.fromisoformat(row["month"]),
                        *(row[name] for name in MEETING_FIGURES)], rates=(rate_column - 2,),
             formats={0: MONTH})

    topics = book.create_sheet(say("report_sheet_topics"))
    _row(topics, [figure("topic", language), *(figure(name, language)
                                               for name in TOPIC_FIGURES)])
    for row in result["topics"]:
        _row(topics, [i18n.label("topic", row["topic"], language),
                      *(row[name] for name in TOPIC_FIGURES)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
