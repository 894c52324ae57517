"""One GPU check of cogumi_nb, end to end, on a random-init Llama-3.1-8B-shaped model (throughput does not depend on
weight values): generation with our engine against the best `model.generate` batch, in the same run and after a
full-size warm-up, as tokens/s and as a share of the memory-bound ceiling (weights + KV cache read once a step at
the card's bandwidth, measured here with a big copy); sampling N=10 for 256 prompts; 30 LoRA steps through
`cogumi_nb.train.train_lora` with Unsloth and 30 with plain transformers + peft (tokens/s, peak memory, loss curves
compared within `LOSS_RTOL`); a bf16 merge with its logits check (`merge_adapter`) in a fresh process; and the dry
run's memory estimate (`cogumi_nb.estimate.dry_run`) against the measured peaks.

Each section runs in its own process (so Unsloth, which patches transformers when imported, never touches the
generation or the plain-transformers run, and the merge starts fresh) under its own time budget (`BUDGETS`, the whole
under 10 minutes on one H100/H200, cold start included); a section that fails or runs out of time records its traceback and what it had
measured, and the others still run. Everything goes to one JSON, `$OUT/gpu_check.json` (`$OUT` unset:
benchmarks/results/gpu_check.json), and a log beside it (`gpu_check.log`).

On the GPU machine, from the project root, with the bundle built beside the working tree (see shared/gpu/README.md:
`bash ../shared/gpu/make-bundle.sh .gpu/site.tgz`, `.gpu/` git-ignored and carried along):

    mkdir -p /tmp/site && tar xzf .gpu/site.tgz -C /tmp/site && \\
    export PYTHONPATH=/tmp/site:$PWD HF_HUB_OFFLINE=1 && python3 benchmarks/gpu_check.py

(`python3 -m pip install --no-deps -e .` instead of `:$PWD` works too). The model and the tokenizer (trained on the
spot) are built under /tmp/gpu_check; `--work DIR` moves them, `--keep` keeps them.

Check the script itself on any CPU in a minute or two, every section with the tiny model, a few prompts, 2 steps:

    python benchmarks/gpu_check.py --smoke
"""
import argparse, inspect, json, os, platform, shutil, subprocess, sys, tempfile, threading, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))  # cogumi_nb from this working tree
# seconds each section may take on a fresh box: cold imports and CUDA start-up (~15 s a process), the 16 GB random model
# built and saved (build), loaded from disk (generate, train_*, merge), Unsloth's first import and compile (train_unsloth),
# the merge's load + float32 merge + save + reload for its logits check (merge)
BUDGETS = {'build': 90, 'generate': 150, 'train_hf': 80, 'train_unsloth': 120, 'merge': 90, 'dry_run': 20}
TOTAL = 550          # the whole run stops starting sections past this: under 10 minutes with the parent's own start
LOSS_RTOL = 0.03     # Unsloth's and transformers+peft's logged losses agree within 3% at every step
TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']

GPU = dict(prompts=1024, prompt_tokens=128, new_tokens=128, hf_batches=(256,), engine_batch=1024,
           sample_prompts=256, samples=10, train_steps=30, train_rows=256, train_batch=8, train_len=1024, rank=16,
           copy_mib=4096)
SMOKE = dict(prompts=16, prompt_tokens=24, new_tokens=12, hf_batches=(4, 8), engine_batch=8,
             sample_prompts=4, samples=10, train_steps=2, train_rows=24, train_batch=2, train_len=160, rank=4,
             copy_mib=64)
SMOKE_BUDGET, SMOKE_TOTAL = 150, 600

def llama8b_config():
    "Llama-3.1-8B's shape: 32 layers, hidden 4096, 8 KV heads, vocab 128256."
    from transformers import LlamaConfig
    return LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                       num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=8192, rope_theta=500000.0,
                       rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=3)

def mini_config():
    "A small Llama for --smoke's build section (the same code path, seconds on a CPU)."
    from transformers import LlamaConfig
    return LlamaConfig(vocab_size=1024, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=2, max_position_embeddings=512, bos_token_id=1, eos_token_id=2, pad_token_id=3)

# ---------------------------------------------------------------- text: prompts, training rows, tokenizer corpus
NAMES = ['Natalia', 'Weng', 'Betty', 'Julie', 'James', 'Albert', 'Ken', 'Alexis', 'Tina', 'Randy', 'Joy', 'Mark']
THINGS = ['clips', 'apples', 'books', 'marbles', 'stamps', 'cookies', 'pencils', 'tickets', 'shells', 'coins']

