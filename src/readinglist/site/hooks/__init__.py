"""MkDocs hook files readinglist adds to a configuration (``hooks:``), one per purpose.

They live in a folder of their own because MkDocs puts a hook file's folder first on
``sys.path`` while loading it: beside the site modules, ``calendar.py`` would shadow the
standard library's.
"""
