"""The benchmark (`run.py`, `load.py`, the PDF measures) and the synthetic city it runs on.

May import: everything in the project. Nothing of the project imports it, and the production
image does not ship it; `manage.py seed_scale` only reaches it when it is there.
"""
