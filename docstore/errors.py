"""The store's own errors; everything else is pymongo's (``DuplicateKeyError``, ``WriteError``)."""


class UnsupportedOperation(NotImplementedError):
    """An operator or option outside the subset the embedded store implements.

    Raised before anything is read or written, naming the operator, so a query the store cannot
    answer from SQL is refused instead of being answered slowly or wrongly."""

    def __init__(self, operator, message):
        super().__init__(message)
        self.operator = operator
