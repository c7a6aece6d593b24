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


class PaymentFailed(Refused):
    """Checkout placed the order but the payment was refused; the order waits, pending."""

    def __init__(self, message: str, order_id: str) -> None:
        super().__init__(message)
        self.order_id = order_id


class ImportFailed(StoreError):
    """A file to import has a bad row; the message names the line (or item) and the field."""
