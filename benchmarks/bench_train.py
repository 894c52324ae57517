"""Tokens/s of `train_lora` against plain TRL `SFTTrainer` with padded batches, in one run.

    python benchmarks/bench_train.py [--rows 64] [--steps 6] [--model smollm2] [--out benchmarks/results/train.json]

Both train the same LoRA (r 64, alpha 16, all linear projections) on the same GSM8K rows, validation split,
seed and hyper-parameters (batch 4 x 2 accumulation, max_length 384), for `--steps` optimizer updates, then
evaluate on the held-out rows. Tokens/s counts real (non-padding) tokens over the training time, evaluations
excluded. The baseline keeps TRL's default of activation checkpointing; ours turns it off on CPU (memory is not
short there). Ours runs three times: its CPU default (one unpadded row per forward pass, the same 4 x 2 rows per
update), each batch of 4 rows flattened into one padding-free sequence (its CUDA default), and the latter with
checkpointing on. Target: at least 1.3x the baseline's tokens/s with the same eval loss (within 2%).
"""
from dataclasses import replace
import argparse, math, os, resource, sys, tempfile, time, warnings
from pathlib import Path
from cogumi_nb.core import write_json, seed_everything
from cogumi_nb.models import resolve_model
from cogumi_nb.train import TrainConfig, train_lora, split_rows, _gsm8k_rows, _messages, _pad_token, _Clock, _args

def baseline(model:str, rows:list, cfg:TrainConfig, out:Path)->dict:
    "Plain TRL: conversational prompt-completion rows, TRL's tokenization and padded batches."
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback
    from trl import SFTTrainer
    seed_everything(cfg.seed)
    src = resolve_model(model)
    tok = AutoTokenizer.from_pretrained(src)
    _pad_token(tok)   # the same pad token as ours (it only matters for the count of non-padding tokens)
    m = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, attn_implementation='sdpa')
    tr, va = split_rows(len(rows), cfg.val_fraction, cfg.seed)
    ds = lambda ix: Dataset.from_list([dict(prompt=_messages(rows[i]), completion=[{'role': 'assistant', 'content': rows[i].completion}]) for i in ix])
    args = _args(replace(cfg, micro_batch=cfg.batch_size, checkpointing=True), out, progress=False, cuda=False)  # checkpointing: TRL's default
    args.padding_free, args.max_length, args.load_best_model_at_end, args.save_strategy = False, cfg.max_length, False, 'no'
    clock = _Clock()
    t = SFTTrainer(model=m, args=args, train_dataset=ds(tr), eval_dataset=ds(va), processing_class=tok,
                   peft_config=LoraConfig(r=cfg.r, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout, target_modules=cfg.target_modules, task_type='CAUSAL_LM'),
                   callbacks=[clock])
    t.remove_callback(PrinterCallback)
    t.train()
    ev = t.evaluate()
    secs = clock.t - clock.t_eval
    return dict(tokens_seen=t.state.num_input_tokens_seen, train_seconds=round(secs, 1),
                tokens_per_s=round(t.state.num_input_tokens_seen/secs, 1), eval_loss=ev['eval_loss'], steps=t.state.global_step)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rows', type=int, default=64, help='GSM8K training rows')
    ap.add_argument('--steps', type=int, default=6, help='optimizer updates per run')
    ap.add_argument('--model', default='smollm2')
    ap.add_argument('--out', default='benchmarks/results/train.json')
    args = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    rows = _gsm8k_rows(args.rows)
    if not rows: print('no GSM8K data: set COGUMI_DATA to a folder holding gsm8k/'); return 2
    cfg = TrainConfig(lr=1e-4, max_steps=args.steps, eval_steps=args.steps, max_length=384, logging_steps=1)
    tmp = Path(tempfile.mkdtemp())
    load0 = os.getloadavg()[0]
    base = baseline(args.model, rows, cfg, tmp/'baseline')
    print(f"{'baseline (TRL, padded)':32s}: {base['tokens_per_s']:.1f} tokens/s, {base['tokens_seen']} tokens in {base['train_seconds']} s, eval loss {base['eval_loss']:.4f}", flush=True)
    write_json(args.out, dict(model=args.model, rows=args.rows, steps=args.steps, baseline=base, complete=False))
    runs = {}
    for name,mb,ck in (('ours', None, None), ('ours_padding_free', cfg.batch_size, None), ('ours_padding_free_checkpointing', cfg.batch_size, True)):
        s = train_lora(args.model, rows, tmp/name, replace(cfg, micro_batch=mb, checkpointing=ck), resume=False, progress=False)
        runs[name] = dict(tokens_seen=s['tokens_seen'], train_seconds=s['train_seconds'], tokens_per_s=s['tokens_per_s'],
                          eval_loss=s['final_eval_loss'], steps=s['last_step'], micro_batch=mb or 1,
                          checkpointing=bool(ck), peak_memory_mb=s.get('peak_memory_mb'))
        o = runs[name]
        print(f"{name:32s}: {o['tokens_per_s']:.1f} tokens/s, {o['tokens_seen']} tokens in {o['train_seconds']} s, eval loss {o['eval_loss']:.4f}", flush=True)
    ours = runs['ours']
    speedup = ours['tokens_per_s']/base['tokens_per_s']
    for o in runs.values(): o['speedup'] = round(o['tokens_per_s']/base['tokens_per_s'], 3)
    rel = abs(ours['eval_loss']-base['eval_loss'])/base['eval_loss']
    res = dict(model=args.model, rows=args.rows, steps=args.steps, config=dict(r=cfg.r, alpha=cfg.alpha, lr=cfg.lr, batch_size=cfg.batch_size,
               grad_accum=cfg.grad_accum, max_length=cfg.max_length), baseline=base, **runs, speedup=round(speedup, 3),
               eval_loss_rel_diff=round(rel, 4), target_met=speedup >= 1.3 and rel <= 0.02,
               load_average=[round(load0, 2), round(os.getloadavg()[0], 2)], cpus=os.cpu_count(),
               peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024), complete=True)
    print(f"speedup {speedup:.2f}x (target 1.3x), eval loss difference {rel:.2%} (target <= 2%), load average {res['load_average']}")
    write_json(args.out, res)
    return 0

if __name__ == '__main__': sys.exit(main())
