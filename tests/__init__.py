"""The test suite, mirroring the apps: `tests/<app>/`, with each app's factories in
`tests/<app>/factories.py` and one persona per role as fixtures in `tests/conftest.py`.
"""
