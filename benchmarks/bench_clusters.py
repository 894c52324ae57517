"""Failure clustering at scale: 50,000 failure texts embedded, clustered, labelled and mapped on CPU.

Usage: python benchmarks/bench_clusters.py [--n 50000] [--k 10] [--embedder NAME] [--compare 3000] [--out FILE]

The texts are synthesised from real problems (GSM8K train and test questions, HumanEval prompts):
each copy gets its numbers redrawn and, for word problems, its first name swapped, so all texts are
distinct and read like the failures they stand for. The first pass runs in a fresh process with an
empty cache; the second, in another fresh process, re-runs the same call with the cache filled.
Each pass reports its stages (embed, kmeans, labels, umap, save) and its peak RSS. With a static embedder
(`--embedder static:all-MiniLM-L6-v2`), `--compare N` also clusters the first N texts with both all-MiniLM-L6-v2
and the static model (3 KMeans seeds each) and reports how well the two agree (adjusted Rand index, NMI, shared
nearest neighbours) beside MiniLM's agreement with itself across seeds.
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

def one_pass(data:str, k:int, dest:str, embedder:str|None)->dict:
    import pandas as pd
    from cogumi_nb.clusters import cluster_failures
    df = pd.read_json(data, lines=True)
    t = time.perf_counter()
    cl = cluster_failures(df, k=k, model=embedder, dest=None, progress=False)
    t1 = time.perf_counter()
    from cogumi_nb.clusters import save_clusters
    save_clusters(cl, dest)
    tm = dict(cl.timings, save=round(time.perf_counter()-t1, 2), total=round(time.perf_counter()-t, 2))
    return dict(timings=tm, clusters=int(len(cl.summary)), sizes=sorted(cl.summary['size'].tolist(), reverse=True),
                peak_rss_gib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20, 2))

def agreement(texts:list, embedder:str, k:int)->dict:
    "How closely clusters and neighbours from `embedder` follow all-MiniLM-L6-v2's on `texts`."
    import numpy as np
    from sklearn.metrics import adjusted_rand_score as ari, normalized_mutual_info_score as nmi
    from cogumi_nb.clusters import embed, kmeans
    t = time.perf_counter(); ref = embed(texts, progress=False); t_ref = time.perf_counter()-t
    t = time.perf_counter(); X = embed(texts, embedder, progress=False); t_x = time.perf_counter()-t
    lr, lx = [kmeans(ref, k, s)[0] for s in range(3)], [kmeans(X, k, s)[0] for s in range(3)]
    pairs = lambda a, b, f: round(float(np.mean([f(x, y) for x in a for y in b if x is not y])), 3)
    def knn(E, n=10):
        S = E @ E.T; np.fill_diagonal(S, -9); return np.argsort(-S, 1)[:, :n]
    shared = float(np.mean([len(set(a) & set(b))/10 for a, b in zip(knn(ref), knn(X))]))
    return dict(n=len(texts), minilm_seconds=round(t_ref, 1), embedder_seconds=round(t_x, 2),
                ari_minilm_vs_minilm=pairs(lr, lr, ari), ari_embedder_vs_minilm=pairs(lx, lr, ari),
                nmi_minilm_vs_minilm=pairs(lr, lr, nmi), nmi_embedder_vs_minilm=pairs(lx, lr, nmi),
                shared_neighbours_at_10=round(shared, 3))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=50_000)
    ap.add_argument('--k', type=int, default=10)
    ap.add_argument('--embedder', default=None, help='sentence-transformers name or folder, or static:BASE (default all-MiniLM-L6-v2)')
    ap.add_argument('--compare', type=int, default=0, help='texts on which to compare the embedder with all-MiniLM-L6-v2')
    ap.add_argument('--out', default='benchmarks/results/clusters.json')
    ap.add_argument('--pass-only', nargs=2, metavar=('DATA', 'DEST'), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.pass_only: print(json.dumps(one_pass(a.pass_only[0], a.k, a.pass_only[1], a.embedder))); return
    tmp = Path(tempfile.mkdtemp())
    data = tmp/'failures.jsonl'
    with open(data, 'w') as f:
        for r in synthesise(a.n): f.write(json.dumps(r)+'\n')
    env = dict(os.environ, COGUMI_CACHE=str(tmp/'cache'))
    res = dict(date=time.strftime('%Y-%m-%d'), cpus=os.cpu_count(), n=a.n, k=a.k, embedder=a.embedder or 'all-MiniLM-L6-v2 (max 128 tokens)')
    if a.embedder and a.embedder.startswith('static:'):  # distil once, outside the timed passes (cached like a download)
        os.environ['COGUMI_CACHE'] = env['COGUMI_CACHE']
        from cogumi_nb.clusters import distill_static
        t = time.perf_counter(); distill_static(a.embedder[len('static:'):] or None, progress=False)
        res['distill_seconds'] = round(time.perf_counter()-t, 1); print('distilled in', res['distill_seconds'], 's', flush=True)
    for name in ('first', 'cached'):
        t = time.perf_counter()
        p = subprocess.run([sys.executable, __file__, '--k', str(a.k), '--pass-only', str(data), str(tmp/name)] + (['--embedder', a.embedder] if a.embedder else []),
                           env=env, capture_output=True, text=True)
        if p.returncode: raise SystemExit(p.stderr[-3000:])
        res[name] = dict(json.loads(p.stdout.strip().splitlines()[-1]), process_seconds=round(time.perf_counter()-t, 1))
        print(name, json.dumps(res[name]), flush=True)
    res['cached_over_first'] = round(res['cached']['process_seconds']/res['first']['process_seconds'], 3)
    if a.compare and a.embedder:
        texts = [json.loads(l)['question'] for l in open(data)][:a.compare]
        res['agreement'] = agreement(texts, a.embedder, a.k); print('agreement', json.dumps(res['agreement']), flush=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
