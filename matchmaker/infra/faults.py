"""Fault injection for the fault and race tests: pause at a named point of a long transaction.

`MATCHMAKER_FAULT_PAUSE="report.before_commit:30"` makes a process stop for 30 s at that point
(while it holds its locks and has written its rows but not committed), so a test can kill it
there with SIGKILL, or start a rival process that must wait. Unset in normal operation: the
check is one environment lookup.
"""
import os
import time


def pause_point(name):
    """Sleep here when MATCHMAKER_FAULT_PAUSE names this point ("point:seconds[,point:seconds]")."""
    spec = os.environ.get("MATCHMAKER_FAULT_PAUSE")
    if not spec:
        return
    for item in spec.split(","):
        point, _, seconds = item.strip().partition(":")
        if point == name:
            time.sleep(float(seconds or 5))
