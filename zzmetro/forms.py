"""Small helpers for forms shared by every app."""


def errors_text(form) -> str:
    """All of a form's errors on one line, for a message shown after a redirect."""
    return "；".join(error for errors in form.errors.values() for error in errors)
