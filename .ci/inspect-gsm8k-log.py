"Write Inspect logs with Inspect's own API: the first N local GSM8K test problems, answered by a scripted model."
import json, sys
from pathlib import Path
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.model import GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.scorer import match
from inspect_ai.solver import generate

data, n, out = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = [json.loads(l) for l in data.read_text().splitlines()[:n]]
ref = lambda r: r['answer'].rsplit('####', 1)[1].strip().replace(',', '')
ANSWERS = {}   # question -> (completion, stop reason): right, wrong, cut short, in turn
for i, r in enumerate(rows):
    ANSWERS[r['question']] = [(f"Step by step.\n#### {ref(r)}", 'stop'), (f"I think it is {int(float(ref(r)))+1}.", 'stop'),
                              ("Let me think about this carefully. First", 'max_tokens')][i % 3]

@modelapi(name='scripted')
def scripted(): return Scripted

class Scripted(ModelAPI):
    "Answers each GSM8K question as the script says, without a network or a tokenizer."
    def __init__(self, model_name, base_url=None, api_key=None, config=GenerateConfig(), **kw):
        super().__init__(model_name, base_url, api_key, [], config)
    async def generate(self, input, tools, tool_choice, config):
        text, stop = ANSWERS[input[-1].text]
        return ModelOutput.from_content(f'scripted/{self.model_name}', text, stop_reason=stop)

task = Task(dataset=[Sample(input=r['question'], target=ref(r), id=f'q{i}') for i, r in enumerate(rows)],
            solver=generate(), scorer=match(numeric=True), name='gsm8k')
for fmt in ('eval', 'json'):
    log = eval(task, model='scripted/gsm8k-script', log_dir=out, log_format=fmt, display='none')[0]
    assert log.status == 'success', log.error
    print(log.location)
