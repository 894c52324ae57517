"""Failure clustering at scale: 50,000 failure texts embedded, clustered, labelled and mapped on CPU.

Usage: python benchmarks/bench_clusters.py [--n 50000] [--k 10] [--out FILE]

The texts are synthesised from real problems (GSM8K train and test questions, HumanEval prompts):
each copy gets its numbers redrawn and, for word problems, its first name swapped, so all texts are
distinct and read like the failures they stand for. The first pass runs in a fresh process with an
empty cache; the second, in another fresh process, re-runs the same call with the cache filled.
Each pass reports its stages (embed, kmeans, labels, umap, save) and its peak RSS.
"""
import argparse, json, os, random, re, resource, subprocess, sys, tempfile, time
from pathlib import Path

NAMES = 'Natalia Weng Betty Julie James Albert Mark Ken Alexis Tina Maria Ahmed Priya Chen Lucas Sofia Omar Emma Noah Yuki'.split()

def synthesise(n:int, seed:int=0)->list:
    "n distinct failure records built from real GSM8K and HumanEval problems."
    from cogumi_nb.data import load_gsm8k, load_humaneval
    seeds = [(e.prompt, 'gsm8k', 'math') for split in ('train', 'test') for e in load_gsm8k(split)]
    seeds += [(e.prompt, 'humaneval', 'code') for e in load_humaneval()]
    rng, out, seen = random.Random(seed), [], set()
    while len(out) < n:
        q, task, cat = rng.choice(seeds)
        if task == 'gsm8k':
            q = re.sub(r'\d+', lambda m: str(rng.randint(2, 5*int(m.group())+9)), q)
            q = re.sub(r'^[A-Z][a-z]+', rng.choice(NAMES), q)
        else: q = re.sub(r'\d+', lambda m: str(rng.randint(0, 99)), q)
        if q in seen: continue
        seen.add(q)
        i = len(out)
        out.append(dict(id=f'bench/{i}', run='bench', model='m', task=task, category=cat, example_id=f'{task}/{i}', sample=0,
                        question=q, completion='', extracted=None, reference='', solution='',
                        cause=rng.choice(['truncated', 'no_answer', 'wrong_answer', 'incomplete_code']), evidence='',
                        finish_reason='stop', completion_tokens=0, agreement=None))
    return out

def one_pass(data:str, k:int, dest:str)->dict:
    import pandas as pd
    from cogumi_nb.clusters import cluster_failures
    df = pd.read_json(data, lines=True)
    t = time.perf_counter()
    cl = cluster_failures(df, k=k, dest=None, progress=False)
    t1 = time.perf_counter()
    from cogumi_nb.clusters import save_clusters
    save_clusters(cl, dest)
    tm = dict(cl.timings, save=round(time.perf_counter()-t1, 2), total=round(time.perf_counter()-t, 2))
    return dict(timings=tm, clusters=int(len(cl.summary)), sizes=sorted(cl.summary['size'].tolist(), reverse=True),
                peak_rss_gib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20, 2))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=50_000)
    ap.add_argument('--k', type=int, default=10)
    ap.add_argument('--out', default='benchmarks/results/clusters.json')
    ap.add_argument('--pass-only', nargs=2, metavar=('DATA', 'DEST'), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.pass_only: print(json.dumps(one_pass(a.pass_only[0], a.k, a.pass_only[1]))); return
    tmp = Path(tempfile.mkdtemp())
    data = tmp/'failures.jsonl'
    with open(data, 'w') as f:
        for r in synthesise(a.n): f.write(json.dumps(r)+'\n')
    env = dict(os.environ, COGUMI_CACHE=str(tmp/'cache'))
    res = dict(date=time.strftime('%Y-%m-%d'), cpus=os.cpu_count(), n=a.n, k=a.k, embedder='all-MiniLM-L6-v2 (max 128 tokens)')
    for name in ('first', 'cached'):
        t = time.perf_counter()
        p = subprocess.run([sys.executable, __file__, '--k', str(a.k), '--pass-only', str(data), str(tmp/name)],
                           env=env, capture_output=True, text=True)
        if p.returncode: raise SystemExit(p.stderr[-3000:])
        res[name] = dict(json.loads(p.stdout.strip().splitlines()[-1]), process_seconds=round(time.perf_counter()-t, 1))
        print(name, json.dumps(res[name]), flush=True)
    res['cached_over_first'] = round(res['cached']['process_seconds']/res['first']['process_seconds'], 3)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
