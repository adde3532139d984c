"""Bookings: the shared equipment of a place (the MSP's room, vehicle, bikes) and its bookings.

May import: `teams` and the foundation. Imported by: `meetings` (a meeting's room), the shell.
"""
