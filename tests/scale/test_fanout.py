"""A matching run's components fanned out over a real Celery worker (MATCH_FANOUT): the groups are
solved on the worker, the flow is the one the run's own process finds, and a group no worker takes
is solved by the run itself (issue 14, item 4)."""
import numpy as np

from graphs.matching import solve_flow_problems, solve_pairings
from matchmaker.services.matching import fanout
from tests.graphs.test_solve_fanout import _instance
from tests.hardening.conftest import dedicated_app
from tests.scale import processes


def _problems(seed):
    """The flow problems of an instance, as solve_pairings hands them to a solver."""
    seen = []

    def keep(problems):
        seen.extend(problems)
        return solve_flow_problems(problems)

    solve_pairings(*_instance(seed), solver=keep)
    return seen


def test_the_groups_are_solved_on_the_worker_with_the_same_flow(queue_setup, worker):
    with dedicated_app(**queue_setup.config, MATCH_FANOUT=3, MATCH_FANOUT_WAIT=60):
        solver = fanout.configured_solver()
        assert solver is not None and solver.parts == 3
        inst = _instance(4)
        flow = solve_pairings(*inst, solver=solver)
        assert solver.sent == 2 and solver.solved_by_workers == 2
        assert flow.tolist() == solve_pairings(*inst).tolist() and flow.sum() > 0


def test_a_group_no_worker_takes_is_solved_by_the_run(queue_setup):
    idle_queue = processes.unique("idle")  # no worker listens here
    try:
        with dedicated_app(**dict(queue_setup.config, TASK_QUEUE=idle_queue), MATCH_FANOUT=2, MATCH_FANOUT_WAIT=1):
            problems = _problems(5)
            solver = fanout.configured_solver()
            flows = solver(problems)
            assert solver.sent == 1 and solver.solved_by_workers == 0
            expected = solve_flow_problems(problems)
            assert all(np.array_equal(a, b) for a, b in zip(flows, expected)) and len(flows) == len(expected)
    finally:
        processes.forget_keys([idle_queue, "_kombu.binding." + idle_queue])


def test_without_a_queue_or_with_one_part_the_run_solves_alone(queue_setup):
    with dedicated_app(**queue_setup.config, MATCH_FANOUT=1):
        assert fanout.configured_solver() is None
    with dedicated_app(MATCH_FANOUT=4):
        assert fanout.configured_solver() is None  # no broker: nothing to fan out to


def test_problems_and_flows_cross_the_broker_unchanged():
    problems = _problems(6)
    back = fanout.decode_problems(fanout.encode_problems(problems))
    assert all(np.array_equal(x, y) for p, q in zip(problems, back) for x, y in zip(p, q))
    flows = solve_flow_problems(problems)
    assert all(np.array_equal(a, b) for a, b in zip(flows, fanout.decode_flows(fanout.encode_flows(flows))))


def test_a_run_reports_its_fan_out_in_its_timings(queue_setup, worker):
    from matchmaker.services import matching
    from tests.services.world import build_world

    with dedicated_app(**queue_setup.config, MATCH_FANOUT=2, MATCH_FANOUT_WAIT=60):
        build_world()
        run = matching.run_matching()
        assert "fanout_groups_sent" in run.timings and "fanout_groups_by_workers" in run.timings
        assert run.timings["fanout_groups_by_workers"] <= run.timings["fanout_groups_sent"]
