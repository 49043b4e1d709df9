"""A generated registry workbook as a province's office would send it: units, cadres,
assignments, authorities and routing rules on five sheets, Vietnamese names throughout.

The default shape has exactly 5,000 rows: 1 province, 8 districts, 96 communes, 2,880 branches
(2,985 units), 140 cadres, 1,482 assignments, 105 authorities and 288 routing rules; every
assignment follows the seed's rules. ``prefix`` makes the ids of one workbook distinct from
another's. Example::

    data, counts = registry_workbook(prefix="bench")     # .xlsx bytes, {"units": 2985, ...}
"""
import io

DISTRICTS = ["Bình Xuyên", "Tam Dương", "Lập Thạch", "Sông Lô", "Yên Lạc", "Vĩnh Tường",
             "Tam Đảo", "Phúc Yên"]
COMMUNES = ["Tam Hợp", "Hương Canh", "Đạo Đức", "Phú Xuân", "Thanh Lãng", "Bá Hiến",
            "Thiện Kế", "Sơn Lôi", "Quất Lưu", "Gia Khánh", "Hương Sơn", "Trung Mỹ"]
VILLAGES = ["Nội Phật", "Yên Lan", "Ỷ La", "Đồng Sài", "Hữu Bằng", "Xuân Lãng", "Thượng Đức",
            "Ngọc Bảo", "Lũng Hạ", "Đại Phùng"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hường", "Lan", "Hải", "Phúc", "Quyết", "Thắng",
         "Ánh", "Đạt", "Hạnh", "Sơn"]
COLUMNS = {
    "units": ["unit_id", "name", "level", "kind", "parent_id"],
    "cadres": ["cadre_id", "full_name", "home_unit_id", "positions", "email"],
    "assignments": ["cadre_id", "unit_id", "starts_on"],
    "authorities": ["authority_id", "name", "kind", "level", "unit_id", "parent_authority_id"],
    "routing_rules": ["rule_id", "topic", "unit_id", "authority_id"],
}


def person(i):
    return f"{FAMILY[i % 10]} {MIDDLE[(i // 10) % 6]} {GIVEN[(i // 60) % 14]}"


def registry_rows(prefix="gen", districts=8, communes=12, branches=30, province_members=20,
                  district_members=15, per_member=12, province_assignments=42):
    p = prefix
    units = [[p, f"Đảng bộ tỉnh {p.upper()} (Tỉnh ủy)", "province", None, None]]
    authorities = [[f"{p}.ubnd", f"UBND tỉnh {p.upper()}", "peoples_committee", "province", p,
                    None]]
    rules, cadres, assignments = [], [], []
    for d in range(districts):
        district = f"{p}.d{d}"
        units.append([district, f"Huyện ủy {DISTRICTS[d % 8]} {d}", "district", None, p])
        authorities.append([f"{district}.ubnd", f"UBND huyện {DISTRICTS[d % 8]} {d}",
                            "peoples_committee", "district", district, f"{p}.ubnd"])
        for c in range(communes):
            commune = f"{district}.x{c}"
            units.append([commune, f"Đảng bộ xã {COMMUNES[c % 12]} {d}-{c}", "grassroots",
                          None, district])
            authorities.append([f"{commune}.ubnd", f"UBND xã {COMMUNES[c % 12]} {d}-{c}",
                                "peoples_committee", "grassroots", commune,
                                f"{district}.ubnd"])
            for topic in ("infrastructure", "land", "environment"):
                rules.append([f"{commune}.{topic}", topic, commune, f"{commune}.ubnd"])
            for b in range(branches):
                units.append([f"{commune}.b{b}", f"Chi bộ thôn {VILLAGES[b % 10]} số {b}, xã "
                              f"{COMMUNES[c % 12]}", "branch", "residential", commune])
        for m in range(district_members):
            cadre_id = f"{district}.cb{m}"
            cadres.append([cadre_id, person(d * 100 + m), district, "district_committee_member",
                           f"{cadre_id}@example.org"])
            for k in range(per_member):
                n = m * per_member + k
                assignments.append([cadre_id, f"{district}.x{n % communes}.b{n // communes}",
                                    "2026-01-01"])
    for m in range(province_members):
        cadres.append([f"{p}.tu{m}", person(1000 + m), p, "province_committee_member", None])
    for n in range(province_assignments):
        assignments.append([f"{p}.tu{n % province_members}",
                            f"{p}.d{n % districts}.x{(n // districts) % communes}",
                            "2026-01-01"])
    return {"units": units, "cadres": cadres, "assignments": assignments,
            "authorities": authorities, "routing_rules": rules}


def registry_workbook(**shape):
    """(.xlsx bytes, rows per sheet)."""
    from openpyxl import Workbook

    sheets = registry_rows(**shape)
    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(COLUMNS[name])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), {name: len(rows) for name, rows in sheets.items()}