def sentence(i:int)->str:
    "One GSM8K-like sentence, varied by `i`."
    n, t, a, b = NAMES[i % len(NAMES)], THINGS[(i // 3) % len(THINGS)], 3 + i % 47, 2 + (i * 7) % 31
    return f'{n} had {a} {t} and bought {b} more on day {i % 30 + 1}, then gave away {a // 2}; how many {t} are left?'

def corpus(n:int=4000)->list:
    return [f'{sentence(i)} Answer: {3 + i % 47} + {2 + (i * 7) % 31} - {(3 + i % 47) // 2} = {3 + i % 47 + 2 + (i * 7) % 31 - (3 + i % 47) // 2}. #### {i}'
            for i in range(n)]

def prompt_text(tok, i:int, n_tokens:int)->str:
    "A prompt of exactly `n_tokens` tokens: sentences from `i` on, cut to length."
    ids, j = [], i
    while len(ids) < n_tokens: ids += tok(sentence(j) + ' ', add_special_tokens=False).input_ids; j += 1
    return tok.decode(ids[:n_tokens])

def train_rows(tok, n:int, length:int)->list:
    "`n` training rows of `length` tokens or a little less, chat template included (a short question, a long worked answer)."
    frame = tok(tok.apply_chat_template([{'role': 'user', 'content': ''}, {'role': 'assistant', 'content': ''}], tokenize=False),
                add_special_tokens=False).input_ids if getattr(tok, 'chat_template', None) else []
    room = length - len(frame) - 8  # a few tokens spare: decoded text re-encodes to about as many tokens
    rows = []
    for i in range(n):
        q = tok(sentence(i), add_special_tokens=False).input_ids[:max(room // 8, 4)]
        body, j = [], i
        while len(body) < room - len(q): body += tok(sentence(j) + f' So {j % 47} + {j % 31} = {j % 47 + j % 31}. ', add_special_tokens=False).input_ids; j += 1
        rows.append(dict(id=f'gpu_check/{i}', prompt=tok.decode(q), completion=tok.decode(body[:room - len(q)]), source='ground_truth'))
    return rows

# ---------------------------------------------------------------- small helpers
def versions()->dict:
    import importlib.metadata as md
    out = {}
    for p in ('torch', 'transformers', 'peft', 'trl', 'accelerate', 'datasets', 'unsloth', 'unsloth_zoo', 'bitsandbytes', 'vllm', 'tokenizers'):
        try: out[p] = md.version(p)
        except md.PackageNotFoundError: out[p] = None
    return out

def sync():
    import torch
    if torch.cuda.is_available(): torch.cuda.synchronize()

def peak_gib(reset:bool=False):
    import torch
    if not torch.cuda.is_available(): return None
    v = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    if reset: torch.cuda.reset_peak_memory_stats()
    return v

def timed(f, *a, **k):
    sync(); t = time.perf_counter(); r = f(*a, **k); sync(); return r, time.perf_counter() - t

class Section:
    "What a section measured so far, written to its result file after each step (a timeout keeps the steps done)."
    def __init__(self, path:Path): self.path, self.data = path, {}
    def save(self): self.path.write_text(json.dumps(self.data, indent=1, default=str))
    def put(self, **kw): self.data.update(kw); self.save()
    def step(self, name:str, f, *a, **k):
        "Run one step; its result (a dict) or its traceback goes under `name`."
        t = time.perf_counter()
        try: r = f(*a, **k); self.data[name] = {**(r if isinstance(r, dict) else {'value': r}), 'seconds': round(time.perf_counter() - t, 2)}
        except Exception: self.data[name] = {'error': traceback.format_exc(), 'seconds': round(time.perf_counter() - t, 2)}; r = None
        print(f'[{name}] ' + json.dumps({k: v for k, v in self.data[name].items() if k not in ('error', 'log_history', 'losses')}, default=str)[:600], flush=True)
        if 'error' in self.data[name]: print(self.data[name]['error'], flush=True)
        self.save()
        return r

# ---------------------------------------------------------------- section: build the model and tokenizer
def sec_build(a, S:Section):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers, decoders
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast
    dest = Path(a.work)/('mini' if a.smoke else 'l8b')
    def tokenizer():
        tok = Tokenizer(models.BPE(unk_token='<unk>'))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False); tok.decoder = decoders.ByteLevel()
        tok.train_from_iterator(corpus(), trainers.BpeTrainer(vocab_size=1000 if a.smoke else 8000,
                                                              special_tokens=['<unk>', '<s>', '</s>', '<pad>']))
        ft = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token='<unk>', bos_token='<s>', eos_token='</s>', pad_token='<pad>')
        ft.chat_template = ("{% for m in messages %}<s>{{ m['role'] }}\n{{ m['content'] }}</s>\n"
                            "{% endfor %}{% if add_generation_prompt %}<s>assistant\n{% endif %}")
        return ft
    ft = S.step('tokenizer', lambda: tokenizer())
    def model():
        cuda = torch.cuda.is_available()
        torch.manual_seed(0)
        with torch.device('cuda' if cuda else 'cpu'):
            torch.set_default_dtype(torch.bfloat16 if cuda else torch.float32)
            m = LlamaForCausalLM(mini_config() if a.smoke else llama8b_config())
        torch.set_default_dtype(torch.float32)
        t = time.perf_counter()
        m.save_pretrained(dest, max_shard_size='5GB'); ft.save_pretrained(dest)
        return dict(folder=str(dest), params_b=round(sum(p.numel() for p in m.parameters()) / 1e9, 3),
                    dtype=str(m.dtype), save_s=round(time.perf_counter() - t, 1),
                    disk_gib=round(sum(f.stat().st_size for f in dest.iterdir()) / 2**30, 2))
    S.step('model', model)
    def reload():  # loads through our code, as a checkpoint folder would
        from cogumi_nb.models import load_model
        lm = load_model(str(dest))
        return dict(name=lm.name, device=str(lm.device), dtype=str(lm.dtype), load_s=round(lm.load_seconds, 1))
    if a.smoke: S.step('load_model', reload)  # on the GPU the generate section loads it anyway

# ---------------------------------------------------------------- section: generation
def bandwidth(mib:int)->dict:
    "Device memory bandwidth from a big copy (read + write), the best of 5."
    import torch
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    x = torch.empty(mib * 2**19, dtype=torch.bfloat16, device=dev); y = torch.empty_like(x)
    y.copy_(x); sync()
    best = min(timed(y.copy_, x)[1] for _ in range(5))
    del x, y
    if dev == 'cuda': torch.cuda.empty_cache()
    return dict(device=dev, copy_mib=mib, gb_s=round(2 * mib * 2**20 / best / 1e9, 1))

def ceiling(model, batch:int, prompt:int, new:int, gb_s:float)->dict:
    "Memory-bound tokens/s: each decoding step reads the weights and the batch's KV cache once (at the mean context)."
    c = model.config
    wbytes = sum(p.numel() * p.element_size() for p in model.parameters())
    kv_tok = 2 * c.num_hidden_layers * c.num_key_value_heads * (c.hidden_size // c.num_attention_heads) * next(model.parameters()).element_size()
    step = wbytes + batch * (prompt + new / 2) * kv_tok
    return dict(batch=batch, weight_gb=round(wbytes / 1e9, 2), kv_bytes_per_token=kv_tok, tokens_per_s=round(batch * gb_s * 1e9 / step))

def hf_generate(lm, ids:list, batch:int, new:int)->int:
    "Plain `model.generate`, greedy, `batch` prompts at a time (left-padded); generated tokens up to and including EOS."
    import torch
    eos, pad, n = lm.tokenizer.eos_token_id, lm.tokenizer.pad_token_id, 0
    for b in range(0, len(ids), batch):
        rows = ids[b:b + batch]; w = max(map(len, rows))
        x = torch.tensor([[pad] * (w - len(r)) + r for r in rows], device=lm.model.device)
        m = torch.tensor([[0] * (w - len(r)) + [1] * len(r) for r in rows], device=lm.model.device)
        with torch.inference_mode():
            out = lm.model.generate(input_ids=x, attention_mask=m, max_new_tokens=new, do_sample=False, pad_token_id=pad)
        for row in out[:, w:].tolist(): n += row.index(eos) + 1 if eos in row else len(row)
    return n

def sec_generate(a, S:Section):
    import torch
    P = SMOKE if a.smoke else GPU
    bw = S.step('bandwidth', bandwidth, P['copy_mib'])
    gb_s = (bw or {}).get('gb_s') or (3350.0 if torch.cuda.is_available() else 20.0)
    held = {}
    def load():
        from cogumi_nb.backends import load_generator
        lm, how = load_generator(a.base, backend='engine'), "load_generator(folder, backend='engine')"
        held['lm'] = lm
        card = None
        if torch.cuda.is_available():
            pr = torch.cuda.get_device_properties(0); card = dict(name=pr.name, memory_gib=round(pr.total_memory / 2**30, 1))
        return dict(how=how, name=lm.name, device=str(lm.device), dtype=str(lm.dtype), load_s=round(lm.load_seconds, 1),
                    backend=getattr(lm, 'backend', None), card=card, peak_gib=peak_gib(reset=True))
    S.step('load', load)
    if 'lm' not in held: raise RuntimeError('the model did not load: nothing to generate with')
    lm = held['lm']
    from cogumi_nb.generate import generate, GenSettings
    tok, n, L, N = lm.tokenizer, P['prompts'], P['prompt_tokens'], P['new_tokens']
    texts = [prompt_text(tok, i, L) for i in range(n)]
    items = [dict(id=f'p{i}', prompt=t) for i, t in enumerate(texts)]
    enc = [tok(t, add_special_tokens=False).input_ids for t in texts]
    lens = sorted({len(e) for e in enc})
    S.put(workload=dict(prompts=n, prompt_tokens=L, prompt_token_lengths=[lens[0], lens[-1]], new_tokens=N, greedy=True))
    ids = enc  # model.generate gets the very tokens the engine encodes
    EB = min(P['engine_batch'], n)
    def engine(batch:int, k:int):
        cs, dt = timed(generate, lm, items[:k], GenSettings(max_new_tokens=N, batch_size=batch, chat=False), progress=False)
        toks = sum(c.completion_tokens for c in cs)
        return dict(batch=batch, prompts=k, tokens=toks, s=round(dt, 2), tokens_per_s=round(toks / dt), peak_gib=peak_gib(reset=True),
                    stopped_early=sum(c.finish_reason == 'stop' for c in cs))
    S.step('engine_warmup', engine, EB, EB)  # a full-size wave: allocations and kernels as in the timed run
    eng = S.step('engine', engine, EB, n)
    def hf(batch:int, k:int):
        toks, dt = timed(hf_generate, lm, ids[:k], batch, N)
        return dict(batch=batch, prompts=k, tokens=toks, s=round(dt, 2), tokens_per_s=round(toks / dt), peak_gib=peak_gib(reset=True))
    best, bs = None, sorted({min(b, n) for b in P['hf_batches']})
    S.step(f'hf_warmup_b{bs[-1]}', hf, bs[-1], bs[-1])  # the largest batch: its allocations cover the smaller ones
    for b in bs if len(bs) > 1 else ():  # one batch size: nothing to choose between
        r = S.step(f'hf_probe_b{b}', hf, b, b)
        if r and (best is None or r['tokens_per_s'] > best[1]): best = (b, r['tokens_per_s'])
    best = best or (bs[-1], None)
    hfr = S.step('hf_best', hf, best[0], n)
    def ceilings():
        out = {}
        for k, r in (('engine', eng), ('hf_best', hfr)):
            if r:
                c = ceiling(lm.model, min(r['batch'], n), L, N, gb_s)
                out[k] = dict(ceiling_tokens_per_s=c['tokens_per_s'], fraction=round(r['tokens_per_s'] / c['tokens_per_s'], 3), **c)
        if eng and hfr: out['engine_over_hf_best'] = round(eng['tokens_per_s'] / hfr['tokens_per_s'], 2)
        out['bandwidth_gb_s'] = gb_s
        return out
    S.step('ceiling', ceilings)
    def sampling():
        k, m = min(P['sample_prompts'], n), P['samples']
        cs, dt = timed(generate, lm, items[:k], GenSettings(max_new_tokens=N, batch_size=EB, chat=False, n=m, temperature=0.7,
                                                             top_p=0.95, seed=0), progress=False)
        toks = sum(c.completion_tokens for c in cs)
        distinct = sum(len({c.text for c in cs if c.example_id == it['id']}) for it in items[:k]) / (k * m)
        c = ceiling(lm.model, min(EB, k * m), L, N, gb_s)
        return dict(prompts=k, n=m, sequences=len(cs), tokens=toks, s=round(dt, 2), tokens_per_s=round(toks / dt),
                    distinct_fraction=round(distinct, 3), ceiling_tokens_per_s=c['tokens_per_s'],
                    fraction=round(toks / dt / c['tokens_per_s'], 3), peak_gib=peak_gib(reset=True))
    S.step('sampling', sampling)

# ---------------------------------------------------------------- sections: training
def backend_switch(want:str)->tuple:
    "TrainConfig keywords that force `want` ('unsloth' or 'transformers'), and how; falls back to hiding Unsloth."
    from cogumi_nb import train as T
    fields = T.TrainConfig.__dataclass_fields__
    for name in ('backend', 'trainer', 'train_backend', 'engine'):
        if name in fields:
            f = fields[name]
            default = f.default
            return {name: want if want == 'unsloth' else 'transformers'}, f'TrainConfig.{name} (default {default!r})'
    if 'use_unsloth' in fields: return {'use_unsloth': want == 'unsloth'}, 'TrainConfig.use_unsloth'
    if want != 'unsloth':
        T.has_unsloth = lambda: False  # no switch in TrainConfig: hide Unsloth from the backend choice
        return {}, 'no backend field in TrainConfig: cogumi_nb.train.has_unsloth patched to False'
    return {}, 'no backend field in TrainConfig: the default choice (Unsloth when CUDA and Unsloth are there)'

def sec_train(a, S:Section, want:str):
    import torch
    P = SMOKE if a.smoke else GPU
    cuda = torch.cuda.is_available()
    import importlib.util
    isolates = False
    if want == 'unsloth' and cuda:
        # does train_lora run Unsloth in a child process of its own? (read, not imported: importing it imports transformers)
        isolates = 'isolate:' in Path(importlib.util.find_spec('cogumi_nb.train').origin).read_text()
        if not isolates:
            try:
                t = time.perf_counter(); import unsloth  # noqa: F401  (before transformers, as Unsloth asks)
                S.put(unsloth_import_s=round(time.perf_counter() - t, 1), unsloth=unsloth.__version__)
            except Exception: S.put(unsloth_import=traceback.format_exc())
    from cogumi_nb.train import TrainConfig, train_lora
    if want == 'unsloth' and not cuda:  # Unsloth needs CUDA: the section's code path runs on the default backend
        kw, how = {}, 'no CUDA here: the default backend (TrainConfig.backend auto)'
    else: kw, how = backend_switch(want)
    S.put(unsloth_installed=importlib.util.find_spec('unsloth') is not None, train_lora_isolates_unsloth=isolates)
    S.put(backend_requested=want, backend_switch=how)
    cfg = TrainConfig(r=P['rank'], alpha=P['rank'], lr=1e-4, batch_size=P['train_batch'], grad_accum=1, max_steps=P['train_steps'],
                      max_length=P['train_len'], eval_steps=P['train_steps'], logging_steps=1, val_fraction=0.05, seed=0,
                      target_modules=TARGETS, **kw)
    from transformers import AutoTokenizer
    rows = train_rows(AutoTokenizer.from_pretrained(a.base), P['train_rows'], P['train_len'])
    out = Path(a.work)/f'train_{want}'
    shutil.rmtree(out, ignore_errors=True)
    if cuda: torch.cuda.reset_peak_memory_stats()
    def run():
        s = train_lora(a.base, rows, out, cfg, resume=False, progress=False)
        losses = [(h['step'], h['loss']) for h in s.get('log_history', []) if 'loss' in h]
        (Path(a.work)/f'train_{want}.json').write_text(json.dumps(dict(summary=s, losses=losses), default=str))
        return dict(backend=s.get('backend'), attn=s.get('attn'), device=s.get('device'), tokens_per_s=s.get('tokens_per_s'),
                    train_seconds=s.get('train_seconds'), tokens_seen=s.get('tokens_seen'), last_step=s.get('last_step'),
                    peak_memory_mb=s.get('peak_memory_mb'), memory=s.get('memory'), peak_gib_process=peak_gib(),
                    stop_reason=s.get('stop_reason'), warnings=s.get('warnings'), final_eval_loss=s.get('final_eval_loss'),
                    adapter=s.get('adapter'), losses=losses)
    r = S.step('train', run)
    S.put(unsloth_imported='unsloth' in sys.modules)  # Unsloth patches transformers once imported: the plain run must not have it
    if want == 'hf' and 'unsloth' in sys.modules:
        S.put(unsloth_check={'error': 'Unsloth was imported in the transformers+peft run: its patches make it no plain baseline'})
    if r and cuda and (r['backend'] == 'unsloth') != (want == 'unsloth'):
        S.put(backend_check={'error': f"asked for {want}, train_lora ran {r['backend']} ({how})"})
    elif r and not cuda and want == 'unsloth':
        S.put(backend_check={'note': f"no CUDA: Unsloth cannot run here, train_lora ran {r['backend']} (the section's code path is what is checked)"})

# ---------------------------------------------------------------- section: merge (a fresh process)
def sec_merge(a, S:Section):
    import torch
    from cogumi_nb.merge import merge_adapter
    src = next((Path(a.work)/f'train_{b}'/'adapter' for b in ('unsloth', 'hf') if (Path(a.work)/f'train_{b}'/'adapter'/'adapter_config.json').exists()), None)
    if src is None: raise RuntimeError('no adapter to merge: both training sections failed')
    sig = inspect.signature(merge_adapter).parameters
    kw, cuda = {}, torch.cuda.is_available()
    if cuda:
        for k in ('dtype', 'torch_dtype'):
            if k in sig: kw[k] = torch.bfloat16; break
        if 'device' in sig: kw['device'] = 'cuda'
        if not kw: S.put(note='merge_adapter takes no dtype: it merges in its own dtype')
        if 'atol' in sig and sig['atol'].default is not None and sig['atol'].default < 0.05 and kw:
            kw['atol'] = 0.125  # bf16 logits of an 8B model: a merge moves them by up to ~0.06 (shared/gpu/smoke.py)
    S.put(adapter=str(src), merge_kwargs={k: str(v) for k, v in kw.items()})
    dest = Path(a.work)/'merged'
    def run():
        if cuda: torch.cuda.reset_peak_memory_stats()
        check = merge_adapter(a.base, src, dest, **kw)
        return dict(check, peak_gib=peak_gib(), disk_gib=round(sum(f.stat().st_size for f in dest.iterdir()) / 2**30, 2))
    S.step('merge', run)
    shutil.rmtree(dest, ignore_errors=True)  # 16 GB the other sections do not need

# ---------------------------------------------------------------- section: the dry run's memory estimate
def sec_dry_run(a, S:Section):
    "The dry run's per-phase GPU memory estimate for this workload, next to the peaks the other sections measured."
    from cogumi_nb import estimate
    if not hasattr(estimate, 'dry_run'): raise RuntimeError('cogumi_nb.estimate has no dry_run yet')
    P = SMOKE if a.smoke else GPU
    EB = min(P['engine_batch'], P['prompts'])
    train = dict(r=P['rank'], alpha=P['rank'], lr=1e-4, batch_size=P['train_batch'], grad_accum=1, max_steps=P['train_steps'],
                 max_length=P['train_len'], eval_steps=P['train_steps'], logging_steps=1, val_fraction=0.05, target_modules=TARGETS)
    kw = dict(model=a.base, phases=['evaluate', 'train'], max_new_tokens=P['new_tokens'],
              generation=dict(backend='engine', batch_size=EB), train=train)
    S.put(signature=str(inspect.signature(estimate.dry_run)), overrides=kw)
    rep = S.step('dry_run', lambda: estimate.dry_run(None, **kw))
    gib = lambda v: round(v / 2**30, 3) if isinstance(v, (int, float)) else None
    est = {r['phase']: {k: gib(r.get(k)) for k in ('total', 'weights', 'lora', 'optimizer', 'act_ckpt', 'act_full', 'kv_cache') if k in r}
           for r in (rep or {}).get('phases', []) if isinstance(r, dict) and 'phase' in r}
    measured = {}
    for b in ('hf', 'unsloth'):
        p = Path(a.work)/f'train_{b}.json'
        if p.exists():
            sm = json.loads(p.read_text())['summary']
            measured[f'train_{b}'] = dict(peak_gib=gib((sm.get('peak_memory_mb') or 0) * 2**20), memory=sm.get('memory'), backend=sm.get('backend'))
    g = Path(a.work)/'result_generate.json'
    if g.exists():
        e = json.loads(g.read_text()).get('engine') or {}
        if e.get('peak_gib') is not None: measured['generate_engine'] = dict(peak_gib=e['peak_gib'], batch=e.get('batch'), memory='cuda max allocated')
    cmp = {}
    for k, m in measured.items():
        phase = 'train' if k.startswith('train') else 'evaluate'
        t = (est.get(phase) or {}).get('total')
        if t and m.get('peak_gib'): cmp[k] = dict(estimate_gib=t, measured_gib=m['peak_gib'], estimate_over_measured=round(t / m['peak_gib'], 2))
    S.put(estimate_gib=est, measured=measured, comparison=cmp,
          note='CPU peaks are process RSS, not GPU memory: only the GPU run compares like with like' if a.smoke else None)

SECTIONS = {'build': sec_build, 'generate': sec_generate, 'train_hf': lambda a, S: sec_train(a, S, 'hf'),
            'train_unsloth': lambda a, S: sec_train(a, S, 'unsloth'), 'merge': sec_merge, 'dry_run': sec_dry_run}

# ---------------------------------------------------------------- the parent: runs each section in its own process
def run_section(a, name:str, budget:float, log)->dict:
    res = Path(a.work)/f'result_{name}.json'
    res.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), '--section', name, '--work', a.work, '--base', a.base] + (['--smoke'] if a.smoke else [])
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, cwd=ROOT)
    def pump():
        for line in p.stdout: log.write(f'{name}| {line}'); log.flush(); print(f'{name}| {line}', end='', flush=True)
    th = threading.Thread(target=pump, daemon=True); th.start()
    try: rc, status = p.wait(timeout=budget), None
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9); rc, status = p.wait(), f'timeout: stopped after its budget of {budget:.0f}s'
    th.join(5)
    data = json.loads(res.read_text()) if res.exists() else {}
    steps_failed = [k for k, v in data.items() if isinstance(v, dict) and 'error' in v]
    out = dict(status='timeout' if status else 'ok' if rc == 0 and not steps_failed else 'error', rc=rc,
               seconds=round(time.perf_counter() - t, 1), budget_s=budget, **data)
    if status: out['error'] = status
    elif steps_failed: out['failed_steps'] = steps_failed
    return out

