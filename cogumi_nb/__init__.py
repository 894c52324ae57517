"""Improve a fine-tuned LLM from its own failures: evaluate, cluster the failures, build targeted data, train.

Modules:

- `cogumi_nb.backends`: One way to get a generator: `load_generator` picks the engine, vLLM or a server, for any caller.
- `cogumi_nb.builders`: Training rows from failures: ground truth, consistency, reverse pairs; deduped and leak-free.
- `cogumi_nb.cli`: The `cogumi` command: one subcommand per phase of the loop.
- `cogumi_nb.clusters`: Sentence embeddings, KMeans, keyword labels, representatives and a 2-D UMAP map of failures.
- `cogumi_nb.compare`: Two evaluations of the same problems compared problem by problem, from any run or harness.
- `cogumi_nb.config`: The run config: typed sections with a help line per field, every key checked with file and line.
- `cogumi_nb.consistency`: N samples per prompt: unique answers, agreement, majority vote (maj@k), entropy, plots.
- `cogumi_nb.core`: Run directories, the resumable record store, clear input errors, hashing and seeding.
- `cogumi_nb.data`: `Example` and `TrainRow`, `load_records`, and loaders for GSM8K, HumanEval, MMLU, MBPP and JSONL.
- `cogumi_nb.estimate`: Will a run fit, and how long will it take: each phase's GPU memory and time, before it runs.
- `cogumi_nb.evaluate`: Evaluation runs: model × task → per-sample results and metrics with confidence intervals.
- `cogumi_nb.explore`: The failure map linked to a table in JupyterLab: select, filter, compare, save as JSONL or rows.
- `cogumi_nb.failures`: The failures of a run, each with its ground truth, and the root cause of each, from evidence.
- `cogumi_nb.generate`: The batched generation engine: N samples per prompt, token counts, finish reasons, resumable.
- `cogumi_nb.import_logs`: Per-sample logs of lm-evaluation-harness and Inspect, read into a run folder.
- `cogumi_nb.jobs`: A function run in a fresh process, its output streamed, its result or error brought back.
- `cogumi_nb.merge`: A LoRA adapter merged into its base in a fresh process, saved once its logits match the adapter's.
- `cogumi_nb.models`: The model under study: the embedded SmolLM2, a Hugging Face folder, a GGUF or a tiny test model.
- `cogumi_nb.phases`: The six phases of the loop, one function each, each reading what the earlier ones left.
- `cogumi_nb.pipeline`: The loop as one command: papermill runs of the phase notebooks, resumable, locked, in rounds.
- `cogumi_nb.provider`: A stronger model through its provider's SDK: costs, a spending cap, a cache, resumable jobs.
- `cogumi_nb.provider_server`: A local OpenAI and Anthropic chat server: simulated latency, set answers, faults.
- `cogumi_nb.report`: Before and after: paired tests, fixed and broken problems, root causes, clusters, forgetting.
- `cogumi_nb.sandbox`: Model-written Python run safely: limits, guards, HumanEval and MBPP checks, pass@k in parallel.
- `cogumi_nb.serve`: Generation through an OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp), past one GPU.
- `cogumi_nb.tasks`: The task registry: how each benchmark builds its prompts, pulls out the answer and scores it.
- `cogumi_nb.teachers`: A stronger model improves the failures: better answers, critiques, new problems, a judge.
- `cogumi_nb.train`: LoRA fine-tuning on training rows with loss on the completion only, early stopping and resume.
- `cogumi_nb.verified`: Training rows the model wrote and the scorer verified: rejection sampling, STaR, replay."""

__version__ = "0.1.0"
