"""What each kind of registry sheet holds: its columns, its key, the schema a row must pass.

Columns are named by their field (``unit_id``) or by the Vietnamese label an office's sheet
uses (``Mã đơn vị``); a header is compared without case, diacritics or punctuation, so
``MÃ ĐƠN VỊ``, ``ma don vi`` and ``Mã_đơn_vị`` are one column. A row is checked with the very
schema the registering RPC loads it with, so a row that passes here is one the RPC accepts
(short of what only the registry knows: see ``planning``). Example::

    KINDS["units"].column_for("Mã đơn vị cấp trên")   # -> "parent_id"
"""
import re
import unicodedata
from dataclasses import dataclass

from marshmallow import ValidationError, fields, validates_schema

from services.imports.cells import READERS
from shared.contracts import Text
from shared.contracts.rpc.cases import AddRoutingRule, RegisterAuthority
from shared.contracts.rpc.imports import KIND_NAMES
from shared.contracts.rpc.members import MemberRow
from shared.contracts.rpc.registry import (
    BULK_KINDS,
    AssignCadre,
    FormWorkingGroup,
    RegisterCadre,
    RegisterUnit,
)

LIST_SEPARATORS = re.compile(r"\s*[;,|\n]\s*")


class AuthorityRow(RegisterAuthority):
    """An authority as a sheet gives it: registered and, when ``retired_on`` is given, retired
    from that day (``escalations.retire_authority`` ends its routing rules the day before)."""
    retired_on = fields.Date(load_default=None, allow_none=True)


class AssignmentRow(AssignCadre):
    """An assignment as a sheet gives it: made from ``starts_on`` and, when ``ends_on`` is
    given, ended that day (the registry's ``end_assignment`` wants the reason too)."""
    ends_on = fields.Date(load_default=None, allow_none=True)
    end_reason = Text(500, load_default=None, allow_none=True)

    @validates_schema
    def _an_end_has_a_reason(self, data, **kwargs):
        if data.get("ends_on") is None:
            return
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError(f"must be {data['starts_on'].isoformat()} or later",
                                  "ends_on")
        if not data.get("end_reason"):
            raise ValidationError("required when ends_on is given", "end_reason")


def header_key(text):
    """A header as compared: no diacritics (đ is d), lower case, words joined by ``_``."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass(frozen=True)
class Column:
    name: str                 # the RPC's field
    labels: tuple = ()        # what offices call it, in Vietnamese
    required: bool = False
    is_list: bool = False     # several values in one cell, separated by ; , | or a new line
    is_date: bool = False
    cell: str = None          # a structured cell read by ``cells.READERS[cell]``
    code: bool = False        # an office's code: a number cell refused (its zeros are lost)


@dataclass(frozen=True)
class Kind:
    name: str
    rpc: tuple                # (service, method) that registers one row
    key: tuple                # the fields that name one record
    columns: tuple
    schema: type
    sheet_labels: tuple = ()  # sheet or file names that say this kind
    # (service, method) that changes a registered record: called with its key and the
    # ``changeable`` fields when only those differ from what the registry holds
    change_rpc: tuple = None
    changeable: tuple = ()
    # the fields the registering RPC takes (None: all of the row's)
    registers: tuple = None
    # (service, method, id field of the registered record, {argument: field}): called after
    # registering a row whose first such field is given, e.g. end_assignment for ``ends_on``
    follow_up: tuple = None

    @property
    def bulk_rpc(self):
        """(service, method) registering many rows of this kind in one call, or None."""
        if self.rpc[0] == "assignments" and self.name in BULK_KINDS:
            return "assignments", "register_many"
        if self.rpc[0] == "members":  # a window's rows in one call, planned there
            return self.rpc
        return None

    def column_for(self, header):
        """The field a header names, or None."""
        wanted = header_key(header)
        for column in self.columns:
            if wanted == column.name or wanted in (header_key(label) for label in column.labels):
                return column.name
        return None

    def column(self, name):
        return next(column for column in self.columns if column.name == name)

    def header_of(self, name):
        """The Vietnamese header of the field ``name`` as the import template writes it."""
        found = next((column for column in self.columns if column.name == name), None)
        return found.labels[0] if found and found.labels else None

    @property
    def required(self):
        return [column.name for column in self.columns if column.required]

    def cells_of(self, record):
        """``record`` with its structured values written as the import reads them back."""
        return {**record, **{column.name: READERS[column.cell][1](record.get(column.name))
                             for column in self.columns if column.cell}}

    def registered(self, payload):
        """The part of a row's payload the registering RPC takes."""
        if self.registers is None:
            return payload
        return {name: payload.get(name) for name in self.registers}

    def follow_up_of(self, payload, registered, principal):
        """(service, method, arguments) to call after ``registered`` came back, or None."""
        if self.follow_up is None:
            return None
        service, method, id_field, arguments = self.follow_up
        if payload.get(next(iter(arguments.values()))) is None:
            return None
        return service, method, (registered[id_field], {
            argument: payload.get(name) for argument, name in arguments.items()}, principal)

    def key_of(self, payload):
        return tuple(str(payload.get(name)) for name in self.key)


