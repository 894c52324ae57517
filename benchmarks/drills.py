"""Failure drills: the demo run SIGKILLed at random points, on a full disk, with a torn manifest, a corrupted checkpoint, and run twice at once.

    python benchmarks/drills.py [--kills 10] [--seed 0] [--config demo] [--drills kill disk manifest checkpoint lock]

Every drill runs `cogumi run CONFIG --runs-root DIR` as a user would (a subprocess in its own process group), does
something bad to it, runs the same command again until it completes, and compares the finished run with an
uninterrupted one (the baseline, run first): the whole `report.json`, `ledger.csv` and `tests.csv`, and every JSONL
store of the run folder (records per store, the set of keys, duplicated or missing keys, torn or invalid lines,
records whose content differs), the training summary (where it resumed from, the final eval loss) and the adapter.

1. kill: SIGKILL of the whole process group at N seeded points (`--kills`): the moment training has written its
   first complete checkpoint; a random fraction into each of the six phases (from the moment the manifest says the
   phase is running, as a fraction of the phase's baseline seconds); then phases drawn by their share of the baseline
   run, a random fraction into each (a point a faster run has already passed is tried again at half the offset).
   The papermill kernel runs in a session of its own (jupyter_client starts it so), outside the killed group: the
   drill records how long it outlived the kill, waits for it before re-running, and counts anything it wrote after
   the kill as a defect unless the kernel still held the run folder then (its lock on .lock.kernel, which a new
   run waits for).
2. disk: a full disk in the middle of a record store append: a 2-page (8 KiB) tmpfs mounted on the pool's result
   folder, so the append that crosses 4096 bytes of `pool/humaneval/results.jsonl` fails with ENOSPC half-way;
   `disk-summary`: the same on the eval set's folder, whose two stores fill it, so writing `metrics.json` fails;
   `disk-run`: a tmpfs on the run folder itself, filled up before the run starts. Checks: the error
   names the file, every store line is valid JSON right after the failure, no temporary file left; then the tmpfs
   is remounted with space and the same command completes.
3. manifest: a finished run's manifest.json cut in half (outside damage: the pipeline writes it atomically). The
   next run must refuse, naming the file; moving the damaged manifest aside, the run re-runs every phase, each
   resuming from its records, and must end with the same report.
4. checkpoint: the run killed once training has written its second checkpoint, the newest checkpoint's adapter
   weights then cut in half: the re-run must refuse that checkpoint and resume from the one before.
5. lock: a second `cogumi run` of the same config while the first runs: refused (non-zero exit, the holder's pid
   named), the first run unaffected.

Every run imports a copy of this checkout's cogumi_nb/ and nbs/phases/ taken at the start (`--no-snapshot`: the
installed package as it is), so edits to the checkout during the benchmark change nothing it measures. Needs root for
the tmpfs mounts of the disk drills (they are skipped otherwise). Run it on a quiet machine: each demo run takes
45-75 s on 2 cores, the whole benchmark 15-20 minutes with 10 kills (`--kills 3` for a short one).
Writes benchmarks/results/drills.json (`--out`).
"""
import argparse, hashlib, json, os, platform, random, shutil, signal, subprocess, sys, tempfile, time
from datetime import date
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
COGUMI = str(Path(sys.executable).parent/'cogumi')   # the console script of this environment
PHASES = ('evaluate', 'consistency', 'failures', 'build', 'train', 'report')
TIMEOUT = 600   # seconds any one `cogumi run` may take
ENV = {}        # set by `snapshot_package`: where every run imports cogumi_nb and finds the phase notebooks

# ---------------------------------------------------------------- running and killing

