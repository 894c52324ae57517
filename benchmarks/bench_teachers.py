"""Teacher throughput, cache and kill-safety against the local provider server.

    python benchmarks/bench_teachers.py [--items 1000] [--latency 0.2] [--workers 64] [--faults 429=0.02,500=0.02]

Starts `cogumi_nb.provider_server` in its own process (200 ms per reply by default), then:
1. runs ITEMS teacher requests through `run_teacher` (the real OpenAI SDK client, a thread pool);
2. re-runs the same job (finished items are skipped) and the same job into a fresh run folder (every reply
   comes from the response cache): both must send zero requests;
3. runs the job in a subprocess, SIGKILLs it at a random moment after its first request, re-runs it to the end,
   and checks from the server's request log that it ends with exactly ITEMS records and that no item finished before the kill
   was requested again (this step talks to a fresh server, so injected faults recur).
Targets: ITEMS=1000 in at most 30 s; the cached re-run in at most 2 s with zero requests.
Writes benchmarks/results/teachers.json.
"""
import argparse, json, os, platform, random, signal, subprocess, sys, tempfile, time
from datetime import date
from pathlib import Path

def _server(latency, faults, log):
    p = subprocess.Popen([sys.executable, '-c', 'from cogumi_nb.provider_server import main; main()', '--latency', str(latency),
                          '--faults', faults, '--log', str(log), '--timeout-sleep', '3'], stdout=subprocess.PIPE, text=True)
    return p, p.stdout.readline().strip()

def _requests(n):
    from cogumi_nb.provider_server import make_problem
    from cogumi_nb.teachers import solve_request
    return [solve_request(f'q{i}', f'{make_problem(i)[0]} (Problem {i}.)', True, 256, dict(numeric=True)) for i in range(n)]

def _job(url, dest, cache, n, workers, progress=False):
    "One teacher job; returns (wall seconds, totals)."
    from cogumi_nb.provider import make_teacher, run_teacher
    from cogumi_nb.teachers import parse_solution
    t = make_teacher('openai:gpt-4o-mini', base_url=f'{url}/v1', cache=cache, timeout=2.0, max_retries=8)
    t0 = time.perf_counter()
    recs, tot = run_teacher(t, _requests(n), dest, 'bench', parse=parse_solution, workers=workers, progress=progress, yes=True)
    return time.perf_counter() - t0, tot

def _log(path):
    return [json.loads(l) for l in Path(path).read_text().splitlines() if l.strip()] if Path(path).exists() else []

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--items', type=int, default=1000); ap.add_argument('--latency', type=float, default=0.2)
    ap.add_argument('--workers', type=int, default=64); ap.add_argument('--faults', default='')
    ap.add_argument('--seed', type=int, default=None, help='seed for the kill time (default: random)'); ap.add_argument('--out', default='benchmarks/results/teachers.json')
    ap.add_argument('--child', nargs=3, metavar=('URL', 'DEST', 'CACHE'), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    os.environ.setdefault('OPENAI_API_KEY', 'bench-key')
    if a.child:
        _job(*a.child, a.items, a.workers); return 0

    tmp = Path(tempfile.mkdtemp(prefix='bench_teachers_'))
    log = tmp/'server.jsonl'
    srv, url = _server(a.latency, a.faults, log)
    try:
        wall, tot = _job(url, tmp/'run1', tmp/'cache1.jsonl', a.items, a.workers, progress=True)
        sent1 = len(_log(log))
        rerun_wall, _ = _job(url, tmp/'run1', tmp/'cache1.jsonl', a.items, a.workers)
        sent2 = len(_log(log)) - sent1
        cache_wall, ctot = _job(url, tmp/'run1-fresh', tmp/'cache1.jsonl', a.items, a.workers)
        sent3 = len(_log(log)) - sent1 - sent2
        print(f'first run     : {a.items} items in {wall:.1f} s ({a.items/wall:.0f} items/s), {sent1} requests, {tot["this_run"]}')
        print(f're-run        : {rerun_wall:.2f} s, {sent2} requests (finished items skipped)')
        print(f'cache re-run  : {cache_wall:.2f} s, {sent3} requests, {ctot["cache_hits"]} cache hits (fresh run folder)')

        # kill at a random moment, then finish; a fresh server, so its faults hit this run too
        srv.terminate(); srv.wait(); srv, url = _server(a.latency, a.faults, log)
        rng = random.Random(a.seed)
        kill_at = rng.uniform(0.1, 0.8) * wall                  # after its first request
        before = len(_log(log))
        child = subprocess.Popen([sys.executable, __file__, '--items', str(a.items), '--workers', str(a.workers),
                                  '--child', url, str(tmp/'run2'), str(tmp/'cache2.jsonl')])
        t_start = time.time()
        while len(_log(log)) == before and time.time() - t_start < 120: time.sleep(0.05)   # wait for its first request
        time.sleep(kill_at); child.send_signal(signal.SIGKILL); child.wait()
        time.sleep(1.0)                                        # let the server log what was already sent
        boundary = len(_log(log))
        from cogumi_nb.core import RecordStore
        with RecordStore(tmp/'run2'/'bench.jsonl') as st: done_at_kill = set(st.keys())
        resume_wall, rtot = _job(url, tmp/'run2', tmp/'cache2.jsonl', a.items, a.workers)
        entries = _log(log)
        killed_run, resumed = entries[before:boundary], entries[boundary:]
        with RecordStore(tmp/'run2'/'bench.jsonl') as st: final = list(st)
        ids = [r['id'] for r in final]
        again = sorted({e['item'] for e in resumed} & done_at_kill)
        per_item = {}
        for e in killed_run + resumed: per_item[e['item']] = per_item.get(e['item'], 0) + 1
        asked_twice = sum(v > 1 for v in per_item.values())
        print(f'kill          : SIGKILL {kill_at:.1f} s after its first request, with {len(done_at_kill)} items stored; {len(killed_run)} requests before it')
        print(f'resume        : {resume_wall:.1f} s, {len(resumed)} requests; final rows {len(final)} ({len(set(ids))} distinct)')
        print(f'               finished items requested again: {len(again)}; items requested more than once overall: {asked_twice} '
              f'(in flight at the kill, or retried after a fault)')
    finally:
        srv.terminate(); srv.wait()

    ok = (wall <= 30 and 0 < len(done_at_kill) < a.items and sent2 == 0 and sent3 == 0 and cache_wall <= 2 and len(final) == a.items == len(set(ids)) and not again
          and all(r['ok'] for r in final))
    res = dict(items=a.items, latency_s=a.latency, workers=a.workers, faults=a.faults or None,
               first_run_s=round(wall, 2), items_per_s=round(a.items/wall, 1), first_run_requests=sent1,
               first_run_stats=tot['this_run'], rerun_s=round(rerun_wall, 2), rerun_requests=sent2,
               cache_rerun_s=round(cache_wall, 2), cache_rerun_requests=sent3, cache_hits=ctot['cache_hits'],
               kill_after_s=round(kill_at, 2), stored_at_kill=len(done_at_kill), requests_before_kill=len(killed_run),
               resume_s=round(resume_wall, 2), resume_requests=len(resumed), final_rows=len(final), distinct_rows=len(set(ids)),
               finished_items_requested_again=len(again), items_requested_more_than_once=asked_twice,
               all_ok=all(r['ok'] for r in final), targets_met=ok,
               cpus=os.cpu_count(), machine=platform.machine(), date=str(date.today()))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(f'targets met   : {ok}  -> {a.out}')
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
