"""Meetings: planning the year, invitations, agendas, minutes, actions and calendars.

May import: `bookings`, `observations`, `teams` and the foundation. Imported by: `diagnostics`,
the shell.
"""
