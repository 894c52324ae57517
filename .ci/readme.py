"""Render nbs/index.ipynb into README.md: markdown cells as they are, code cells as fenced blocks with their text output."""
import json, sys
from pathlib import Path
root = Path(__file__).resolve().parent.parent
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
out = []
for c in nb['cells']:
    src = ''.join(c['source']).strip()
    if not src or src.startswith('#| hide'): continue
    if c['cell_type'] == 'markdown': out.append(src)
    elif c['cell_type'] == 'code':
        out.append(f'```python\n{src}\n```')
        txt = ''.join(''.join(o.get('text', '')) or ''.join(o.get('data', {}).get('text/plain', '')) for o in c.get('outputs', []))
        if txt.strip(): out.append(f'```\n{txt.rstrip()}\n```')
(root/'README.md').write_text('\n\n'.join(out)+'\n')
print(f'README.md written from nbs/index.ipynb ({len(out)} blocks)', file=sys.stderr)
