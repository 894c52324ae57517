"""The main job and one variant per training-data method, before and after, with the paired test of every outcome.

    python benchmarks/bench_loop.py [--base DIR] [--only NAME ...] [--root DIR]

Runs the main job (`cogumi run main`, GSM8K data present) once, then each variant of its build phase from the
same evaluated base: the variants share the base run's evaluate, consistency and failures phases (copied, and
skipped by the pipeline because their inputs are the same) and differ only in the rows they train on. Each
variant is a full `cogumi run` of a config that differs from `main` in its `build:` section (and `replay:`):

- ground_truth: the pool's failures with their worked solutions, no replay
- ground_truth+replay: the main job (the base model's own answers to the replay prompts, 30% of the rows)
- star+replay: STaR's rationalization (the failed problems answered again with the reference as a hint,
  verified, trained without the hint), no ground truth
- rft+replay: verified self-samples (k=4 for each of the first 50 pool problems at T 0.7, distinct paths), no ground truth
- all: ground truth, STaR, RFT and replay together
- star+replay, 2 rounds: STaR's outer loop (`rounds: {n: 2, mode: from_base}`): round 2 answers the pool with round 1's
  model, rationalizes its failures and trains the base model on both rounds' rows; it runs only when round 1 gained
  significantly, and its table compares round 1's before with the last accepted round's after

For each: rows per source, then per outcome and set (GSM8K eval, MMLU held out) the counts before and after
and the exact McNemar p-value (report.outcome_tests). Writes benchmarks/results/loop.json.
"""
import argparse, json, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import yaml
from cogumi_nb.config import load_config

HERE = Path(__file__).resolve().parent
COGUMI = [str(Path(sys.executable).parent/'cogumi')]
VARIANTS = {
    'ground_truth': dict(replay=[], build=dict(sources=['ground_truth'], replay_ratio=0.0)),
    'ground_truth+replay': dict(),
    'star+replay': dict(build=dict(sources=['star'])),
    'rft+replay': dict(build=dict(sources=['rft'], rft=dict(k=4, temperature=0.7, top_p=0.95, max_per_problem=2, limit=50))),
    'all': dict(build=dict(sources=['ground_truth', 'star', 'rft'], rft=dict(k=4, temperature=0.7, top_p=0.95, max_per_problem=2, limit=50))),
    'star+replay, 2 rounds': dict(build=dict(sources=['star']), rounds=dict(n=2, mode='from_base')),
}
SHARED = ('evaluate', 'consistency', 'failures')   # the phases every variant takes from the base run
OUTCOMES = [('eval', 'correct'), ('eval', 'final_answer'), ('eval', 'truncated'), ('heldout', 'correct'), ('heldout', 'final_answer')]

def config_for(name:str, over:dict)->dict:
    "The main job's config, every key spelt out, with the variant's sections merged in."
    return load_config('main', name=name, **over).to_dict()

def cogumi_run(cfg_path:Path, root:Path)->tuple:
    t = time.perf_counter()
    p = subprocess.run([*COGUMI, 'run', str(cfg_path), '--runs-root', str(root), '--quiet'], text=True, capture_output=True)
    if p.returncode: raise SystemExit(f'cogumi run {cfg_path.name} failed (rc {p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}')
    return p.stdout, time.perf_counter()-t

def seed_from(base:Path, dest:Path, name:str):
    "A run folder for variant `name` holding the base run's shared phases (outputs and manifest entries)."
    dest.mkdir(parents=True)
    keep = {'pool', 'eval_before', 'heldout_before', 'consistency_before', 'failures', 'evaluate.json', 'notebooks'}
    for p in base.iterdir():
        if p.name in keep: (shutil.copytree if p.is_dir() else shutil.copy2)(p, dest/p.name)
    for nb in (dest/'notebooks').glob('*'):
        if not any(s in nb.name for s in SHARED): nb.unlink()
    man = json.loads((base/'manifest.json').read_text())
    man.update(name=name, phases={k: v for k, v in man['phases'].items() if k in SHARED})
    (dest/'manifest.json').write_text(json.dumps(man, indent=2))

