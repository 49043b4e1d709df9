"""Backups of the embedded stores and the RabbitMQ definitions, taken while the system runs, and
their restore on a stopped system (docs/backups.md). A host command::

    python -m tooling.backup take [--data var/data] [--to var/backups] [--keep 14]
                                  [--vhost NAME] [--no-definitions]
    python -m tooling.backup list [--to var/backups]
    python -m tooling.backup restore BACKUP [--data var/data] [--replace]
                                     [--vhost NAME] [--no-definitions]
    python -m tooling.backup mark-restored BACKUP_ID [--store-uri mongodb://…]

``take`` copies each ``<service>.sqlite3`` of the data folder with SQLite's online backup API
(a consistent snapshot of each store; writers carry on meanwhile, WAL) and the broker's
definitions (``GET /api/definitions``, as the administrator ``RABBITMQ_ADMIN_URI`` names:
deploy/backup.sh gives ``sausat-admin`` from var/secrets; ``--management`` overrides),
and, after every store's snapshot, each service's attachment files (``<service>.files/``,
content-addressed: ``shared.files``) into ``<to>/<UTC time>/`` with a ``manifest.json``;
it writes into ``<time>.partial`` and renames only once complete, and then deletes the oldest
complete backups beyond ``--keep``.
Everything is owner-only (folders 0700, files 0600): the stores hold personal data and password
hashes, the definitions the broker users' password hashes.

``restore`` checks the backup (each file's SHA-256), loads the definitions back, puts its stores
into the data folder of a STOPPED system (``--replace`` moves what is there aside first, to
``<data>.before-restore-<time>``) and marks each one restored (``shared.event_log``: at its next
start each service re-publishes the events it retained, so none confirmed between the services'
backups is lost). The
stores of one backup are not one instant; the re-published events and the consumers'
deduplication make them agree again. ``mark-restored`` does that marking alone, after a MongoDB
restore (``mongorestore --oplogReplay``; docs/backups.md).
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import pathlib
import shutil
import sqlite3
import sys
from urllib.parse import quote, urlsplit

import requests

from shared import event_log
from shared.config import DEFAULT_CONFIG_FILE, ROOT, load_config_file
from shared.files import FileMissing, FolderFiles
from shared.services import BACKEND_SERVICES
from shared.storage import connect

DEFINITIONS = "rabbitmq-definitions.json"
MANIFEST = "manifest.json"
PARTIAL = ".partial"
STAMP = "%Y-%m-%dT%H-%M-%SZ"
PAGES_PER_STEP = 1024  # SQLite's backup copies this many pages, then lets writers in
HTTP_TIMEOUT = 30
# what a restore reads of a backup before trusting it (every file is parsed with limits)
MAX_MANIFEST_BYTES = 1 << 20
MAX_DEFINITIONS_BYTES = 64 << 20


class BackupError(RuntimeError):
    """A backup or a restore that cannot go on; nothing was left half-done in its place."""


def owner_only_folder(path):
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _owner_only_file(path):
    os.chmod(path, 0o600)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- the broker's definitions ----------------------------------------------------------------

def _management(uri, vhost):
    parts = urlsplit(uri)
    base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api/definitions"
    return (f"{base}/{quote(vhost, safe='')}" if vhost else base), (
        parts.username or "", parts.password or "")


def export_definitions(management_uri, vhost=None):
    url, auth = _management(management_uri, vhost)
    response = requests.get(url, auth=auth, timeout=HTTP_TIMEOUT)
    if response.status_code != 200:
        raise BackupError(f"RabbitMQ không trả định nghĩa ({url}): {response.status_code} "
                          f"{response.text[:200]}; cần người dùng quản trị (administrator)")
    return response.json()


def import_definitions(management_uri, definitions, vhost=None):
    url, auth = _management(management_uri, vhost)
    response = requests.post(url, json=definitions, auth=auth, timeout=HTTP_TIMEOUT)
    if response.status_code not in (200, 201, 204):
        raise BackupError(f"RabbitMQ không nhận định nghĩa ({url}): {response.status_code} "
                          f"{response.text[:200]}")


# --- take ------------------------------------------------------------------------------------

def stores_in(data):
    """The services' store files in the data folder, by service."""
    return {name: data / f"{name}.sqlite3" for name in BACKEND_SERVICES
            if (data / f"{name}.sqlite3").is_file()}


def files_in(data):
    """The services' attachment folders (``shared.files``) in the data folder, by service."""
    return {name: data / f"{name}.files" for name in BACKEND_SERVICES
            if (data / f"{name}.files").is_dir()}


def _copy_files(source, copy):
    """Each attachment file, after its store's snapshot: a file is written before the document
    that names it, so every file the snapshot names is there. Content-addressed: its name is
    its SHA-256, which the restore checks."""
    count = size = 0
    for digest, _ in FolderFiles(source).stored():
        target = copy / digest[:2] / digest
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(source / digest[:2] / digest, target)
        _owner_only_file(target)
        count, size = count + 1, size + target.stat().st_size
    return {"folder": copy.name, "files": count, "bytes": size}


