"""GSM8K evaluation: cogumi_nb vs lm-evaluation-harness (HF backend), same model, same problems, one run.

Usage: python benchmarks/bench_lmeval.py [--limit 100] [--batch-size 32] [--out FILE]

Both sides score the first `limit` GSM8K test problems greedily in lm-eval's 5-shot format with the
first five training problems as shots (lm-eval's `first_n` sampler, so the prompts are identical), on
the embedded SmolLM2-135M saved as a plain HF folder. lm-eval reads the same local JSONL through a
task config written on the fly. Reports correct counts under strict-match and flexible-extract and
wall-clock throughput (problems/s, and generated tokens/s counting the tokens of each completion).
"""
import argparse, json, os, tempfile, time, resource, platform
from pathlib import Path
import torch
from cogumi_nb.core import data_dir, write_json
from cogumi_nb.models import load_model, embedded_gguf, gguf_to_folder
from cogumi_nb.evaluate import evaluate
from cogumi_nb.data import load_gsm8k
from cogumi_nb.tasks import gsm8k_strict, gsm8k_flexible, normalize_number

TASK_YAML = """task: gsm8k_local
dataset_path: json
dataset_kwargs:
  data_files:
    train: {train}
    test: {test}
output_type: generate_until
training_split: train
fewshot_split: train
test_split: test
fewshot_config:
  sampler: first_n
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_target: "{{{{answer}}}}"
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: false
    regexes_to_ignore: [",", "\\\\$", "(?s).*#### ", "\\\\.$"]
generation_kwargs:
  until: ["Question:", "</s>", "<|im_end|>"]
  do_sample: false
  temperature: 0.0
num_fewshot: 5
filter_list:
  - name: "strict-match"
    filter:
      - function: "regex"
        regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"
      - function: "take_first"
  - name: "flexible-extract"
    filter:
      - function: "regex"
        group_select: -1
        regex_pattern: "(-?[$0-9.,]{{2,}})|(-?[0-9]+)"
      - function: "take_first"
"""

def count(texts, refs, tok):
    "Correct under our strict and flexible extraction, and generated tokens."
    s = sum(gsm8k_strict(t) == r for t, r in zip(texts, refs))
    f = sum(gsm8k_flexible(t) == r for t, r in zip(texts, refs))
    return s, f, sum(len(tok(t, add_special_tokens=False).input_ids) for t in texts)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--limit', type=int, default=100)
    ap.add_argument('--batch-size', type=int, default=32, help="lm-eval's batch size (ours picks its own)")
    ap.add_argument('--out', default='benchmarks/results/lmeval.json')
    a = ap.parse_args()
    d = data_dir()
    if d is None: raise SystemExit('needs GSM8K data: set COGUMI_DATA')
    os.environ.setdefault('HF_DATASETS_OFFLINE', '1'); os.environ.setdefault('HF_HUB_OFFLINE', '1')
    torch.set_num_threads(os.cpu_count())
    import lm_eval
    from lm_eval.tasks import TaskManager
    folder = gguf_to_folder(embedded_gguf())
    lm = load_model(str(folder))
    tmp = Path(tempfile.mkdtemp())
    (tmp/'gsm8k_local.yaml').write_text(TASK_YAML.format(train=d/'gsm8k'/'train.jsonl', test=d/'gsm8k'/'test.jsonl'))
    res = dict(date=time.strftime('%Y-%m-%d'), machine=platform.machine(), cpus=os.cpu_count(), torch=torch.__version__,
               lm_eval_version=getattr(lm_eval, '__version__', ''), problems=a.limit, model=str(folder))

    t = time.perf_counter()
    ev = evaluate(lm, 'gsm8k_fewshot', limit=a.limit, root=tmp, run='ours', progress=False)
    dt = time.perf_counter()-t
    order = {e.id: i for i, e in enumerate(load_gsm8k('test', limit=a.limit))}
    ours = sorted(ev.results, key=lambda r: order[r.example_id])
    refs = [r.reference for r in ours]
    s, f, n = count([r.completion for r in ours], refs, lm.tokenizer)
    res['cogumi'] = dict(seconds=round(dt, 1), strict=s, flexible=f, tokens=n, tok_s=round(n/dt, 1), problems_s=round(a.limit/dt, 3),
                         truncated=sum(r.finish_reason == 'length' for r in ev.results))
    print('cogumi:', json.dumps(res['cogumi']), flush=True)

    t = time.perf_counter()
    out = lm_eval.simple_evaluate(model='hf', model_args=f'pretrained={folder},dtype=float32', tasks=['gsm8k_local'],
                                  task_manager=TaskManager(include_path=str(tmp)), limit=a.limit, batch_size=a.batch_size,
                                  device='cpu', log_samples=True)
    dt = time.perf_counter()-t
    samples = sorted({x['doc_id']: x for x in out['samples']['gsm8k_local']}.values(), key=lambda x: x['doc_id'])  # one entry per filter
    texts = [x['resps'][0][0] for x in samples]
    lrefs = [normalize_number(x['doc']['answer'].split('####')[-1]) for x in samples]
    if lrefs != refs: raise SystemExit(f'the two sides scored different problems: {lrefs[:5]} vs {refs[:5]}')
    r = out['results']['gsm8k_local']
    s, f, n = count(texts, lrefs, lm.tokenizer)
    res['lm_eval'] = dict(seconds=round(dt, 1), batch=a.batch_size, strict=round(r['exact_match,strict-match']*a.limit),
                          flexible=round(r['exact_match,flexible-extract']*a.limit), strict_by_our_scorer=s,
                          flexible_by_our_scorer=f, tokens=n, tok_s=round(n/dt, 1), problems_s=round(a.limit/dt, 3))
    print('lm_eval:', json.dumps(res['lm_eval']), flush=True)
    res['same_completions'] = sum(x.strip() == r.completion.strip() for x, r in zip(texts, ours))
    res['speedup'] = round(res['lm_eval']['seconds']/res['cogumi']['seconds'], 2)
    res['peak_rss_gib'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/2**20, 2)
    write_json(a.out, res)
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
