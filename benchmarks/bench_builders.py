"""Time `cogumi_nb.builders.combine` on ~50,000 rows built from real GSM8K, MMLU and MBPP texts.

Rows: every GSM8K train problem, MMLU test question and MBPP task as a (prompt, solution) row, then random
repeats of them with a one-character edit (near duplicates) or none (exact duplicates) up to `--n` rows.
Evaluation items: the GSM8K test set (1,319 problems) plus `--leaks` test questions planted inside row prompts.
Writes benchmarks/results/builders.json. Run: python benchmarks/bench_builders.py [--n 50000]
"""
import argparse, json, os, platform, random, resource, time, warnings
from pathlib import Path
from cogumi_nb.builders import combine
from cogumi_nb.data import TrainRow, load_gsm8k, load_mmlu, load_mbpp

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=50000); ap.add_argument('--leaks', type=int, default=50)
    a = ap.parse_args()
    exs = load_gsm8k('train') + load_mmlu('test') + load_mbpp()
    base = [TrainRow(id=f'teacher/{e.id}', prompt=e.prompt, completion=e.solution or e.reference, source='teacher') for e in exs]
    rng = random.Random(0); rows = list(base); test = load_gsm8k('test')
    for q in rng.sample(test, a.leaks):
        rows.append(TrainRow(id=f'teacher/leak/{q.id}', prompt=f'{q.prompt}\n\nSolve it step by step.', completion='... #### 1', source='teacher'))
    while len(rows) < a.n:
        b = rng.choice(base); k = rng.randrange(len(b.completion))
        edit = 'x' if rng.random() < .5 else b.completion[k]
        rows.append(TrainRow(id=f'teacher/v{len(rows)}', prompt=b.prompt, completion=b.completion[:k]+edit+b.completion[k+1:], source='teacher'))
    t0 = time.time()
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); cb = combine({'teacher': rows}, eval_items=test)
    s = time.time()-t0
    st = cb.stats.set_index('source').loc['teacher'].to_dict()
    leaked = {d['id'] for d in cb.dropped if d['reason'] == 'leaked'}
    out = dict(rows=len(rows), eval_items=len(test), seconds=round(s, 1), rows_per_s=round(len(rows)/s), **{k: int(v) for k,v in st.items()},
               planted_leaks_caught=sum(f'teacher/leak/{q}' in leaked for q in [r.id.split('/leak/')[1] for r in rows if '/leak/' in r.id]),
               planted_leaks=a.leaks, variants=len(rows)-len(base)-a.leaks,
               variants_dropped=sum(d['id'].startswith('teacher/v') and d['reason'] in ('exact_dup', 'near_dup') for d in cb.dropped), peak_rss_gib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20, 2),
               cpus=os.cpu_count(), machine=platform.processor() or platform.machine(), date=time.strftime('%Y-%m-%d'))
    print(json.dumps(out, indent=1))
    d = Path(__file__).parent/'results'; d.mkdir(exist_ok=True)
    (d/'builders.json').write_text(json.dumps(out, indent=1)+'\n')

if __name__ == '__main__': main()
