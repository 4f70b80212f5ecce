"""The kernel's refusal: every app raises it, every view and admin action shows it (STYLE.md: zzmetro is the kernel)."""


class DomainError(Exception):
    """A rule of DOMAIN.md refused the action; `message` is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to(self, form) -> None:
        """Show the message on its field when the form has that field, else at the top of the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
