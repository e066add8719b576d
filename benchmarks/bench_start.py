"""How long the `matchmaker` process takes to start, against the floor its chosen stack sets (issue 14).

Issue 14, item 1 asks the CLI to start in under 0.3 s. This prints the CPU seconds (user + system
of the child process, the minimum of ``--repeat`` runs) of:

- a bare interpreter, and the imports of the chosen dependencies alone (Flask, SQLAlchemy's ORM,
  Flask-SQLAlchemy, numpy): the floor any process of this service starts from;
- ``matchmaker --help`` (the console script lists its commands without loading them);
- a batch command's app ready (``create_app(web=False)``: config, the models, the extensions);
- ``matchmaker match`` ready to run (that app plus the matcher's modules);
- the web service's app (``create_app()``: pages, API, Alembic, CSRF, rate limits).

Each runs in a fresh process with this checkout first on the path. Python keeps no bytecode of the
service's own modules when ``PYTHONDONTWRITEBYTECODE`` is set (as on the CI machine), so each
process compiles them again; ``--bytecode`` compiles them once first, as an installed service has.

Run:  ``python benchmarks/bench_start.py [--repeat 5] [--bytecode] [--tree OTHER_CHECKOUT]``
"""
from __future__ import annotations

import argparse
import compileall
import os
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BATCH_APP = "from matchmaker import create_app; create_app(web=False, commands=False)"

CASES = [
    ("bare interpreter", "pass"),
    ("import flask", "import flask"),
    ("import sqlalchemy.orm", "import sqlalchemy.orm"),
    ("chosen stack: flask + sqlalchemy.orm + flask_sqlalchemy",
     "import flask, sqlalchemy.orm, flask_sqlalchemy"),
    ("chosen stack + numpy (the matcher's arrays)", "import flask, sqlalchemy.orm, flask_sqlalchemy, numpy"),
    ("matchmaker --help",
     "import sys; sys.argv = ['matchmaker', '--help']\nfrom matchmaker.cli import main\n"
     "try:\n    main()\nexcept SystemExit:\n    pass"),
    ("batch app ready (create_app(web=False))", BATCH_APP),
    ("matchmaker match ready (batch app + matcher)",
     "from matchmaker import create_app\napp = create_app(web=False, commands=False)\n"
     "with app.app_context():\n    import matchmaker.cli.matching, matchmaker.services.matching"),
    ("web app ready (create_app())", "from matchmaker import create_app; create_app({'SCHEDULER_ENABLED': False})"),
]


def cpu_of(code, tree=ROOT):
    """CPU seconds (user + system) of one fresh interpreter running *code* from the checkout *tree*."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, PYTHONPATH=tree + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the minimum is printed")
    parser.add_argument("--bytecode", action="store_true",
                        help="compile the service's own modules first (as an installed service has them)")
    parser.add_argument("--tree", default=ROOT, help="the checkout to time (default: this one), e.g. an older one")
    args = parser.parse_args(argv)
    tree = os.path.abspath(args.tree)
    if args.bytecode:
        for package in ("matchmaker", "graphs"):
            compileall.compile_dir(os.path.join(tree, package), quiet=1)
    print("process start of %s, CPU seconds (min of %d runs; bytecode of the service's modules: %s)"
          % (tree, args.repeat, "compiled" if args.bytecode else "as found"))
    for label, code in CASES:
        runs = sorted(cpu_of(code, tree) for _ in range(args.repeat))
        print("  %-58s %.3f  (max %.3f)" % (label, runs[0], runs[-1]))


if __name__ == "__main__":
    main()
