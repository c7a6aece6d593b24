"""What the store refuses. Every message is meant to be read by a person."""


class StoreError(Exception):
    """A verb could not do what was asked; nothing was changed."""


class NotFound(StoreError):
    pass


class Busy(StoreError):
    """Another writer held the database for the whole busy timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the database stayed locked by another writer for {seconds:g} s: "
                         "nothing was changed; try again")


class NotRenewals(StoreError):
    """The file is not a renewals database, or one written by a newer version."""


class Refused(StoreError):
    """The billing rules say no (not renewable, order not pending, …)."""


class ReadOnlyClock(Refused):
    """A write under --now into a database that runs on the real clock."""


class InsufficientBalance(Refused):
    pass


class CardDeclined(Refused):
    pass


class PaymentFailed(Refused):
    """Checkout placed the order but the payment was refused; the order waits, pending."""

    def __init__(self, message: str, order_id: str) -> None:
        super().__init__(message)
        self.order_id = order_id


class StalePreview(Refused):
    """What the user confirmed is no longer what would be ordered; nothing was ordered."""

    def __init__(self, changes: list[str]) -> None:
        shown = "; ".join(changes[:3]) + (f"; and {len(changes) - 3:,} more"
                                          if len(changes) > 3 else "")
        super().__init__(f"{len(changes):,} of the resources changed since the preview "
                         f"({shown}): nothing was ordered; preview again")
        self.changes = changes


class ImportFailed(StoreError):
    """A file to import has a bad row; the message names the line (or item) and the field."""
