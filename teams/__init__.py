"""Teams: agents, services, quartiers, memberships, partners and the access rules of all.

`teams.access` computes a person's roles once per request (`roles_of`) and scopes every model
of the project on them; the other apps build their own rules on it.

May import: the foundation. Imported by: every app and the shell.
"""
