"""Open311 GeoReport v2: the city's other systems read and submit observations, and hear back of status changes."""
