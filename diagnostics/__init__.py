"""Diagnostics: the annual diagnostic de quartier, compiled from the team's observations and
meetings, reviewed, published and frozen as a PDF for the élus.

May import: `meetings`, `observations`, `teams` and the foundation (it reads their models in
`indicators`). Imported by: the shell only.
"""
