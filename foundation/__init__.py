"""The foundation: what every app builds on, and which imports no app of the project.

It holds the one PDF rendering path, its print stylesheet and the repair of its tag tree
(`pdf`, `pdf_tags`, `templates/pdf/base.html`, `static/css/print.css`, the `typography` filters),
the abstract document-job model and its runner (`models`, `jobs`), the after-commit task outbox
(`outbox`), image sanitising (`images`), file storage that never leaves a half-written file
(`storage`), the request size bound (`uploads`), the Redis cache that degrades when Redis is
down (`cache`), calendar time zones (`ical`), form widgets and fields (`widgets`, `forms`), the
environment reader (`env`) and the panel registry (`panels`).

May import: Django, Celery and other third-party libraries. Never `arras_quartiers` (the project
shell) nor an app (`teams`, `observations`, `meetings`, `diagnostics`): the import contracts in
pyproject.toml, checked by `make test`, keep it so.
"""
