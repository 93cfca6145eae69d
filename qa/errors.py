"""The one exception type for problems a user can cause and fix."""

from __future__ import annotations

import errno


class QAError(Exception):
    """A user-facing error; its message says what went wrong and what to do about it."""


_REASONS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
            errno.EPERM: "permission denied"}


def os_failure(action: str, exc: OSError, remedy: str) -> QAError:
    """A one-line QAError for an operating-system error: what could not be done, why, and what to do."""
    reason = _REASONS.get(exc.errno, exc.strerror or str(exc))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        remedy = f"free some space or {remedy}"
    return QAError(f"cannot {action}: {reason}; {remedy}")
