"""The course site: a MkDocs plugin that turns the reading list into pages.

The site is a pipeline: library -> graph analysis -> pages in memory
(:mod:`readinglist.site.pages`) -> MkDocs writes them (:mod:`readinglist.site.plugin`).
"""
