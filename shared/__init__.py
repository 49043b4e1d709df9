"""The project's own common code: event contracts, configuration, storage and reliable messaging.

Plain modules (``errors``, ``contracts``, ``config``, ``storage``, ``outbox``, ``topology``) import
no nameko; the nameko extensions built on them live in ``store`` and ``consumer``.
"""
