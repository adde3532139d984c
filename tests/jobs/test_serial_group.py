"""The tests of this folder share Redis databases and worker processes: under pytest-xdist's
`--dist loadgroup` (CI's two passes) they must all run on one worker, one after the other."""

from __future__ import annotations


def test_under_loadgroup_this_folder_runs_in_the_serial_group(request):
    if not request.config.getoption("loadgroup", default=False):
        assert "@" not in request.node.nodeid  # no xdist grouping asked for: nothing to check
        return
    # pytest-xdist sends a test to the worker of its group by this suffix of the node id.
    assert request.node.nodeid.endswith("@serial"), request.node.nodeid
