"""The hook ``readinglist serve`` adds to mkdocs.yml's ``hooks:`` (see site/serving.py)."""

from readinglist.site.serving import (  # noqa: F401 (MkDocs looks these names up)
    on_env,
    on_files,
    on_nav,
    on_post_build,
    on_post_page,
    on_pre_build,
    on_serve,
    on_shutdown,
)
