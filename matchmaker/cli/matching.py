"""`matchmaker match [--as-of DATE] [--out FILE]`: run the matcher and store its proposals."""
import sys
import time

import click
from flask.cli import with_appcontext

STAGES = {
    "load": "loading open needs and offers / 读取开放的需求与产能",
    "match": "finding allowed pairs and the optimum / 计算可配对组合与最优解",
    "store": "storing the run and its proposals / 保存本次撮合与建议",
    "write": "writing the run file / 写出撮合结果文件",
}


class _Progress:
    """Stage-by-stage progress on a terminal: a bar over the stages plus each stage's time."""

    def __init__(self, stages):
        self.bar = click.progressbar(length=stages, label="matching / 撮合", file=sys.stdout,
                                     show_pos=True, item_show_func=lambda s: s)
        self.started = None
        self.stage = None

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __call__(self, stage):
        self._finish_stage()
        self.stage, self.started = stage, time.perf_counter()
        self.bar.current_item = STAGES.get(stage, stage)
        self.bar.render_progress()

    def _finish_stage(self):
        if self.stage is not None:
            self.bar.update(1, STAGES.get(self.stage, self.stage))

    def __exit__(self, *exc):
        self._finish_stage()
        self.bar.__exit__(*exc)


@click.command("match")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the run (default: today in MATCHMAKER_TIMEZONE).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the run (needs, offers, candidates, pairings, unmet, objective) as JSON.")
@click.option("--progress/--no-progress", default=None,
              help="Show progress (default: when standard output is a terminal).")
@with_appcontext
def match_command(as_of, out, progress):
    """Run the matcher: store optimal proposals for the open needs and offers (spec/matching.md)."""
    # the matcher (numpy, the services) loads here, when it runs: `matchmaker match --help` and
    # the command's start do not wait for it
    from matchmaker import collector_paused

    with collector_paused():
        from matchmaker.services.matching import run_matching
        from matchmaker.services.support.audit import acting_as
        from matchmaker.services.support.errors import DomainError

    show = sys.stdout.isatty() if progress is None else progress
    day = as_of.date() if as_of else None
    try:
        with acting_as("cli"):
            if show:
                with _Progress(4 if out else 3) as bar:
                    run = run_matching(day, started_by="cli", out=out, progress=bar)
            else:
                run = run_matching(day, started_by="cli", out=out)
    except DomainError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"Error: cannot write {out}: {exc.strerror}", err=True)
        sys.exit(1)
    obj = run.objective
    click.echo(
        f"run {run.id} as of {run.as_of}: {run.needs_count} needs, {run.offers_count} offers, "
        f"{run.candidates_count} allowed pairs, {run.pairings_count} proposals; matched "
        f"{obj['matched_quantity']:g}, total cost {obj['total_cost']:g} "
        f"(本次撮合 {run.id}：建议 {run.pairings_count} 条)")
    if out:
        click.echo(f"run file written to {out}")
