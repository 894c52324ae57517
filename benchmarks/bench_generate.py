"""Generation throughput on CPU: our engine vs `model.generate`, on the embedded SmolLM2-135M.

Usage: python benchmarks/bench_generate.py [--prompts 64] [--naive 8] [--samples 10] [--repeat 1] [--out FILE]
Prints a table and writes JSON with every figure. The naive loop runs half its prompts before the
engine's greedy run and half after, so a drift in machine speed weighs on both; with --repeat K, K such
brackets run and the one with the median speed-up is reported (all K are in the JSON). Generated tokens are
counted up to and including the end-of-sequence token, for every path alike; prompt processing is
inside the timings.
"""
import argparse, json, platform, resource, time, os
import torch
from cogumi_nb.core import data_dir, write_json
from cogumi_nb.data import load_gsm8k
from cogumi_nb.models import load_model, chat_prompt
from cogumi_nb.generate import generate, GenSettings

def hf_generate(lm, texts, batch_size, max_new_tokens):
    "Plain `model.generate`, greedy, prompts grouped by length, left padding."
    tok, eos = lm.tokenizer, lm.tokenizer.eos_token_id
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    n = 0
    for b in range(0, len(order), batch_size):
        enc = tok([texts[i] for i in order[b:b+batch_size]], return_tensors='pt', padding=True, add_special_tokens=False)
        with torch.inference_mode():
            out = lm.model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
        for row in out[:, enc.input_ids.shape[1]:].tolist():
            n += row.index(eos)+1 if eos in row else len(row)
    return n

def timed(f, *a, **k):
    t = time.perf_counter(); r = f(*a, **k); return r, time.perf_counter()-t

def show(name, d): print(f'{name}: {json.dumps(d)}', flush=True)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prompts', type=int, default=64)
    ap.add_argument('--naive', type=int, default=8, help='prompts for the one-generate-per-prompt loop')
    ap.add_argument('--samples', type=int, default=10)
    ap.add_argument('--max-new-tokens', type=int, default=256)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--hf-batch', type=int, default=32)
    ap.add_argument('--repeat', type=int, default=1, help='bracketed naive/greedy pairs; the median pair is reported')
    ap.add_argument('--out', default='benchmarks/results/generate.json')
    a = ap.parse_args()
    if data_dir() is None: raise SystemExit('needs GSM8K test data: set COGUMI_DATA')
    torch.set_num_threads(os.cpu_count())
    load_model()  # make sure the dequantized cache exists, so the next load measures re-use
    lm = load_model()
    exs = load_gsm8k('test', limit=a.prompts)
    texts = [chat_prompt(lm.tokenizer, e.prompt) for e in exs]
    res = dict(date=time.strftime('%Y-%m-%d'), machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
               torch=torch.__version__, model=lm.name, prompts=a.prompts, max_new_tokens=a.max_new_tokens,
               load_seconds_cached=round(lm.load_seconds, 2))
    # warm-up
    generate(lm, exs[:2], max_new_tokens=8, progress=False)
    # the naive loop brackets each engine greedy run (half its prompts before, half after), so a drift
    # in this machine's speed weighs on both alike; --repeat K runs K such brackets
    h, pairs = a.naive//2, []
    for k in range(a.repeat):
        n1, dt1 = timed(hf_generate, lm, texts[:h], 1, a.max_new_tokens)
        cs, dt = timed(generate, lm, exs, GenSettings(max_new_tokens=a.max_new_tokens, batch_size=a.batch_size), progress=False)
        n = sum(c.completion_tokens for c in cs)
        greedy = dict(batch=a.batch_size, tokens=n, seconds=round(dt, 1), tok_s=round(n/dt, 1),
                      truncated=sum(c.finish_reason == 'length' for c in cs)); show('engine_greedy', greedy)
        n2, dt2 = timed(hf_generate, lm, texts[h:a.naive], 1, a.max_new_tokens)
        naive = dict(prompts=a.naive, tokens=n1+n2, seconds=round(dt1+dt2, 1), tok_s=round((n1+n2)/(dt1+dt2), 1),
                     halves_tok_s=[round(n1/dt1, 1), round(n2/dt2, 1)]); show('naive_loop', naive)
        pairs.append(dict(naive=naive, engine_greedy=greedy, speedup=round(greedy['tok_s']/naive['tok_s'], 2)))
    mid = sorted(range(len(pairs)), key=lambda i: pairs[i]['speedup'])[len(pairs)//2]  # the median bracket
    res['naive_loop'], res['engine_greedy'] = pairs[mid]['naive'], pairs[mid]['engine_greedy']
    if len(pairs) > 1: res['greedy_brackets'] = pairs
    n, dt = timed(hf_generate, lm, texts, a.hf_batch, a.max_new_tokens)
    res['hf_generate_batched'] = dict(batch=a.hf_batch, tokens=n, seconds=round(dt, 1), tok_s=round(n/dt, 1)); show('hf_generate_batched', res['hf_generate_batched'])
    cs, dt = timed(generate, lm, exs, GenSettings(max_new_tokens=a.max_new_tokens, batch_size=a.batch_size,
                                                  n=a.samples, temperature=0.7, top_p=0.95), progress=False)
    n = sum(c.completion_tokens for c in cs)
    res['engine_sampling'] = dict(batch=a.batch_size, sequences=len(cs), tokens=n, seconds=round(dt, 1), tok_s=round(n/dt, 1),
                                  truncated=sum(c.finish_reason == 'length' for c in cs)); show('engine_sampling', res['engine_sampling'])
    # ceiling: 2 x parameters FLOPs per generated token (embedding lookup excluded, tied lm_head included)
    params = sum(p.numel() for p in lm.model.parameters())
    flop_tok = 2*params
    x = torch.randn(128, 576); w = torch.randn(1536, 576)
    for _ in range(5): x @ w.T
    t = time.perf_counter()
    for _ in range(200): x @ w.T
    gflops = 2*128*576*1536*200/(time.perf_counter()-t)/1e9
    res['ceiling'] = dict(matmul_gflops=round(gflops, 1), gflop_per_token=round(flop_tok/1e9, 3),
                          tok_s=round(gflops/(flop_tok/1e9), 1))
    for k in ('engine_greedy', 'engine_sampling'):
        res[k]['speedup_vs_naive'] = round(res[k]['tok_s']/res['naive_loop']['tok_s'], 1)
        res[k]['speedup_vs_hf_batched'] = round(res[k]['tok_s']/res['hf_generate_batched']['tok_s'], 2)
        res[k]['fraction_of_ceiling'] = round(res[k]['tok_s']/res['ceiling']['tok_s'], 2)
    res['peak_rss_gib'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20, 2)
    write_json(a.out, res)
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
