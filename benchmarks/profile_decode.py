"""Where one decode step of the generation engine spends its time, on the embedded SmolLM2-135M (CPU).

    python benchmarks/profile_decode.py [--rows 64] [--cached 300] [--out benchmarks/results/profile_decode.json]

Prefills `--cached` positions for `--rows` rows into the engine's preallocated cache, then profiles three decode
steps with `torch.profiler`: the share of matrix products (the linear layers) and of the attention kernel. It also
times the attention alone at that shape, PyTorch's SDPA (as the model calls it for one query token with grouped
key/value heads) against a hand-written batched matmul, and the tied output layer alone, through PyTorch's
`linear` (MKL) and through oneDNN (what the engine uses on CPU). The step itself runs the model as loaded,
without the engine's oneDNN output layer.
"""
import argparse, json, time, warnings
import torch
from cogumi_nb.core import write_json
from cogumi_nb.models import load_model
from cogumi_nb.generate import _new_cache

def ms(f, n=10):
    f(); t = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter()-t)/n*1000

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rows', type=int, default=64)
    ap.add_argument('--cached', type=int, default=300)
    ap.add_argument('--out', default='benchmarks/results/profile_decode.json')
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    m = load_model('smollm2').model
    B, L, c = a.rows, a.cached, m.config
    cache = _new_cache(m, L+8)
    x = torch.randint(100, 1000, (B, 1))
    with torch.inference_mode():
        m(torch.randint(100, 1000, (B, L)), past_key_values=cache, use_cache=True, logits_to_keep=1)
        def step():
            for l in cache.layers: l.n = L; l._views()
            return m(x, attention_mask=torch.ones(B, L+1, dtype=torch.long), position_ids=torch.full((B, 1), L), past_key_values=cache, use_cache=True)
        step_ms = ms(step, 3)
        with torch.profiler.profile() as prof:
            for _ in range(3): step()
        ev = {e.key: e.self_cpu_time_total for e in prof.key_averages()}
        total = sum(ev.values())
        attn = sum(v for k, v in ev.items() if 'scaled_dot_product' in k)
        H, G, D = c.num_key_value_heads, c.num_attention_heads//c.num_key_value_heads, c.hidden_size//c.num_attention_heads
        q, K, V = torch.randn(B, H, G, D), torch.randn(B, H, L, D), torch.randn(B, H, L, D)
        mask = torch.ones(B, 1, 1, L, dtype=torch.bool)
        sdpa = lambda: torch.nn.functional.scaled_dot_product_attention(q, K, V, attn_mask=mask, scale=D**-0.5)
        add = torch.zeros(B*H, G, L)
        mm_attn = lambda: torch.bmm(torch.baddbmm(add, q.reshape(B*H, G, D), K.reshape(B*H, L, D).transpose(1, 2), alpha=D**-0.5).softmax(-1), V.reshape(B*H, L, D))
        h = torch.randn(B, c.hidden_size)
        res = dict(rows=B, cached=L, step_ms=round(step_ms, 1),
                   share_matmul=round(ev.get('aten::mm', 0)/total, 3), share_attention=round(attn/total, 3),
                   attention_layer_ms=dict(sdpa=round(ms(sdpa, 30), 2), batched_matmul=round(ms(mm_attn, 30), 2)),
                   output_layer_ms=dict(linear=round(ms(lambda: torch.nn.functional.linear(h, m.lm_head.weight)), 1),
                                        onednn=round(ms(lambda: torch.ops.mkldnn._linear_pointwise(h, m.lm_head.weight, None, 'none', [], '')), 1)))
    print(json.dumps(res, indent=1)); write_json(a.out, res)

if __name__ == '__main__': main()