class Job:
    "One `cogumi run` in its own process group, its output in files under `logs`."
    def __init__(self, cfg, root, logs, tag, extra=()):
        self.root, self.t0 = Path(root), time.perf_counter()
        logs.mkdir(parents=True, exist_ok=True)
        self.out, self.err = logs/f'{tag}.out', logs/f'{tag}.err'
        self.p = subprocess.Popen([COGUMI, 'run', cfg, '--runs-root', str(root), '--quiet', *extra],
                                  stdout=open(self.out, 'w'), stderr=open(self.err, 'w'), start_new_session=True,
                                  env={**os.environ, 'PYTHONUNBUFFERED': '1', **ENV})
    def elapsed(self): return time.perf_counter() - self.t0
    def wait(self, timeout=TIMEOUT):
        try: self.p.wait(timeout)
        except subprocess.TimeoutExpired: self.kill(); raise SystemExit(f'cogumi run took over {timeout} s (logs: {self.err})')
        return self.p.returncode
    def stderr(self): return self.err.read_text(errors='replace')

    def kill(self):
        "SIGKILL the process group; wait for the processes outside it (the kernel) to end, timing them and what they write."
        try: kids = psutil.Process(self.p.pid).children(recursive=True)
        except psutil.NoSuchProcess: kids = []
        outside = []
        for k in kids:
            try:
                if os.getpgid(k.pid) != self.p.pid: outside.append(k)
            except (ProcessLookupError, psutil.NoSuchProcess): pass
        os.killpg(self.p.pid, signal.SIGKILL)
        t = time.perf_counter(); self.p.wait()
        before = sizes(self.root)
        held = bool(outside) and kernel_holds(self.root)   # a new run would wait for the kernel (pipeline.run_lock)
        alive, lived = list(outside), 0.0
        while alive and time.perf_counter() - t < 10:
            alive = [k for k in alive if _alive(k)]
            lived = time.perf_counter() - t
            time.sleep(0.01)
        for k in alive:   # still there after 10 s: killed too
            try: k.kill()
            except psutil.NoSuchProcess: pass
        after = sizes(self.root)
        grew = {f: after.get(f, 0) - before.get(f, 0) for f in after if after.get(f) != before.get(f)}
        return dict(outside_group=len(outside), outlived_s=round(lived, 2) if outside else 0.0, outlived_killed=len(alive), held_by_kernel=held,
                    written_after_kill={f: n for f, n in sorted(grew.items())[:8]}, bytes_after_kill=sum(grew.values()))

def kernel_holds(root)->bool:
    "Whether a phase kernel still holds a run folder under `root`, so no new run can start there (`pipeline.kernel_holds`)."
    from cogumi_nb.pipeline import kernel_holds as holds
    return any(holds(d) for d in Path(root).iterdir() if d.is_dir())

def _alive(p):
    try: return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess: return False

def sizes(root):
    out = {}
    for dp, _, fs in os.walk(root):
        for f in fs:
            p = Path(dp)/f
            try: out[str(p.relative_to(root))] = p.stat().st_size
            except FileNotFoundError: pass
    return out

def manifest(run):
    try: return json.loads((run/'manifest.json').read_text())
    except (FileNotFoundError, json.JSONDecodeError): return None

def running_phase(run):
    m = manifest(run) or {}
    return next((p for p, s in m.get('phases', {}).items() if s.get('status') == 'running'), None)

def complete_checkpoints(run):
    ck = run/'train'/'checkpoints'
    return sorted((p.name for p in ck.glob('checkpoint-*') if (p/'trainer_state.json').exists()), key=lambda n: int(n.split('-')[1])) if ck.exists() else []

def run_until(cfg, root, logs, tag, trigger, base_secs, extra=(), poll=0.003):
    """Start a run and SIGKILL it when `trigger` fires: ('file', relpath), ('phase', phase, fraction), ('time', seconds).
    Returns (killed, facts at the kill)."""
    run = root/name_of(cfg); j = Job(cfg, root, logs, tag, extra)
    seen, mtime = {}, None
    while j.p.poll() is None:
        now = j.elapsed()
        if trigger[0] == 'file': fire = (run/trigger[1]).exists()
        elif trigger[0] == 'time': fire = now >= trigger[1]
        else:
            mp = run/'manifest.json'
            try: mt = mp.stat().st_mtime_ns
            except FileNotFoundError: mt = None
            if mt != mtime:
                mtime = mt; ph = running_phase(run)
                if ph and ph not in seen: seen[ph] = now
            _, ph, frac = trigger
            fire = ph in seen and now >= seen[ph] + frac*base_secs[ph]
        if fire:
            at = dict(seconds=round(now, 2), phase=running_phase(run), checkpoints=complete_checkpoints(run),
                      summary=(run/'train'/'training_summary.json').exists())
            at.update(j.kill())
            at.update(checkpoints_after=complete_checkpoints(run), summary_after=(run/'train'/'training_summary.json').exists())
            return True, at
        time.sleep(poll)
    return False, dict(rc=j.p.returncode, seconds=round(j.elapsed(), 2))

