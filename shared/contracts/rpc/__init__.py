"""What the services ask of each other over RPC: one module of request and response schemas per
service, beside the events in ``shared.contracts``. A caller validates with the same schema the
callee loads, so no service imports another's modules (``.importlinter``).

- ``accounts``: users, sign-in, tokens
- ``registry``: units, cadres, assignments, working groups (the assignments service)
- ``cases``, ``authorities``: cases, inbox, statistics; authorities and routing rules (escalations)
- ``imports``, ``operations`` (monitor), ``notifications``, ``visits``
- ``members``: Party members per branch, their attendance, the absence rule (members)
"""
