"""What the store refuses. Every message is meant to be read by a person."""


class StoreError(Exception):
    """A verb could not do what was asked; nothing was changed."""


class NotFound(StoreError):
    pass


class Refused(StoreError):
    """The billing rules say no (not renewable, order not pending, …)."""


class InsufficientBalance(Refused):
    pass


class CardDeclined(Refused):
    pass