def finish(cfg, root, logs, tag, attempts=3):
    "Run the same command again until it completes (at most `attempts` times); the attempts' exit codes, seconds and errors."
    tries = []
    for i in range(attempts):
        j = Job(cfg, root, logs, f'{tag}-rerun{i+1}')
        rc = j.wait()
        tries.append(dict(rc=rc, seconds=round(j.elapsed(), 1), error=error_line(j.stderr()) if rc else None))
        if rc == 0: break
    return tries

def error_line(err):
    "The error a user sees: the lines from `cogumi run:` on (or the last lines), without progress noise."
    lines = [l for l in err.splitlines() if l.strip() and 'IPKernelApp' not in l]
    for i, l in enumerate(lines):
        if l.startswith('cogumi run'): return '\n'.join(lines[i:i+3])
    tb = any(l.startswith('Traceback') for l in lines)
    return ('[a Python traceback] ' if tb else '') + '\n'.join(lines[-3:])

def notebook_text(nb):
    "The text outputs (streams, errors) of an executed notebook."
    if not Path(nb).exists(): return ''
    out = []
    for c in json.loads(Path(nb).read_text()).get('cells', []):
        for o in c.get('outputs', []):
            t = o.get('text') or o.get('traceback') or []
            out.append(''.join(t) if isinstance(t, list) else t)
    return '\n'.join(out)

def name_of(cfg):
    if cfg == 'demo': return 'demo'
    import yaml
    p = Path(cfg) if Path(cfg).exists() else Path(__file__).resolve().parent.parent/'cogumi_nb'/'configs'/f'{cfg}.yaml'
    return yaml.safe_load(p.read_text())['name']

# ---------------------------------------------------------------- what a finished run holds

def sha(p): return hashlib.sha256(Path(p).read_bytes()).hexdigest()[:16] if Path(p).exists() else None

def read_store(p):
    "A JSONL file as {key: record} plus its line counts: keyed by `id` when every record has one."
    lines = Path(p).read_bytes().split(b'\n')
    torn = 1 if lines and lines[-1] else 0   # bytes after the last newline: a half line
    recs, bad = [], 0
    for raw in lines[:-1]:
        try: recs.append(json.loads(raw))
        except ValueError: bad += 1
    keyed = all(isinstance(r, dict) and 'id' in r for r in recs)
    keys = [r['id'] if keyed else hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest() for r in recs]
    return dict(lines=len(recs), bad=bad, torn=torn, keys=keys, recs=dict(zip(keys, recs)))

def stores_valid(run):
    "Torn or invalid lines over every JSONL store of `run` (and the stores that have them)."
    out = {}
    for p in sorted(Path(run).rglob('*.jsonl')):
        s = read_store(p)
        if s['bad'] or s['torn']: out[str(p.relative_to(run))] = dict(bad=s['bad'], torn=s['torn'])
    return out

def snapshot(run):
    run = Path(run)
    summ = json.loads((run/'train'/'training_summary.json').read_text()) if (run/'train'/'training_summary.json').exists() else {}
    return dict(report=json.loads((run/'report.json').read_text()) if (run/'report.json').exists() else None,
                ledger=(run/'ledger.csv').read_text() if (run/'ledger.csv').exists() else None,
                tests=(run/'tests.csv').read_text() if (run/'tests.csv').exists() else None,
                stores={str(p.relative_to(run)): read_store(p) for p in sorted(run.rglob('*.jsonl'))},
                resumed_from=Path(summ['resumed_from']).name if summ.get('resumed_from') else None,
                refused=[r.get('checkpoint') for r in summ.get('refused_checkpoints', [])],
                final_eval_loss=summ.get('final_eval_loss'), adapter=sha(run/'train'/'adapter'/'adapter_model.safetensors'),
                status=(manifest(run) or {}).get('status'))