KINDS = {kind.name: kind for kind in (
    Kind("units", ("assignments", "register_unit"), ("unit_id",), (
        Column("unit_id", ("Mã đơn vị", "Mã"), required=True),
        Column("name", ("Tên đơn vị", "Tên"), required=True),
        Column("level", ("Cấp",), required=True),
        Column("kind", ("Loại hình", "Loại")),
        Column("parent_id", ("Mã đơn vị cấp trên", "Đơn vị cấp trên", "Mã cấp trên")),
        Column("locality", ("Địa phương", "Địa chỉ")),
        Column("meeting_schedule", ("Lịch sinh hoạt", "Ngày sinh hoạt"), cell="schedule"),
        Column("contacts", ("Liên hệ", "Người liên hệ"), cell="contacts"),
        Column("established_on", ("Ngày thành lập",), is_date=True),
        # the Party-member database's code (issue 29): a sheet of units with it gives the
        # registered units theirs (a change of that field alone), members match by it
        Column("organisation_code", ("Mã tổ chức đảng", "Mã TCĐ"), code=True),
    ), RegisterUnit, ("Đơn vị", "Don vi", "Tổ chức đảng"),
        ("assignments", "change_unit_details"), ("organisation_code",)),
    Kind("cadres", ("assignments", "register_cadre"), ("cadre_id",), (
        Column("cadre_id", ("Mã cán bộ",), required=True),
        Column("full_name", ("Họ và tên", "Họ tên"), required=True),
        Column("home_unit_id", ("Mã đơn vị sinh hoạt", "Đơn vị sinh hoạt", "Mã cấp ủy"),
               required=True),
        Column("positions", ("Chức vụ",), required=True, is_list=True),
        Column("email", ("Thư điện tử", "Địa chỉ email")),
        Column("phone", ("Số điện thoại", "Điện thoại")),
        Column("memberships", ("Cấp ủy", "Tham gia cấp ủy"), cell="memberships"),
    ), RegisterCadre, ("Cán bộ", "Cấp ủy viên")),
    Kind("assignments", ("assignments", "assign_cadre"), ("cadre_id", "unit_id"), (
        Column("cadre_id", ("Mã cán bộ",), required=True),
        Column("unit_id", ("Mã đơn vị", "Đơn vị phụ trách"), required=True),
        Column("starts_on", ("Từ ngày", "Ngày bắt đầu"), required=True, is_date=True),
        Column("ends_on", ("Đến ngày", "Ngày kết thúc"), is_date=True),
        Column("end_reason", ("Lý do kết thúc", "Lý do")),
    ), AssignmentRow, ("Phân công",), registers=("cadre_id", "unit_id", "starts_on"),
        follow_up=("assignments", "end_assignment", "assignment_id",
                   {"ends_on": "ends_on", "reason": "end_reason"})),
    Kind("working_groups", ("assignments", "form_working_group"), ("working_group_id",), (
        Column("working_group_id", ("Mã tổ công tác", "Mã tổ"), required=True),
        Column("name", ("Tên tổ công tác", "Tên tổ", "Tên"), required=True),
        Column("formed_by_unit_id", ("Đơn vị thành lập", "Mã đơn vị thành lập", "Cấp ủy thành lập"),
               required=True),
        Column("member_cadre_ids", ("Thành viên", "Mã thành viên"), required=True, is_list=True),
        Column("unit_ids", ("Chi bộ phụ trách", "Chi bộ dự sinh hoạt", "Đơn vị dự sinh hoạt"),
               required=True, is_list=True),
        Column("starts_on", ("Từ ngày", "Ngày bắt đầu"), required=True, is_date=True),
        Column("ends_on", ("Đến ngày", "Ngày kết thúc"), is_date=True),
    ), FormWorkingGroup, ("Tổ công tác",), ("assignments", "change_working_group"),
        ("name", "member_cadre_ids", "unit_ids", "ends_on")),
    Kind("authorities", ("escalations", "register_authority"), ("authority_id",), (
        Column("authority_id", ("Mã cơ quan",), required=True),
        Column("name", ("Tên cơ quan", "Tên"), required=True),
        Column("kind", ("Loại cơ quan", "Loại"), required=True),
        Column("level", ("Cấp",), required=True),
        Column("unit_id", ("Mã đơn vị", "Địa bàn"), required=True),
        Column("parent_authority_id", ("Mã cơ quan cấp trên", "Cơ quan cấp trên")),
        Column("email", ("Thư điện tử", "Địa chỉ email")),
        Column("retired_on", ("Ngừng từ ngày", "Ngày thôi hoạt động"), is_date=True),
    ), AuthorityRow, ("Cơ quan", "Cơ quan giải quyết"),
        registers=tuple(RegisterAuthority().fields),
        follow_up=("escalations", "retire_authority", "authority_id",
                   {"retired_on": "retired_on"})),
    Kind("routing_rules", ("escalations", "add_routing_rule"), ("rule_id",), (
        Column("rule_id", ("Mã quy tắc",), required=True),
        Column("topic", ("Lĩnh vực", "Chủ đề"), required=True),
        Column("unit_id", ("Mã đơn vị", "Địa bàn"), required=True),
        Column("authority_id", ("Mã cơ quan", "Cơ quan giải quyết"), required=True),
        Column("urgency", ("Mức độ khẩn", "Độ khẩn")),
        Column("effective_from", ("Hiệu lực từ", "Từ ngày"), is_date=True),
        Column("effective_to", ("Hiệu lực đến", "Đến ngày"), is_date=True),
    ), AddRoutingRule, ("Quy tắc chuyển", "Quy tắc")),
    # Party members (docs/members.md): the members service plans each row against its roll
    Kind("members", ("members", "import_members"), ("member_code",), (
        Column("member_code", ("Mã đảng viên", "Số thẻ đảng viên"), required=True, code=True),
        Column("organisation_code", ("Mã tổ chức đảng", "Mã TCĐ"), required=True, code=True),
        Column("full_name", ("Họ và tên", "Họ tên"), required=True),
        Column("status", ("Tình trạng",)),
        Column("ended_on", ("Ngày thôi sinh hoạt",), is_date=True),
        Column("end_note", ("Ghi chú",)),
        Column("since", ("Ngày vào chi bộ",), is_date=True),
    ), MemberRow, ("Đảng viên",)),
)}
if tuple(KINDS) != KIND_NAMES:
    raise ImportError("the import kinds differ from shared.contracts.rpc.imports.KIND_NAMES")

# the order a workbook of several sheets is applied in: what a row refers to comes first
APPLY_ORDER = ("units", "cadres", "assignments", "working_groups", "authorities",
               "routing_rules", "members")


def kind_named(name):
    """The kind a sheet or file name says (``units``, ``Đơn vị``, ``units.csv``), or None."""
    wanted = header_key(re.sub(r"\.(csv|xlsx)$", "", str(name), flags=re.IGNORECASE))
    for kind in KINDS.values():
        if wanted in (kind.name, header_key(kind.name)) or \
                wanted in (header_key(label) for label in kind.sheet_labels):
            return kind
    return None


def kind_of_headers(headers):
    """The kind whose required columns all appear among ``headers`` and which names the most
    of them (an authorities sheet also holds a unit's columns), or None."""
    scored = []
    for kind in KINDS.values():
        named = {kind.column_for(header) for header in headers} - {None}
        if set(kind.required) <= named:
            scored.append((len(named), len(named) - len(kind.columns), kind.name))
    if not scored:
        return None
    scored.sort(reverse=True)
    return KINDS[scored[0][2]]
