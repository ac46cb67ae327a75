"""readinglist: a seminar's reading list kept as BibTeX in git."""

__version__ = "0.1.0"