def compare(base, got):
    "What differs between a finished run and the baseline."
    d = dict(status=got['status'], report_equal=got['report'] == base['report'] and got['report'] is not None,
             ledger_equal=got['ledger'] == base['ledger'], tests_equal=got['tests'] == base['tests'],
             report_diff=sorted(k for k in set(base['report'] or {}) | set(got['report'] or {})
                                if (base['report'] or {}).get(k) != (got['report'] or {}).get(k)),
             stores=len(got['stores']), records=sum(s['lines'] for s in got['stores'].values()),
             lost=0, duplicated=0, extra=0, changed=0, torn_or_bad=0, store_diff={},
             adapter_equal=got['adapter'] == base['adapter'], final_eval_loss=got['final_eval_loss'],
             eval_loss_equal=got['final_eval_loss'] == base['final_eval_loss'])
    for f in sorted(set(base['stores']) | set(got['stores'])):
        b, g = base['stores'].get(f), got['stores'].get(f)
        if g is None: d['lost'] += b['lines']; d['store_diff'][f] = 'missing store'; continue
        if b is None: d['extra'] += g['lines']; d['store_diff'][f] = 'extra store'; continue
        lost, extra = set(b['keys']) - set(g['keys']), set(g['keys']) - set(b['keys'])
        dup = len(g['keys']) - len(set(g['keys']))
        changed = sum(1 for k in set(b['keys']) & set(g['keys']) if b['recs'][k] != g['recs'][k])
        d['lost'] += len(lost); d['extra'] += len(extra); d['duplicated'] += dup; d['changed'] += changed
        d['torn_or_bad'] += g['bad'] + g['torn']
        if lost or extra or dup or changed or g['bad'] or g['torn'] or b['lines'] != g['lines']:
            d['store_diff'][f] = dict(base=b['lines'], got=g['lines'], lost=len(lost), extra=len(extra), duplicated=dup, changed=changed)
    d['same'] = (d['status'] == 'done' and d['report_equal'] and d['ledger_equal'] and d['tests_equal']
                 and not (d['lost'] or d['duplicated'] or d['extra'] or d['changed'] or d['torn_or_bad']))
    return d

def snapshot_package(dest):
    "Copy cogumi_nb/ and nbs/phases/ of this checkout to `dest`, and run every job on that copy: edits made to the checkout meanwhile change nothing measured."
    src = HERE.parent; ign = shutil.ignore_patterns('__pycache__', '*.pyc')
    shutil.copytree(src/'cogumi_nb', dest/'cogumi_nb', ignore=ign); shutil.copytree(src/'nbs'/'phases', dest/'nbs'/'phases', ignore=ign)
    ENV.update(PYTHONPATH=os.pathsep.join([str(dest), *filter(None, [os.environ.get('PYTHONPATH')])]), COGUMI_PHASES=str(dest/'nbs'/'phases'))
    digest = hashlib.sha256(b''.join(p.read_bytes() for p in sorted((dest/'cogumi_nb').rglob('*.py')))).hexdigest()[:12]
    return dict(path=str(dest), sources_sha256=digest)

# ---------------------------------------------------------------- the drills

def kill_points(n, seed, base_secs):
    "The first complete checkpoint; a seeded fraction into each phase; then phases drawn by their share of the run, a fraction into each."
    rng = random.Random(seed)
    pts = [('file', 'train/checkpoints/checkpoint-2/trainer_state.json')] + [('phase', p, round(rng.random(), 3)) for p in PHASES]
    while len(pts) < n: pts.append(('phase', rng.choices(PHASES, weights=[base_secs[p] for p in PHASES])[0], round(rng.random(), 3)))
    return pts[:n]

