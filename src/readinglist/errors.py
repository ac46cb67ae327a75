"""The one exception tree of readinglist.

Lower layers raise these; ``cli.py`` turns them into one line on stderr and an exit code
(see CLI.md). Every error can name the file and line it is about, or the URL and HTTP
status of the remote answer that caused it.
"""

from __future__ import annotations


class ReadingListError(Exception):
    """Base of every error readinglist raises on purpose.

    ``exit_code`` follows CLI.md: 2 for unusable input or usage, 3 for an unreachable
    remote service.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        url: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.url = url
        self.status = status

    def location(self) -> str:
        """``FILE:LINE: `` (or ``FILE: ``, or empty) for the one-line error message."""
        if self.file and self.line:
            return f"{self.file}:{self.line}: "
        if self.file:
            return f"{self.file}: "
        return ""

    def __str__(self) -> str:
        return f"{self.location()}{self.message}"


class UsageError(ReadingListError):
    """Bad arguments: an unknown key, topic or lecture named on the command line."""


class CourseNotFoundError(ReadingListError):
    """The folder holds no course file."""


class BibSyntaxError(ReadingListError):
    """A ``.bib`` file cannot be read as BibTeX (or not as UTF-8 text)."""


class CourseFileError(ReadingListError):
    """The course file is not valid YAML or does not follow the course schema."""


class StoreError(ReadingListError):
    """Reading or writing the course folder failed (permissions, disk full, lock held)."""


class LockHeldError(StoreError):
    """Another readinglist process holds the course folder's lock."""


class ServiceError(ReadingListError):
    """A remote service could not be reached or kept failing after retries."""

    exit_code = 3


class ServiceResponseError(ServiceError):
    """A remote service answered with something that cannot be used (after retries)."""


class BadRequestError(ServiceError):
    """The service refused the request itself (HTTP 400): retrying cannot help.

    ``body`` holds the start of the answer, which often names what was wrong.
    """

    exit_code = 1
    body: bytes = b""
