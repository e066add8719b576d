"""The components of a run solved as separate flow problems, in any grouping and order, give the
flow solve_pairings finds by itself (issue 14, item 4: the fan-out over workers changes nothing)."""
import numpy as np
import pytest

from graphs.matching import FlowProblem, MatchingError, solve_flow_problems, solve_pairings, split_problems


def _instance(seed, needs=300, offers=300, arcs=420):
    rng = np.random.default_rng(seed)
    n_qty = rng.integers(1, 50, needs)
    o_qty = rng.integers(1, 50, offers)
    pairs = np.unique(np.stack([rng.integers(0, needs, arcs), rng.integers(0, offers, arcs)], 1), axis=0)
    return n_qty, o_qty, pairs[:, 0], pairs[:, 1], rng.integers(0, 1000, len(pairs))


def _grouping_solver(parts, seen):
    """A solver that solves the problems group by group, last group first (as workers would, out of order)."""
    def solve(problems):
        seen.append(len(problems))
        flows = [None] * len(problems)
        for group in reversed(split_problems(problems, parts)):
            for k, f in zip(group, solve_flow_problems([problems[k] for k in group])):
                flows[k] = f
        return flows
    return solve


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("parts", [2, 3, 7])
def test_grouped_solving_gives_the_same_flow(seed, parts):
    inst = _instance(seed)
    seen = []
    alone = solve_pairings(*inst)
    grouped = solve_pairings(*inst, solver=_grouping_solver(parts, seen))
    assert seen and seen[0] > 1  # the instance has several non-star components
    assert grouped.tolist() == alone.tolist()
    assert grouped.sum() > 0


def test_split_problems_puts_every_problem_in_exactly_one_group_and_balances_arcs():
    rng = np.random.default_rng(1)
    sizes = rng.integers(1, 100, 40)
    problems = [FlowProblem(np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(2)) for k in sizes]
    groups = split_problems(problems, 4)
    flat = sorted(k for g in groups for k in g)
    assert flat == list(range(40)) and len(groups) == 4
    loads = [int(sum(sizes[k] for k in g)) for g in groups]
    assert max(loads) - min(loads) <= max(sizes)  # greedy largest-first: within one problem
    assert sorted(split_problems(problems[:2], 5)) == [[0], [1]]  # never more groups than problems


def test_a_solver_that_answers_too_few_problems_is_an_error():
    with pytest.raises(MatchingError):
        solve_pairings(*_instance(2), solver=lambda problems: [])
