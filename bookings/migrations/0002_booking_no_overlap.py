"""On PostgreSQL: no two active bookings of one resource overlap (an exclusion constraint over
the time range, which needs btree_gist for the resource's equality). SQLite has no such
constraint: `bookings.services` serializes the writes there. See `bookings.db`."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from bookings.db import PostgresOnly, overlap_constraint


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [
        BtreeGistExtension(),  # a no-op on any other database
        PostgresOnly(migrations.AddConstraint(model_name="booking", constraint=overlap_constraint())),
    ]
