"""Cells that hold a structured value, read as offices write them and written back the same way.

The promise: ``format(parse(text))`` reads back as the same value, so an export re-imports
unchanged; a cell that cannot be read raises ``ValueError`` saying what form is expected.
Example::

    parse_schedule("hằng tháng, ngày 5")     # -> {"frequency": "monthly", "day_of_month": 5}
    parse_contacts("Nguyễn Văn An (Bí thư) 0912 345 678 an@example.vn")
    parse_memberships("vp.bx: standing_member từ 01/10/2020")
"""
import datetime as dt
import re
import unicodedata

from shared.reasons import reason

ITEM_SEPARATORS = re.compile(r"\s*[;\n]\s*")
FREQUENCIES = {"monthly": "monthly", "hang_thang": "monthly", "moi_thang": "monthly",
               "quarterly": "quarterly", "hang_quy": "quarterly", "moi_quy": "quarterly"}
EMAIL = re.compile(r"\S+@\S+\.\S+")
PHONE = re.compile(r"\+?\d[\d .()-]{5,19}\d")
ROLE = re.compile(r"\(([^)]*)\)")
DATE = r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"
MEMBERSHIP = re.compile(r"^(?P<unit>[^:\s]+)\s*:\s*(?P<role>[A-Za-z_]+)"
                        rf"(?:\s+(?:từ|from)\s+(?P<start>{DATE}))?"
                        rf"(?:\s+(?:đến|to)\s+(?P<end>{DATE}))?\s*$", re.IGNORECASE)


def _plain(text):
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _items(text):
    return [item for item in ITEM_SEPARATORS.split(str(text).strip()) if item]


def _iso(text):
    if text is None:
        return None
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return dt.date(year, month, day).isoformat()
    return dt.date.fromisoformat(text).isoformat()


# --- meeting schedule: "monthly 5", "hằng tháng, ngày 5", "monthly on the 5th" ----------------

def parse_schedule(text):
    words = _plain(text)
    frequency = next((value for key, value in FREQUENCIES.items() if words.startswith(key)),
                     None)
    day = re.search(r"\d+", words)
    if frequency is None or day is None:
        raise ValueError(reason("bad_schedule", f"{text!r} is not a meeting schedule (e.g. "
                                "'monthly 5' or 'hằng tháng, ngày 5')", value=text))
    return {"frequency": frequency, "day_of_month": int(day.group())}


def format_schedule(schedule):
    if not schedule:
        return None
    return f"{schedule['frequency']} {schedule['day_of_month']}"


# --- contacts: "Name (role) phone email", several separated by ; or a new line ----------------

def parse_contacts(text):
    contacts = []
    for item in _items(text):
        email = EMAIL.search(item)
        rest = EMAIL.sub(" ", item)
        role = ROLE.search(rest)
        rest = ROLE.sub(" ", rest)
        phone = PHONE.search(rest)
        name = " ".join(PHONE.sub(" ", rest).split())
        if not name:
            raise ValueError(reason("contact_without_name", f"contact {item!r} has no name "
                                    "(e.g. 'Nguyễn Văn An (Bí thư) 0912 345 678 "
                                    "an@example.vn')", value=item))
        contacts.append({"name": name, "role": role and role.group(1).strip() or None,
                         "phone": phone and phone.group().strip() or None,
                         "email": email and email.group() or None})
    return contacts


def format_contacts(contacts):
    return "; ".join(" ".join(filter(None, (
        c.get("name"), c.get("role") and f"({c['role']})", c.get("phone"), c.get("email"))))
        for c in contacts or ()) or None


# --- committee memberships: "vp.bx: standing_member từ 01/10/2020 đến 30/06/2025" -------------

def parse_memberships(text):
    memberships = []
    for item in _items(text):
        match = MEMBERSHIP.match(item)
        if match is None:
            raise ValueError(reason("bad_membership", f"membership {item!r} is not 'unit id: "
                                    "role [từ dd/mm/yyyy] [đến dd/mm/yyyy]'", value=item))
        memberships.append({"unit_id": match["unit"], "role": match["role"],
                            "starts_on": _iso(match["start"]), "ends_on": _iso(match["end"])})
    return memberships


def format_memberships(memberships):
    return "; ".join(" ".join(filter(None, (
        f"{m['unit_id']}: {m['role']}", m.get("starts_on") and f"từ {m['starts_on']}",
        m.get("ends_on") and f"đến {m['ends_on']}"))) for m in memberships or ()) or None


READERS = {"schedule": (parse_schedule, format_schedule),
           "contacts": (parse_contacts, format_contacts),
           "memberships": (parse_memberships, format_memberships)}
