"""The one exception type for problems a user can cause and fix."""


class QAError(Exception):
    """A user-facing error; its message says what went wrong and what to do about it."""
