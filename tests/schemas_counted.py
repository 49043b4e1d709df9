"""Counting the marshmallow schemas a path builds (tests of schemas reused, not timed)."""
from marshmallow import Schema


def count_schemas(monkeypatch):
    """The names of the schema classes built from now on, in a list that grows."""
    built = []
    real_init = Schema.__init__

    def counting_init(self, *args, **kwargs):
        built.append(type(self).__name__)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(Schema, "__init__", counting_init)
    return built