def drill_kills(a, base, base_secs, work, logs):
    out = []
    for i, trig in enumerate(kill_points(a.kills, a.seed, base_secs)):
        root = work/f'kill{i+1}'; t = time.perf_counter(); tried = []
        for attempt in range(3):   # a run faster than the baseline can finish a phase before the kill point: half the offset, again
            pt = trig if trig[0] == 'file' else ('phase', trig[1], round(trig[2]/2**attempt, 3))
            tag = f'kill{i+1}' + (f'-{attempt}' if attempt else '')
            killed, at = run_until(a.config, root, logs, tag, pt, base_secs)
            tried.append(list(pt))
            if killed or at['rc'] != 0 or trig[0] == 'file': break
            shutil.rmtree(root, ignore_errors=True)
        tries = finish(a.config, root, logs, f'kill{i+1}') if killed else []
        got = snapshot(root/name_of(a.config)); cmp = compare(base, got)
        in_train = killed and at['phase'] == 'train'
        want = at['checkpoints_after'][-1] if in_train and not at['summary_after'] and at['checkpoints_after'] else None   # on disk once the kernel is gone too
        resume = ('n/a' if not in_train else 'training had finished: its summary reused' if at['summary_after']
                  else f"from {got['resumed_from']}" if got['resumed_from'] else 'from scratch (no checkpoint yet)')
        what = (f'SIGKILL once {pt[1]} existed' if pt[0] == 'file'
                else f'SIGKILL {pt[2]:.0%} into the {pt[1]} phase ({pt[2]*base_secs[pt[1]]:.1f} s)')
        r = dict(drill=f'kill {i+1}', what=what, trigger=list(pt), tried=tried, killed=killed, at_kill=at, reruns=tries,
                 completed=bool(tries) and tries[-1]['rc'] == 0, resume=resume,
                 resume_ok=want is None or got['resumed_from'] == want, want_resume=want,
                 error=next((x['error'] for x in tries if x['error']), None) or (None if killed else error_line((logs/f'{tag}.err').read_text())),
                 seconds=round(time.perf_counter()-t, 1), **cmp)
        wrote = at.get('written_after_kill') or {}
        r['problems'] = problems(r, [(killed, f"not killed: the run ended first (rc {at.get('rc')})"), (r['resume_ok'], f'did not resume from {want}'),
                                     (not wrote or at.get('held_by_kernel'), f"the kernel went on writing after the kill, the run folder free: {at['bytes_after_kill']:,} bytes "
                                                 f"({', '.join(sorted({str(Path(f).parent) for f in wrote})[:3])})")])
        out.append(r); show(r)
        if not a.keep: shutil.rmtree(root, ignore_errors=True)
    return out

def mount(dest, size):
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(dest)], check=True)

def drill_disk(a, base, work, logs, tag, folder, size, what, fill=False):
    "A tmpfs of `size` mounted on `folder` of the run before it starts (`fill`: filled up first): the first write that needs more space fails."
    root = work/tag; run = root/name_of(a.config); mp = run/folder
    t = time.perf_counter(); mount(mp, size)
    if fill:
        try:
            with open(mp/'filler', 'wb') as f:
                while True: f.write(b'\0'*4096); f.flush()
        except OSError: pass
    try:
        j = Job(a.config, root, logs, tag); rc = j.wait()
        err = error_line(j.stderr())
        after = dict(rc=rc, seconds=round(j.elapsed(), 1), invalid_lines=stores_valid(run),
                     temporary_files=sorted(str(p.relative_to(run)) for p in run.rglob('*.tmp')),
                     names_file=None, traceback='Traceback' in j.stderr())
        failed_in = [f.name for f in mp.iterdir() if f.name != 'filler']
        (mp/'filler').unlink(missing_ok=True)
        subprocess.run(['mount', '-o', 'remount,size=64m', str(mp)], check=True)   # space again
        tries = finish(a.config, root, logs, tag)
        got = snapshot(run); cmp = compare(base, got)
    finally:
        subprocess.run(['umount', str(mp)], check=False)
    r = dict(drill=tag, what=what, fault_run=after, files_in_full_folder=failed_in, error=err, reruns=tries,
             completed=bool(tries) and tries[-1]['rc'] == 0, seconds=round(time.perf_counter()-t, 1), **cmp)
    fr = r['fault_run']; fr['names_file'] = f'{mp}/' in err
    r['problems'] = problems(r, [(fr['rc'] != 0, 'the full disk went unnoticed'), (fr['names_file'], 'the error names no file'),
                                 (not fr['traceback'], 'a traceback on the terminal'),
                                 (not fr['invalid_lines'], f"half a line left in {', '.join(fr['invalid_lines'])}"),
                                 (not fr['temporary_files'], f"temporary file left: {', '.join(fr['temporary_files'])}")])
    show(r); return r