def _check_files(folder):
    files = FolderFiles(folder)
    for digest, _ in files.stored():
        try:
            files.get(digest)
        except FileMissing:
            raise BackupError(f"{folder / digest[:2] / digest} đã bị thay đổi (sha256 không "
                              f"khớp tên tệp)") from None


def take(data, to, keep=14, management_uri=None, vhost=None, now=None):
    """Take one backup; its folder. ``management_uri`` None: no definitions."""
    data, to = pathlib.Path(data), pathlib.Path(to)
    stores = stores_in(data)
    if not stores:
        raise BackupError(f"không có kho dữ liệu nào trong {data} (<dịch vụ>.sqlite3)")
    began = now or dt.datetime.now(dt.timezone.utc)
    owner_only_folder(to)
    final = to / began.strftime(STAMP)
    partial = to / (final.name + PARTIAL)
    if final.exists():
        raise BackupError(f"{final} đã có; chờ một giây rồi chạy lại")
    owner_only_folder(partial)
    manifest = {"began_at": began.isoformat(), "stores": {}, "vhost": vhost}
    for name, source in stores.items():
        copy = partial / source.name
        _online_copy(source, copy)
        manifest["stores"][name] = {"file": copy.name, "bytes": copy.stat().st_size,
                                    "sha256": _sha256(copy)}
    for name, source in files_in(data).items():  # after every store's snapshot
        manifest.setdefault("files", {})[name] = _copy_files(
            source, owner_only_folder(partial / source.name))
    if management_uri:
        (partial / DEFINITIONS).write_text(json.dumps(
            export_definitions(management_uri, vhost), indent=1))
        _owner_only_file(partial / DEFINITIONS)
        manifest["definitions"] = DEFINITIONS
    manifest["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat()
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=1))
    _owner_only_file(partial / MANIFEST)
    partial.rename(final)
    prune(to, keep)
    return final