def summary(R:dict)->dict:
    "The headline figures, and the comparisons that need two sections."
    g, s = R.get('generate', {}), {}
    pick = lambda d, *ks: {k: d.get(k) for k in ks} if isinstance(d, dict) else None
    s['engine'] = pick(g.get('engine'), 'batch', 'tokens_per_s')
    s['hf_best'] = pick(g.get('hf_best'), 'batch', 'tokens_per_s')
    s['ceiling'] = pick(g.get('ceiling'), 'engine_over_hf_best', 'bandwidth_gb_s')
    if isinstance(g.get('ceiling'), dict):
        s['fraction_of_ceiling'] = {k: g['ceiling'][k].get('fraction') for k in ('engine', 'hf_best') if isinstance(g['ceiling'].get(k), dict)}
    s['sampling'] = pick(g.get('sampling'), 'sequences', 'tokens_per_s', 'fraction', 'distinct_fraction')
    tr = {b: (R.get(f'train_{b}', {}).get('train') or {}) for b in ('hf', 'unsloth')}
    s['train'] = {b: pick(t, 'backend', 'tokens_per_s', 'peak_memory_mb', 'attn') for b, t in tr.items() if 'tokens_per_s' in t}
    lh, lu = dict(map(tuple, tr['hf'].get('losses') or [])), dict(map(tuple, tr['unsloth'].get('losses') or []))
    both = sorted(set(lh) & set(lu))
    if both:
        rel = [abs(lu[k] - lh[k]) / max(abs(lh[k]), 1e-9) for k in both]
        s['loss_curves'] = dict(steps=len(both), max_rel_diff=round(max(rel), 4), rtol=LOSS_RTOL, passed=max(rel) <= LOSS_RTOL,
                                first=[lh[both[0]], lu[both[0]]], last=[lh[both[-1]], lu[both[-1]]],
                                same_backend=tr['hf'].get('backend') == tr['unsloth'].get('backend'))
    if tr['hf'].get('tokens_per_s') and tr['unsloth'].get('tokens_per_s'):
        s['train']['unsloth_over_hf'] = round(tr['unsloth']['tokens_per_s'] / tr['hf']['tokens_per_s'], 2)
    s['merge'] = pick(R.get('merge', {}).get('merge'), 'max_abs_diff', 'atol', 'passed', 'adapter_effect')
    if R.get('dry_run', {}).get('comparison'): s['dry_run_vs_measured'] = R['dry_run']['comparison']
    e, h = s['engine'] or {}, s['hf_best'] or {}
    if e.get('tokens_per_s') and h.get('tokens_per_s'):  # the engine's goals (shared/gpu/README.md)
        s['goals'] = dict(engine_at_least_2x_hf_best=e['tokens_per_s'] >= 2 * h['tokens_per_s'], engine_at_least_15k_tokens_per_s=e['tokens_per_s'] >= 15000)
    s['sections'] = {k: v.get('status') for k, v in R.items()}
    return s

