"""Read packages in a process whose memory and CPU are capped, as the tests' witness that reading
a bomb is bounded work: `python -m tests.packages.bounded_read JOBS.json`.

Sets RLIMIT_AS (address space, default 512 MiB) and RLIMIT_CPU (seconds of CPU for all the
jobs, default 60) before importing anything, then reads each job's package the way the service
does, with the default limits or the job's own, and prints one JSON line per job: its name, the
problems the package was refused with (or read with), the sections read. A reader that runs
out of memory (MemoryError) or of CPU time (killed by SIGXCPU) stops there: the jobs after it
have no line.

JOBS.json is a list of {"name": ..., "path": ..., "limits": {field of Limits: value}}.
"""
import json
import os
import resource
import sys

MEMORY = int(os.environ.get("BOUNDED_READ_MEMORY_MB", "512")) * 1024 * 1024
CPU_SECONDS = int(os.environ.get("BOUNDED_READ_CPU_SECONDS", "60"))


def main(argv):
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    with open(argv[0], encoding="utf-8") as fh:
        jobs = json.load(fh)
    from matchmaker.packages.problems import PackageInvalid
    from matchmaker.packages.readers import Limits, read_package

    for job in jobs:
        result = {"name": job["name"]}
        try:
            raw = read_package(job["path"], limits=Limits(**job.get("limits", {})))
        except PackageInvalid as exc:
            result["problems"] = [list(p) for p in exc.problems]
        else:
            result["problems"] = [list(p) for p in raw.problems]
            result["sections"] = {s: len(r) for s, r in raw.sections.items()}
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
