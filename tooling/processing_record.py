"""Print the record of processing personal data an inspector asks for (Law 91/2025/QH15), from
the services' own declarations (``services/<name>/processing.py``) and the retention periods of
the configuration: one line per collection that holds personal data, in Vietnamese.

    python -m tooling.processing_record [--format csv|markdown] [--config deploy/config.yml]

The access log of personal data (who read whose, when) is the other half of what an inspector
asks for: ``GET /audit/personal-data`` (administrators; docs/personal-data.md).
"""
import argparse
import csv
import importlib
import sys

from shared.config import DEFAULT_CONFIG_FILE, defaults
from shared.processing_record import HEADERS, kept_by, rows
from shared.services import BACKEND_SERVICES


def declarations():
    """Every service's ``PROCESSING``, by service (the gateway keeps no data)."""
    return {service: kept_by(importlib.import_module(f"services.{service}.processing").PROCESSING)
            for service in BACKEND_SERVICES}


def record(settings):
    return [row for service, declared in sorted(declarations().items())
            for row in rows(declared, service, settings)]


def write_csv(found, out):
    writer = csv.DictWriter(out, fieldnames=list(HEADERS))
    writer.writerow(HEADERS)
    writer.writerows(found)


def write_markdown(found, out):
    out.write("| " + " | ".join(HEADERS.values()) + " |\n")
    out.write("|" + "---|" * len(HEADERS) + "\n")
    for row in found:
        out.write("| " + " | ".join(str(row[key]).replace("|", "/") for key in HEADERS)
                  + " |\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("csv", "markdown"), default="csv")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_FILE))
    args = parser.parse_args(argv)
    found = record(defaults(args.config))
    (write_csv if args.format == "csv" else write_markdown)(found, sys.stdout)


if __name__ == "__main__":
    main()
