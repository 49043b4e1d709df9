"""One instance of each schema class, built at its first use and reused by every call.

Building a marshmallow schema deep-copies and binds its fields, which cost more than the load
or dump it was built for (docs/reports/benchmark/2026-12-07-hot27.md). An instance keeps no
state between calls (marshmallow 4 has no ``context``), so one serves every worker. Example::

    request = load_payload(reused(schemas.LogVisit), visit, "visit")
    return reused(schemas.Case, many=True).dump(cases)
"""
import functools


@functools.cache
def reused(schema_class, many=False):
    return schema_class(many=many)
