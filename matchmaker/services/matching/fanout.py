"""The components of a matching run fanned out over task-queue workers (issue 14, item 4).

The matcher solves each connected component of the allowed pairs on its own
(:func:`graphs.matching.solve_pairings`); with ``MATCH_FANOUT`` = N > 1 and a task queue
configured, :func:`configured_solver` gives it a solver that splits the components into N groups
of about the same number of arcs (:func:`graphs.matching.split_problems`), sends all but the
first to the workers as the task ``matchmaker.solve_flows``, solves the first here meanwhile, and
collects the others. A group no worker has answered within ``MATCH_FANOUT_WAIT`` seconds (a busy
or lost worker; a run that is itself a task on the only worker) is solved here instead, so a run
always ends, and the flow is the same either way: each component has one optimum value, and
the problems are solved by the same function wherever they run.

Arrays travel as base64 of their little-endian bytes in the task's JSON (Celery's JSON
serializer; no pickle on the broker).
"""
from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

import numpy as np

import graphs.matching as gm
from matchmaker.infra import queue
from matchmaker.infra.settings import setting

log = logging.getLogger(__name__)

_DTYPES = {"tails": "<i4", "heads": "<i4", "cap": "<i8", "cost": "<i8", "supply": "<i8"}


def encode_problems(problems: Sequence[gm.FlowProblem]) -> list[dict]:
    """Flow problems as JSON values (base64 of each array's little-endian bytes)."""
    return [{k: base64.b64encode(np.ascontiguousarray(getattr(p, k), dtype=dt).tobytes()).decode("ascii")
             for k, dt in _DTYPES.items()} for p in problems]


def decode_problems(payload: Sequence[dict]) -> list[gm.FlowProblem]:
    """The flow problems of :func:`encode_problems`."""
    return [gm.FlowProblem(**{k: np.frombuffer(base64.b64decode(p[k]), dtype=dt).astype(dt[1:])
                              for k, dt in _DTYPES.items()}) for p in payload]


def encode_flows(flows: Sequence[np.ndarray]) -> list[str]:
    """Flows as JSON values."""
    return [base64.b64encode(np.ascontiguousarray(f, dtype="<i8").tobytes()).decode("ascii") for f in flows]


def decode_flows(payload: Sequence[str]) -> list[np.ndarray]:
    """The flows of :func:`encode_flows`."""
    return [np.frombuffer(base64.b64decode(f), dtype="<i8").astype(np.int64) for f in payload]


def solve_encoded(payload: list[dict]) -> list[str]:
    """What the task ``matchmaker.solve_flows`` does: solve encoded problems, return encoded flows."""
    return encode_flows(gm.solve_flow_problems(decode_problems(payload)))


def configured_solver() -> gm.Solver | None:
    """The fan-out solver when ``MATCH_FANOUT`` > 1 and a task queue is configured, else None
    (the matcher then solves every component here)."""
    parts = int(setting("MATCH_FANOUT", 0) or 0)
    if parts <= 1 or not queue.enabled():
        return None
    return FanOut(parts, float(setting("MATCH_FANOUT_WAIT", 300) or 300))


class FanOut:
    """A solver that spreads the problems over `parts` groups: all but the first to workers."""

    def __init__(self, parts: int, wait: float) -> None:
        self.parts, self.wait = parts, wait
        self.sent = self.solved_by_workers = 0  # groups: what a run's timings report

    def __call__(self, problems: Sequence[gm.FlowProblem]) -> list[np.ndarray]:
        groups = gm.split_problems(problems, self.parts)
        flows: list[np.ndarray | None] = [None] * len(problems)
        pending = []
        for group in groups[1:]:
            job = queue.submit(queue.SOLVE_FLOWS, encode_problems([problems[k] for k in group]))
            pending.append((group, job))
        self.sent = len(pending)
        for group in groups[:1]:
            self._place(flows, group, gm.solve_flow_problems([problems[k] for k in group]))
        for group, job in pending:
            answer = self._collect(job) if job.queued else job.value
            if answer is None:  # no worker answered in time: solve the group here
                answer = gm.solve_flow_problems([problems[k] for k in group])
            else:
                answer = decode_flows(queue.value_of(answer))
                self.solved_by_workers += job.queued
            self._place(flows, group, answer)
        return flows  # type: ignore[return-value]

    def _collect(self, job: queue.Job) -> dict | None:
        from celery.exceptions import TimeoutError as CeleryTimeout

        result = queue.celery_app().AsyncResult(job.id)
        try:
            # a run may itself be a task (the scheduler's): waiting on another task is what it must do
            outcome = result.get(timeout=self.wait, propagate=False, disable_sync_subtasks=False)
        except CeleryTimeout:
            result.revoke()
            log.warning("no worker solved a matching group within %s s; solved in the run's process", self.wait)
            return None
        if result.failed():
            log.warning("a worker failed on a matching group (%s); solved in the run's process", outcome)
            return None
        return outcome

    @staticmethod
    def _place(flows: list, group: list[int], answer: Sequence[np.ndarray]) -> None:
        for k, f in zip(group, answer):
            flows[k] = f