def summary(run:Path, seconds:float)->dict:
    if (run/'rounds.json').exists():   # a run with rounds: its own report (round 1's before, the last accepted round's after), rows per round
        rounds = json.loads((run/'rounds.json').read_text())
        per = [dict(summary(run/f"round_{e['round']}", e['seconds']), accepted=e['accepted'], gains=e['gains'], stopped=e.get('stopped'))
               for e in rounds['rounds']]
        rep = json.loads((run/'report.json').read_text())
        tests = {(t['set'], t['outcome']): t for t in rep['tests'] if t['task'] in ('gsm8k', 'mmlu')}
        return dict(seconds=round(seconds, 1), rounds=per, accepted=rounds['accepted'],
                    rows={k: sum(r['rows'].get(k, 0) for r in per) for k in {k for r in per for k in r['rows']}},
                    tests={f'{s}/{o}': {k: tests[(s, o)][k] for k in ('n', 'before', 'after', 'gained', 'lost', 'p_value', 'change')}
                           for s, o in OUTCOMES if (s, o) in tests})
    rep = json.loads((run/'report.json').read_text())
    tests = {(t['set'], t['outcome']): t for t in rep['tests'] if t['task'] in ('gsm8k', 'mmlu')}
    src = [l.split(',') for l in (run/'data'/'sources.csv').read_text().splitlines()[1:]]
    man = json.loads((run/'manifest.json').read_text())
    return dict(seconds=round(seconds, 1), phases={k: v.get('seconds') for k, v in man['phases'].items()},
                rows={s[0]: int(s[-1]) for s in src},
                tests={f'{s}/{o}': {k: tests[(s, o)][k] for k in ('n', 'before', 'after', 'gained', 'lost', 'p_value', 'change')}
                       for s, o in OUTCOMES if (s, o) in tests},
                training={k: json.loads((run/'train'/'training_summary.json').read_text()).get(k) for k in ('best_eval_loss', 'tokens_seen', 'tokens_per_s')})

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--base', default=None, help='a finished main-job run folder to start the variants from (default: run the main job)')
    ap.add_argument('--only', nargs='*', default=None, help=f'variants to run (default: all of {", ".join(VARIANTS)})')
    ap.add_argument('--root', default=None, help='runs root (default: a fresh temporary folder)')
    a = ap.parse_args(argv)
    root = Path(a.root or tempfile.mkdtemp(prefix='cogumi-loop-')); root.mkdir(parents=True, exist_ok=True)
    if a.base: base, base_s = Path(a.base), None
    else:
        (root/'main.yaml').write_text(yaml.safe_dump(config_for('main', {}), sort_keys=False))
        _, base_s = cogumi_run(root/'main.yaml', root/'base'); base = root/'base'/'main'
    res = HERE/'results'/'loop.json'
    out = dict(base=str(base), base_seconds=base_s, variants={})
    if a.only and res.exists(): out['variants'] = json.loads(res.read_text())['variants']   # add to the variants measured before
    for name in a.only or VARIANTS:
        tag = name.replace('+', '-').replace(', ', '-').replace(' ', '-')
        cfg = config_for(tag, VARIANTS[name])
        (root/f'{tag}.yaml').write_text(yaml.safe_dump(cfg, sort_keys=False))
        rounds = (cfg.get('rounds') or {}).get('n', 1) > 1
        seed_from(base, root/'variants'/tag/'round_1' if rounds else root/'variants'/tag, 'round_1' if rounds else tag)
        _, s = cogumi_run(root/f'{tag}.yaml', root/'variants')
        out['variants'][name] = r = summary(root/'variants'/tag, s)
        cells = '  '.join(f"{k} {v['before']}->{v['after']} p={v['p_value']:.2g}" for k, v in r['tests'].items())
        print(f"{name:20} rows {r['rows']}  {cells}  ({s/60:.1f} min)", flush=True)
        res.write_text(json.dumps(out, indent=2))
    print(f'figures: {res}')

if __name__ == '__main__': sys.exit(main())
