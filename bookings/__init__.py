"""The shared equipment of a place (the MSP's room, vehicles, bikes) and its bookings."""
