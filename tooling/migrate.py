"""Brings each service's store to the schema version of this code (``shared.migrations``), the
way a service does at start; for installations that start with ``MIGRATE_ON_START=false``, or
to see where each store stands first. Run it with the services stopped::

    python -m tooling.migrate [service ...] [--status] [--config deploy/config.yml]

With no service: every service that keeps data. ``--status`` only says each store's version and
the migrations it still needs. Exits 1 when a store was written by a newer version (it is left
untouched), 0 otherwise. The store is the configuration's ``STORE_URI`` (environment first).
"""
import argparse
import importlib
import sys

from shared import migrations
from shared.config import DEFAULT_CONFIG_FILE, load_config_file
from shared.services import BACKEND_SERVICES, service_class
from shared.storage import connect


def declared_schema(name):
    """The ordered migrations of service ``name``, from its ``Store`` declaration."""
    module = importlib.import_module(f"services.{name}.service")
    return getattr(module, service_class(name)).db.schema()


def migrate_services(store_uri, names, status_only=False, say=print):
    """Migrate (or with ``status_only`` describe) each store; False if one was too new."""
    fine = True
    for name in names:
        schema = declared_schema(name)
        client, db = connect(store_uri, name)
        try:
            stored = migrations.schema_state(db)["version"]
            try:
                waiting = migrations.pending(db, name, schema)
            except migrations.SchemaTooNew as too_new:
                say(f"{name}: LỖI — {too_new}")
                fine = False
                continue
            if status_only:
                names_waiting = ", ".join(m.name for m in waiting) or "không"
                say(f"{name}: phiên bản {stored}/{len(schema)}; còn phải chạy: {names_waiting}")
                continue
            done = migrations.migrate(db, name, schema)
            say(f"{name}: phiên bản {len(schema)}" +
                (f"; đã chạy: {', '.join(done)}" if done else "; không có gì phải chạy"))
        finally:
            client.close()
    return fine


def main(argv=None):
    parser = argparse.ArgumentParser(description="Nâng cấp dữ liệu của từng dịch vụ lên phiên "
                                                 "bản của mã hiện tại (shared/migrations.py)")
    parser.add_argument("services", nargs="*", metavar="service",
                        help="dịch vụ (mặc định: mọi dịch vụ có dữ liệu)")
    parser.add_argument("--status", action="store_true",
                        help="chỉ cho biết phiên bản và các bước còn phải chạy")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_FILE))
    args = parser.parse_args(argv)
    unknown = [name for name in args.services if name not in BACKEND_SERVICES]
    if unknown:
        parser.error(f"không có dịch vụ giữ dữ liệu tên {', '.join(unknown)}; "
                     f"chọn trong: {', '.join(BACKEND_SERVICES)}")
    store_uri = load_config_file(args.config)["STORE_URI"]
    return 0 if migrate_services(store_uri, args.services or BACKEND_SERVICES,
                                 args.status) else 1


if __name__ == "__main__":
    sys.exit(main())
