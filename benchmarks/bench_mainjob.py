"""The main job end to end, timed per phase; optionally killed during training and re-run.

    python benchmarks/bench_mainjob.py [--config main] [--kill] [--root DIR]

Runs `cogumi run CONFIG` in a fresh runs root (a subprocess, as a user would), then reads the run's
manifest and report: wall time, seconds per phase, pass rates before and after, the paired test of every
outcome (correct, final answer, truncated, each root cause; eval and held-out), fixed and broken problems, truncations and root causes before and after, criteria. With --kill, a second run in another
fresh root is SIGKILLed as soon as training has written its first checkpoint, then started again with
the same command: it must resume (the training summary says from which checkpoint) and finish.
Writes benchmarks/results/mainjob.json. Target on a 2-core CPU: the main job in at most 20 minutes.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COGUMI = [str(Path(sys.executable).parent/'cogumi')]   # the console script of this environment

def run(cfg, root, quiet=True):
    t = time.perf_counter()
    p = subprocess.run([*COGUMI, 'run', cfg, '--runs-root', str(root), *(['--quiet'] if quiet else [])], text=True, capture_output=True)
    return p, time.perf_counter()-t

def killed_run(cfg, root, poll=2.0):
    "Start the job, SIGKILL it once training has a checkpoint; returns (seconds until the kill, checkpoint name)."
    t = time.perf_counter()
    p = subprocess.Popen([*COGUMI, 'run', cfg, '--runs-root', str(root), '--quiet'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    while p.poll() is None:
        cks = sorted(root.glob('*/train/checkpoints/checkpoint-*'))
        if cks:
            os.killpg(p.pid, signal.SIGKILL); p.wait()
            return time.perf_counter()-t, cks[0].name
        time.sleep(poll)
    raise SystemExit(f'the job ended (rc {p.returncode}) before training wrote a checkpoint')

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--config', default='main')
    ap.add_argument('--kill', action='store_true', help='also kill a run during training and resume it')
    ap.add_argument('--root', default=None, help='runs root (default: a fresh temporary folder)')
    a = ap.parse_args(argv)
    root = Path(a.root or tempfile.mkdtemp(prefix='cogumi-mainjob-'))
    p, wall = run(a.config, root)
    print(p.stdout[-3000:]); print(p.stderr[-3000:], file=sys.stderr)
    if p.returncode: raise SystemExit(f'cogumi run failed (rc {p.returncode})')
    d = next(root.iterdir())
    man, rep = json.loads((d/'manifest.json').read_text()), json.loads((d/'report.json').read_text())
    tr = json.loads((d/'train'/'training_summary.json').read_text()) if (d/'train'/'training_summary.json').exists() else {}
    out = dict(config=a.config, wall_seconds=round(wall, 1), phases={k: v['seconds'] for k, v in man['phases'].items()},
               metrics=rep['metrics'], tests=rep.get('tests', []), causes=rep['causes'], criteria=rep['criteria'],
               train_rows=sum(1 for _ in open(d/'data'/'train.jsonl')), training={k: tr.get(k) for k in
               ('best_step', 'best_eval_loss', 'best_eval_ppl', 'stop_reason', 'tokens_seen', 'tokens_per_s', 'resumed_from') if k in tr})
    print(f"main job: {wall/60:.1f} min; phases {out['phases']}")
    o = rep['metrics']['overall']
    print(f"pass rate {o['before']:.1%} -> {o['after']:.1%} (n={o['n']}, fixed {o['fixed']}, broken {o['broken']}, p={o['p_value']:.3g}); "
          f"truncated {o['truncated_before']} -> {o['truncated_after']}")
    for t in out['tests']:   # every per-problem outcome's paired test (report.outcome_tests)
        print(f"  {t['set']:8} {t['task']:10} {t['outcome']:22} {t['before']:>4} -> {t['after']:<4} p={t['p_value']:.3g} {t['change']}{' *' if t['significant'] else ''}")
    if a.kill:
        root2 = Path(tempfile.mkdtemp(prefix='cogumi-mainjob-kill-'))
        at, ck = killed_run(a.config, root2)
        p2, wall2 = run(a.config, root2)
        d2 = next(root2.iterdir())
        man2 = json.loads((d2/'manifest.json').read_text())
        tr2 = json.loads((d2/'train'/'training_summary.json').read_text())
        out['kill'] = dict(killed_after_seconds=round(at, 1), checkpoint_at_kill=ck, rerun_rc=p2.returncode,
                           rerun_seconds=round(wall2, 1), status=man2['status'], resumed_from=tr2.get('resumed_from'),
                           best_eval_loss=tr2.get('best_eval_loss'), uninterrupted_best_eval_loss=tr.get('best_eval_loss'))
        print(f"killed after {at:.0f} s at {ck}; re-run: rc {p2.returncode}, {wall2:.0f} s, status {man2['status']}, "
              f"resumed from {tr2.get('resumed_from')}")
    res = HERE/'results'/('mainjob.json' if a.config == 'main' else f'mainjob-{a.config}.json')
    res.write_text(json.dumps(out, indent=2))
    print(f'figures: {res}')
    return 0

if __name__ == '__main__': sys.exit(main())
