"""Failures of the machine rather than of fleece (a full disk, a read-only or forbidden path,
a file where a folder should be), told as one line naming the path and the cause.

Shared by the pipeline (whose Beam workers hand errors back as text, and whose programs,
KenLM's, report them in their own words) and the trainer (whose checkpoint writers wrap
them in their own exceptions); imports only the standard library.
"""

from __future__ import annotations

import errno
import os
import re

ENVIRONMENT_ERRORS = {errno.ENOSPC: "no space left on the device",
                      errno.EDQUOT: "disk quota exceeded",
                      errno.EROFS: "the filesystem is read-only",
                      errno.EACCES: "permission denied", errno.EPERM: "permission denied",
                      errno.ENOTDIR: "a path component is a file, not a directory",
                      errno.EEXIST: "a file is in the way"}  # fmt: skip
# how an OSError reads once a runner or a checkpoint writer has turned it into text
_OS_ERROR_TEXT = re.compile(r"\[Errno (\d+)\] [^:'\n]*(?::\s*'([^'\n]+)')?")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 16:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def environment_cause(exc: BaseException) -> tuple[int, str | None] | None:
    """(errno, path or None) of the environment failure in `exc`, what it wraps or its text."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno in ENVIRONMENT_ERRORS:
            return error.errno, error.filename
    for error in _chain(exc):
        for match in _OS_ERROR_TEXT.finditer(str(error)):
            code = int(match.group(1))
            if code in ENVIRONMENT_ERRORS:
                return code, match.group(2)
    return None


def environment_error(exc: BaseException, where: str | None = None) -> str | None:
    """ "<path>: <cause> (<strerror>)" when `exc` is an environment failure, else None.
    `where` names the path when the error itself does not."""
    cause = environment_cause(exc)
    if cause is None:
        return None
    code, path = cause
    return f"{path or where or '?'}: {ENVIRONMENT_ERRORS[code]} ({os.strerror(code)})"


def error_in_output(output: str) -> OSError | None:
    """The environment failure a program reports on its standard error in the C library's
    words, as the OSError it was (KenLM: "No space left on device in <path> while writing
    8185 bytes"), or None."""
    for code in ENVIRONMENT_ERRORS:
        words = os.strerror(code)
        at = output.find(words)
        if at >= 0:
            path = re.match(r" in (\S+)", output[at + len(words) :])
            return OSError(code, words, path.group(1) if path else None)
    return None
