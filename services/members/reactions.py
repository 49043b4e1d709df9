"""What the members service does on the one event it hears, a plain function called by the
``@subscribe`` entrypoint of ``service``:

- a request from a person concerned (``data_subject_requests``): the member records naming
  them found, erased for a deletion where the rule allows, and answered once
  (``people``). Example::

    answer_data_subject_request(db, event)
"""
from services.members import people


def answer_data_subject_request(db, event):
    people.answer_request(db, event.payload)
