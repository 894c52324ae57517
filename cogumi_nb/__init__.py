"""Improve a fine-tuned LLM from its own failures: evaluate, diagnose, cluster failures, build targeted data, train LoRA, report.

Modules:

- `cogumi_nb.backends`: One way to get a generator: `load_generator(spec, generation)` picks our engine, vLLM or a server, with one default, for every caller.
- `cogumi_nb.builders`: Training rows from a run's own failures: ground truth, self-consistency, reverse pairs; then one deduplicated, leak-free set.
- `cogumi_nb.cli`: The `cogumi` command: one subcommand per phase of the loop.
- `cogumi_nb.clusters`: Sentence embeddings, KMeans, keyword labels, representatives and a 2-D UMAP map of failures.
- `cogumi_nb.compare`: Two evaluations of the same problems, from any run, model or harness, compared problem by problem: the paired test on every outcome, what was fixed and broken, per cluster, on a page and in the explore view.
- `cogumi_nb.config`: The run config: typed sections with a help line per field, read from YAML once, every key checked with its file and line.
- `cogumi_nb.consistency`: Sample each prompt N times: unique answers, agreement with the modal answer, majority vote (maj@k), entropy, and their plots.
- `cogumi_nb.core`: Run directories, the resumable record store, clear input errors, hashing and seeding.
- `cogumi_nb.data`: The `Example` and `TrainRow` records, `load_records` (the one way from a list or a JSONL file to records), and loaders for GSM8K, HumanEval, MMLU, MBPP and generic instruction JSONL.
- `cogumi_nb.estimate`: Will a run fit, and how long will it take: a config checked without loading a model or a data set, and each phase's GPU memory and time estimated on the card.
- `cogumi_nb.evaluate`: Evaluation runs: model × task × limit → per-sample results and metrics with confidence intervals.
- `cogumi_nb.explore`: The failure map linked to a table in JupyterLab: select, filter, compare before and after training, save as JSONL or training rows.
- `cogumi_nb.failures`: The failures of a run, each with its ground truth, and the root cause of each, from evidence.
- `cogumi_nb.generate`: The batched generation engine: completions with token counts and finish reasons, N samples per prompt, resumable.
- `cogumi_nb.import_logs`: The per-sample logs of lm-evaluation-harness and Inspect read into our results, scored again by our own scorer where we know the task, in a run folder the rest of the loop works on.
- `cogumi_nb.jobs`: A function run in a fresh Python process, its output streamed as it comes and its result or error brought back; output folders put in place only once whole.
- `cogumi_nb.merge`: A LoRA adapter merged into its base in a fresh process and saved as safetensors, once the merged logits match the adapter's within a tolerance stated for the dtype.
- `cogumi_nb.models`: Load the model under study: the embedded SmolLM2, a local Hugging Face folder, a GGUF file, or a tiny random model for tests.
- `cogumi_nb.phases`: The six phases of the loop, one library function each: evaluate, consistency, failures, build, train and report, each reading what the earlier ones left in the run folder and writing its own part.
- `cogumi_nb.pipeline`: The improvement loop as one command: papermill runs of the phase notebooks into a run folder, a manifest that makes re-runs skip what is done, a lock per run folder, and rounds.
- `cogumi_nb.provider`: A stronger model behind its provider's official SDK: requests and replies, prices and costs, a spending cap, a response cache, and resumable jobs.
- `cogumi_nb.provider_server`: A local HTTP server speaking the OpenAI and Anthropic chat APIs, with simulated latency, deterministic answers and injected faults.
- `cogumi_nb.report`: Before and after: paired significance, the ledger of fixed and broken problems, root-cause and cluster change, forgetting, success criteria.
- `cogumi_nb.sandbox`: Run model-written Python safely: limits, guards, HumanEval and MBPP checks, parallel runs and pass@k.
- `cogumi_nb.serve`: Generation through an OpenAI-compatible completions server: vLLM, SGLang, TGI or llama.cpp serving the model, for generation past one GPU.
- `cogumi_nb.tasks`: The task registry: how each benchmark builds its prompts, pulls the answer out of a completion and scores it.
- `cogumi_nb.teachers`: A stronger model improves the failures: better answers, self-critiques, new targeted problems, and a judge that filters them.
- `cogumi_nb.train`: LoRA fine-tuning on training rows with loss on the completion only, early stopping and resume.
- `cogumi_nb.verified`: Training rows the model wrote itself and the task's scorer verified: rejection sampling (RFT), rationalization (STaR), and replay of its own answers."""

__version__ = "0.1.0"