def _online_copy(source, copy):
    """A consistent copy of a live SQLite store, a step of pages at a time."""
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        # owner-only from its first byte: created before SQLite writes to it
        os.close(os.open(copy, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        kept = sqlite3.connect(copy)
        try:
            reading.backup(kept, pages=PAGES_PER_STEP)
            kept.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            kept.close()
    finally:
        reading.close()
    _owner_only_file(copy)


def backups(to):
    """The complete backups in ``to``, oldest first."""
    to = pathlib.Path(to)
    if not to.is_dir():
        return []
    return sorted(path for path in to.iterdir()
                  if path.is_dir() and not path.name.endswith(PARTIAL)
                  and (path / MANIFEST).is_file())


def prune(to, keep):
    """Delete the oldest complete backups beyond ``keep``, and any partial one older than the
    newest complete one (a backup that was interrupted)."""
    complete = backups(to)
    for old in complete[:-keep] if keep > 0 else []:
        shutil.rmtree(old)
    if complete:
        newest = complete[-1].name
        for stale in pathlib.Path(to).glob(f"*{PARTIAL}"):
            if stale.name[:-len(PARTIAL)] < newest:
                shutil.rmtree(stale)


# --- restore ---------------------------------------------------------------------------------

def read_json(path, limit):
    """A backup's JSON file, refused past ``limit`` bytes or unreadable."""
    size = path.stat().st_size
    if size > limit:
        raise BackupError(f"{path} có {size} byte, quá giới hạn {limit}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"{path} không đọc được: {error}") from None


def read_manifest(backup):
    backup = pathlib.Path(backup)
    if not (backup / MANIFEST).is_file():
        raise BackupError(f"{backup} không phải bản sao lưu hoàn chỉnh (thiếu {MANIFEST})")
    manifest = read_json(backup / MANIFEST, MAX_MANIFEST_BYTES)
    for name, store in manifest["stores"].items():
        if name not in BACKEND_SERVICES or store["file"] != f"{name}.sqlite3":
            raise BackupError(f"{MANIFEST} ghi một kho lạ: {name} ({store['file']})")
        path = backup / store["file"]
        if not path.is_file() or _sha256(path) != store["sha256"]:
            raise BackupError(f"{path} thiếu hoặc đã bị thay đổi (sha256 không khớp)")
    for name, kept in manifest.get("files", {}).items():
        if name not in BACKEND_SERVICES or kept["folder"] != f"{name}.files":
            raise BackupError(f"{MANIFEST} ghi một thư mục tệp lạ: {name} ({kept['folder']})")
        _check_files(backup / kept["folder"])
    return manifest


def restore(backup, data, replace=False, management_uri=None, vhost=None, now=None):
    """Put ``backup`` into ``data`` (the system stopped); the stores restored, by service."""
    backup, data = pathlib.Path(backup), pathlib.Path(data)
    manifest = read_manifest(backup)
    there = sorted([*data.glob("*.sqlite3*"), *data.glob("*.files")]) if data.is_dir() else []
    now = now or dt.datetime.now(dt.timezone.utc)
    if there and not replace:
        raise BackupError(f"{data} đã có dữ liệu ({', '.join(p.name for p in there)}); dừng "
                          f"hệ thống rồi chạy lại với --replace (dữ liệu cũ được chuyển sang "
                          f"một thư mục bên cạnh)")
    if management_uri and manifest.get("definitions"):
        # first: a broker that refuses them leaves the data folder as it was
        import_definitions(management_uri, read_json(backup / DEFINITIONS,
                                                     MAX_DEFINITIONS_BYTES), vhost)
    if there:
        aside = owner_only_folder(data.with_name(f"{data.name}.before-restore-"
                                                 f"{now.strftime(STAMP)}"))
        for path in there:
            path.rename(aside / path.name)
    owner_only_folder(data)
    for kept in manifest.get("files", {}).values():
        shutil.copytree(backup / kept["folder"], data / kept["folder"])
    for name, store in manifest["stores"].items():
        target = data / store["file"]
        shutil.copyfile(backup / store["file"], target)
        _owner_only_file(target)
        client, db = connect(f"embedded:{data}", name)
        try:
            event_log.mark_restored(db, backup.name, now)
        finally:
            client.close()
    return sorted(manifest["stores"])


def mark_restored(store_uri, backup_id, services=BACKEND_SERVICES):
    """After a restore by other means (mongorestore): each service re-publishes at its next
    start."""
    for name in services:
        client, db = connect(store_uri, name)
        try:
            event_log.mark_restored(db, backup_id)
        finally:
            client.close()


# --- the command -----------------------------------------------------------------------------

def _parser():
    parser = argparse.ArgumentParser(description="Sao lưu và khôi phục dữ liệu Sâu Sát "
                                                 "(docs/backups.md)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_FILE))
    commands = parser.add_subparsers(dest="command", required=True)
    taking = commands.add_parser("take", help="sao lưu khi hệ thống đang chạy")
    taking.add_argument("--data", default=None, help="thư mục dữ liệu (mặc định: STORE_URI)")
    taking.add_argument("--to", default=str(ROOT / "var" / "backups"))
    taking.add_argument("--keep", type=int, default=14, help="giữ bấy nhiêu bản mới nhất")
    listing = commands.add_parser("list", help="các bản sao lưu hoàn chỉnh")
    listing.add_argument("--to", default=str(ROOT / "var" / "backups"))
    restoring = commands.add_parser("restore", help="khôi phục vào hệ thống đã dừng")
    restoring.add_argument("backup")
    restoring.add_argument("--data", default=None, help="thư mục dữ liệu (mặc định: STORE_URI)")
    restoring.add_argument("--replace", action="store_true",
                           help="chuyển dữ liệu đang có sang bên cạnh rồi khôi phục")
    for sub in (taking, restoring):
        sub.add_argument("--management", default=os.environ.get("RABBITMQ_ADMIN_URI"),
                         help="http://<quản trị>:<mật khẩu>@localhost:15672 "
                              "(mặc định: RABBITMQ_ADMIN_URI)")
        sub.add_argument("--vhost", default=None, help="chỉ định nghĩa của vhost này")
        sub.add_argument("--no-definitions", action="store_true",
                         help="bỏ qua định nghĩa RabbitMQ")
    marking = commands.add_parser("mark-restored",
                                  help="sau khi khôi phục MongoDB: phát lại sự kiện khi khởi động")
    marking.add_argument("backup_id")
    marking.add_argument("--store-uri", default=None)
    return parser


def _data_folder(given, config):
    if given:
        return pathlib.Path(given)
    uri = config["STORE_URI"]
    if not uri.startswith("embedded:"):
        raise BackupError("STORE_URI là MongoDB: sao lưu bằng mongodump --oplog "
                          "(docs/backups.md)")
    folder = pathlib.Path(uri[len("embedded:"):])
    return folder if folder.is_absolute() else ROOT / folder


def main(argv=None):
    args = _parser().parse_args(argv)
    config = load_config_file(args.config)
    os.umask(0o077)
    management = None if getattr(args, "no_definitions", True) else args.management
    try:
        if args.command in ("take", "restore") and not (management or args.no_definitions):
            raise BackupError("cần --management (hoặc RABBITMQ_ADMIN_URI) của một người dùng "
                              "quản trị RabbitMQ, hoặc --no-definitions")
        if args.command == "take":
            made = take(_data_folder(args.data, config), args.to, args.keep, management,
                        args.vhost)
            print(f"đã sao lưu vào {made}")
        elif args.command == "list":
            for found in backups(args.to):
                manifest = json.loads((found / MANIFEST).read_text())
                print(f"{found.name}  {', '.join(sorted(manifest['stores']))}")
        elif args.command == "restore":
            restored = restore(args.backup, _data_folder(args.data, config), args.replace,
                               management, args.vhost)
            print(f"đã khôi phục {', '.join(restored)}; khi khởi động, mỗi dịch vụ phát lại "
                  f"các sự kiện đã giữ")
        else:
            mark_restored(args.store_uri or config["STORE_URI"], args.backup_id)
            print("đã đánh dấu; khi khởi động, mỗi dịch vụ phát lại các sự kiện đã giữ")
    except BackupError as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
