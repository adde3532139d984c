"""Observations: what agents see in the field, their photos, follow-up, escalations to the
comité de direction, orientations of inhabitants and the monthly escalations digest.

May import: `teams` and the foundation. Imported by: `meetings`, `diagnostics`, the shell.
"""
