"""What the accounts service does on the events it hears: plain functions, called by the
``@subscribe`` entrypoints of ``service``.

- a request from a person concerned (``data_subject_requests``): what accounts holds of them
  found, anonymised for a deletion, and answered (``data_subjects``). Example::

    answer_data_subject_request(db, event)
"""
from services.accounts import data_subjects


def answer_data_subject_request(db, event):
    data_subjects.answer_request(db, event.payload)
