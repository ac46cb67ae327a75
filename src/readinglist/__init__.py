"""readinglist: a seminar's reading list kept as BibTeX in git."""

__version__ = "0.1.0"

#: The name to ``pip install`` (``readinglist`` on PyPI is an unrelated project); the
#: import package and the command are ``readinglist``.
DISTRIBUTION = "readinglist-seminar"

#: The project's page, named in the User-Agent of every request to a service.
PROJECT_URL = f"https://pypi.org/project/{DISTRIBUTION}/"