def time_table(R:dict, total:float, budget:float)->str:
    "Each section's status, seconds and budget, one line each: where the time went."
    rows = [(k, v.get('status', '?'), v.get('seconds'), v.get('budget_s')) for k, v in R.items()]
    fmt = lambda x: '-' if x is None else f'{x:.0f}'
    lines = [f"{'section':<14} {'status':<8} {'seconds':>8} {'budget':>7}"] + [f'{k:<14} {st:<8} {fmt(sec):>8} {fmt(b):>7}' for k, st, sec, b in rows]
    return '\n'.join(lines + [f"{'total':<14} {'':<8} {fmt(total):>8} {fmt(budget):>7}"])

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--smoke', action='store_true', help='every section on a CPU with the tiny model, in a minute or two')
    ap.add_argument('--work', default=None, help='where the model, adapters and merge go (default /tmp/gpu_check)')
    ap.add_argument('--out', default=None, help='the JSON (default $OUT/gpu_check.json, else benchmarks/results/gpu_check.json)')
    ap.add_argument('--only', default=None, help='comma-separated sections to run (default: all)')
    ap.add_argument('--keep', action='store_true', help='keep the work folder')
    ap.add_argument('--section', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--base', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.section:  # a child: one section, its results in work/result_<name>.json
        S = Section(Path(a.work)/f'result_{a.section}.json')
        try: SECTIONS[a.section](a, S)
        except Exception: S.put(error=traceback.format_exc()); print(S.data['error'], flush=True); sys.exit(1)
        return
    t0 = time.perf_counter()
    own_work = a.work is None
    a.work = a.work or (tempfile.mkdtemp(prefix='gpu_check_smoke_') if a.smoke else '/tmp/gpu_check')
    Path(a.work).mkdir(parents=True, exist_ok=True)
    out = Path(a.out) if a.out else Path(os.environ['OUT'])/'gpu_check.json' if os.environ.get('OUT') else ROOT/'benchmarks'/'results'/'gpu_check.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    if a.smoke:
        sys.path.insert(0, str(ROOT))
        from cogumi_nb.models import tiny_folder
        a.base = str(tiny_folder())  # load_model('tiny')'s folder
    else: a.base = str(Path(a.work)/'l8b')
    names = a.only.split(',') if a.only else list(SECTIONS)
    R = {}
    meta = dict(started=time.strftime('%Y-%m-%d %H:%M:%S %Z'), mode='smoke' if a.smoke else 'gpu', host=platform.node(),
                python=platform.python_version(), versions=versions(), work=a.work, base=a.base, budgets=BUDGETS, total_budget_s=TOTAL,
                workload=SMOKE if a.smoke else GPU, loss_rtol=LOSS_RTOL, command=' '.join(sys.argv))
    try: meta['nvidia_smi'] = subprocess.run(['nvidia-smi', '--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'],
                                             capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as e: meta['nvidia_smi'] = f'unavailable ({type(e).__name__})'
    write = lambda: out.write_text(json.dumps(dict(meta=meta, summary=summary(R), sections=R), indent=1, default=str))
    with open(out.with_suffix('.log'), 'w') as log:
        log.write(json.dumps(meta, default=str) + '\n')
        for name in names:
            left = (SMOKE_TOTAL if a.smoke else TOTAL) - (time.perf_counter() - t0)
            budget = min(SMOKE_BUDGET if a.smoke else BUDGETS[name], left)
            if left < 10: R[name] = dict(status='skipped', error=f'no time left ({left:.0f}s) in the total budget'); write(); continue
            print(f'== {name} (budget {budget:.0f}s, {time.perf_counter() - t0:.0f}s in)', flush=True)
            try: R[name] = run_section(a, name, budget, log)
            except Exception: R[name] = dict(status='error', error=traceback.format_exc())
            print(f'== {name}: {R[name]["status"]} in {R[name].get("seconds")}s', flush=True)
            write()
        meta['seconds'] = round(time.perf_counter() - t0, 1)
        write()
        log.write(json.dumps(summary(R), default=str) + '\n')
    print(json.dumps(summary(R), indent=1, default=str))
    print(time_table(R, meta['seconds'], SMOKE_TOTAL if a.smoke else TOTAL))
    print(f'wrote {out} and {out.with_suffix(".log")} in {meta["seconds"]}s')
    if not a.keep and (own_work or a.smoke): shutil.rmtree(a.work, ignore_errors=True)

if __name__ == '__main__':
    main()