def drill_manifest(a, base, base_run, work, logs):
    root = work/'manifest'; run = root/name_of(a.config); t = time.perf_counter()
    shutil.copytree(base_run, run)
    (run/'.lock').unlink(missing_ok=True)
    m = run/'manifest.json'; data = m.read_bytes(); m.write_bytes(data[:len(data)//2])
    j = Job(a.config, root, logs, 'manifest'); rc = j.wait(); err = error_line(j.stderr())
    refused = dict(rc=rc, seconds=round(j.elapsed(), 1), names_file='manifest.json' in err, traceback='Traceback' in j.stderr(),
                   manifest_untouched=m.read_bytes() == data[:len(data)//2])
    os.replace(m, run/'manifest.json.torn')   # the remedy: move it aside; every phase re-runs from its records
    tries = finish(a.config, root, logs, 'manifest')
    got = snapshot(run); cmp = compare(base, got)
    r = dict(drill='manifest', what=f'manifest.json cut to {len(data)//2} of {len(data)} bytes after a finished run; '
             'then moved aside and run again', refused=refused, error=err, reruns=tries,
             completed=bool(tries) and tries[-1]['rc'] == 0, seconds=round(time.perf_counter()-t, 1), **cmp)
    rf = r['refused']; rf['says_what_to_do'] = any(w in err.lower() for w in ('move', 'delete', 'remove', 'rename', 'restore'))
    r['problems'] = problems(r, [(rf['rc'] != 0, 'the torn manifest went unnoticed'), (rf['names_file'], 'the error names no file'),
                                 (not rf['traceback'], 'a traceback on the terminal'), (rf['manifest_untouched'], 'the damaged manifest was overwritten'),
                                 (rf['says_what_to_do'], 'the message does not say what to do')])
    show(r); return r

def drill_checkpoint(a, base, base_secs, work, logs):
    root = work/'checkpoint'; run = root/name_of(a.config); t = time.perf_counter()
    trig, at, extra = ('file', 'train/checkpoints/checkpoint-4/trainer_state.json'), None, ()
    for attempt in range(12):   # the window between the second checkpoint and the summary is tens of ms: retried if missed
        killed, at = run_until(a.config, root, logs, f'checkpoint-{attempt}', trig, base_secs, extra=extra, poll=0.001)
        if killed and not at['summary_after'] and len(at['checkpoints_after']) >= 2: break
        shutil.rmtree(run/'train', ignore_errors=True); shutil.rmtree(run/'model', ignore_errors=True)
        extra = ('--from', 'train')
    else:
        r = dict(drill='checkpoint', what='the kill between the second checkpoint and the end of training missed in 12 tries', at_kill=at,
                 completed=False, seconds=round(time.perf_counter()-t, 1), same=False, passed=False,
                 lost='-', duplicated='-', torn_or_bad='-', report_diff=[])
        r['problems'] = ['not drilled: the kill window (tens of ms) was missed in 12 tries']
        show(r); return r
    newest = run/'train'/'checkpoints'/at['checkpoints_after'][-1]
    w = newest/'adapter_model.safetensors'; n = w.stat().st_size
    with open(w, 'r+b') as f: f.truncate(n//2)
    tries = finish(a.config, root, logs, 'checkpoint', attempts=2)
    got = snapshot(run); cmp = compare(base, got)
    nb = run/'notebooks'/'5_train.ipynb'
    refusal = next((l.strip().split('UserWarning: ')[-1] for l in notebook_text(nb).splitlines() if 'refused' in l and 'checkpoint' in l), None)
    r = dict(drill='checkpoint', what=f"killed with {', '.join(at['checkpoints_after'])} written, then {newest.name}/adapter_model.safetensors "
             f'cut from {n} to {n//2} bytes', at_kill=at, kill_attempts=attempt+1, reruns=tries,
             completed=bool(tries) and tries[-1]['rc'] == 0, resume=f"from {got['resumed_from']}" if got['resumed_from'] else 'from scratch',
             resume_ok=got['resumed_from'] == at['checkpoints_after'][-2], want_resume=at['checkpoints_after'][-2], refused_checkpoints=got['refused'],
             error=next((x['error'] for x in tries if x['error']), None) or refusal, seconds=round(time.perf_counter()-t, 1), **cmp)
    r['problems'] = problems(r, [(r['resume_ok'], f"did not resume from {r['want_resume']}"),
                                 (newest.name in r['refused_checkpoints'], f'{newest.name} not refused')])
    show(r); return r

def drill_lock(a, base, work, logs):
    root = work/'lock'; run = root/name_of(a.config); t = time.perf_counter()
    first = Job(a.config, root, logs, 'lock-first')
    while first.p.poll() is None and running_phase(run) is None: time.sleep(0.05)
    second = Job(a.config, root, logs, 'lock-second'); rc2 = second.wait(120); err = error_line(second.stderr())
    during = running_phase(run)
    rc1 = first.wait()
    got = snapshot(run); cmp = compare(base, got)
    r = dict(drill='lock', what=f'a second `cogumi run` started while the first ran its {during} phase',
             second=dict(rc=rc2, seconds=round(second.elapsed(), 1), names_pid=str(first.p.pid) in err, traceback='Traceback' in second.stderr()),
             first=dict(rc=rc1, seconds=round(first.elapsed(), 1)), error=err, reruns=[], completed=rc1 == 0,
             seconds=round(time.perf_counter()-t, 1), **cmp)
    sc = r['second']
    r['problems'] = problems(r, [(sc['rc'] != 0, 'the second run was not refused'), (sc['names_pid'], "the message does not name the holder's pid"),
                                 (not sc['traceback'], 'a traceback on the terminal')])
    show(r); return r

def problems(r, checks):
    "What went wrong in a drill: the failed checks, then whether the run completed with the uninterrupted run's report and records."
    out = [why for ok, why in checks if not ok]
    if not r['completed']: out.append('never completed')
    elif not r['same']: out.append('differs from the uninterrupted run: ' + ', '.join(r['report_diff'] or list(r['store_diff'])[:3] or ['status ' + str(r['status'])]))
    r['passed'] = not out
    return out

# ---------------------------------------------------------------- output

def show(r):
    print(f"{r['drill']}: {r['what']} -> {'passed' if r['passed'] else 'FAILED: ' + '; '.join(r['problems'])}; same report: {r['same']}; lost {r['lost']}, duplicated {r['duplicated']}, "
          f"torn/bad {r['torn_or_bad']}; {r['seconds']} s" + (f"; resumed {r['resume']}" if r.get('resume') else ''), flush=True)
    if r.get('error'): print('   error: ' + r['error'].replace('\n', '\n          '), flush=True)

def cell(s): return str(s).replace('|', '\\|').replace('\n', ' ')

def table(rows):
    out = ['| drill | what was done | final report = uninterrupted | records lost / duplicated / torn | error seen | train resumed | defects | seconds |',
           '|---|---|---|---|---|---|---|---|']
    for r in rows:
        same = 'yes' if r['same'] else 'NO' + (f" ({', '.join(r['report_diff']) or 'stores differ'})" if r['completed'] else ' (did not complete)')
        res = r.get('resume', 'n/a')
        if r.get('want_resume') and not r.get('resume_ok'): res += f" (expected {r['want_resume']})"
        err = r.get('error') or ('-' if r['drill'].startswith('kill') else 'none')
        extra = ''
        if r['drill'].startswith('kill') and r.get('at_kill', {}).get('outside_group'):
            k = r['at_kill']; extra = f"; the kernel outlived the kill by {k['outlived_s']} s" + (f", writing {sum(k['written_after_kill'].values())} bytes" if k['written_after_kill'] else '')
        k = r.get('at_kill') or {}
        what = r['what'] + (f" (at {k['seconds']} s, in {k['phase']}{', checkpoints ' + '/'.join(k['checkpoints']) if k.get('checkpoints') else ''})" if 'phase' in k else '')
        out.append(f"| {r['drill']} | {cell(what + extra)} | {cell(same)} | {r['lost']} / {r['duplicated']} / {r['torn_or_bad']} | "
                   f"{cell(err[:300])} | {cell(res)} | {cell('; '.join(r['problems']) or 'none')} | {r['seconds']} |")
    return '\n'.join(out)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--config', default='demo')
    ap.add_argument('--kills', type=int, default=10, help='SIGKILL points: the first checkpoint, then a random point in each phase, then in phases drawn by their share of the run')
    ap.add_argument('--seed', type=int, default=0, help='seed of the kill points')
    ap.add_argument('--drills', nargs='+', default=['kill', 'disk', 'manifest', 'checkpoint', 'lock'],
                    choices=['kill', 'disk', 'manifest', 'checkpoint', 'lock'])
    ap.add_argument('--root', default=None, help='work folder (default: a fresh temporary folder, removed at the end)')
    ap.add_argument('--keep', action='store_true', help='keep the run folders')
    ap.add_argument('--out', default=str(HERE/'results'/'drills.json'))
    ap.add_argument('--no-snapshot', dest='snapshot', action='store_false',
                    help='run the installed package as it is, rather than a copy of this checkout taken at the start')
    a = ap.parse_args(argv)
    work = Path(a.root or tempfile.mkdtemp(prefix='cogumi-drills-')); logs = work/'logs'
    snap = snapshot_package(work/'package') if a.snapshot else None
    t0 = time.perf_counter()
    print('baseline: an uninterrupted run...', flush=True)
    bj = Job(a.config, work/'base', logs, 'base'); rc = bj.wait(); bj.elapsed_at_end = bj.elapsed()
    if rc: raise SystemExit(f'the uninterrupted run failed (rc {rc}): {error_line(bj.stderr())}')
    base_run = work/'base'/name_of(a.config); base = snapshot(base_run)
    bm = manifest(base_run); base_secs = {p: s['seconds'] for p, s in bm['phases'].items()}
    print(f"baseline: {bj.elapsed_at_end:.1f} s; phases {base_secs}; {sum(s['lines'] for s in base['stores'].values())} records in {len(base['stores'])} stores", flush=True)
    rows = []
    def save(final=False):   # after every drill, so that an interrupted benchmark keeps what it measured
        res = dict(date=str(date.today()), machine=f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs',
                   command='python benchmarks/drills.py ' + ' '.join(argv if argv is not None else sys.argv[1:]),
                   config=a.config, seed=a.seed, kills=a.kills, package=snap, finished=final,
                   baseline=dict(seconds=round(bj.elapsed_at_end, 1), phases=base_secs, records=sum(s['lines'] for s in base['stores'].values()),
                                 stores=len(base['stores'])),
                   total_minutes=round((time.perf_counter() - t0)/60, 1), drills=rows, table=table(rows))
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=2, default=str))
    drills = []
    if 'kill' in a.drills: drills.append(lambda: drill_kills(a, base, base_secs, work, logs))
    if 'disk' in a.drills:
        if os.geteuid() != 0: print('disk drills skipped: mounting a tmpfs needs root')
        else:
            drills.append(lambda: [drill_disk(a, base, work, logs, 'disk', 'pool/humaneval', '8k',
                                   'disk full during a store append: 8 KiB tmpfs on pool/humaneval (results.jsonl crosses 4096 bytes mid-record)')])
            drills.append(lambda: [drill_disk(a, base, work, logs, 'disk-summary', 'eval_before/humaneval', '8k',
                                   'disk full during a summary write: 8 KiB tmpfs on eval_before/humaneval (its two stores fill it; metrics.json has no room)')])
            drills.append(lambda: [drill_disk(a, base, work, logs, 'disk-run', '.', '64k',
                                   'disk already full at the start: a 64 KiB tmpfs on the run folder, filled up before the run', fill=True)])
    if 'manifest' in a.drills: drills.append(lambda: [drill_manifest(a, base, base_run, work, logs)])
    if 'checkpoint' in a.drills: drills.append(lambda: [drill_checkpoint(a, base, base_secs, work, logs)])
    if 'lock' in a.drills: drills.append(lambda: [drill_lock(a, base, work, logs)])
    for d in drills: rows.extend(d()); save()
    save(final=True)
    print(); print(table(rows)); print(f'\n{len(rows)} drills in {(time.perf_counter() - t0)/60:.1f} min')
    print(f'figures: {a.out}')
    if not a.keep and not a.root: shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r['passed'] for r in rows) else 1

if __name__ == '__main__': sys.exit(main())
