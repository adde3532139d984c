"""Walks of the diagnostic en marchant: a planned route of stops through the quartier, observations noted at each stop, and the walk's report."""
