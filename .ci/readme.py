"""Render nbs/index.ipynb into README.md: markdown cells as they are, code cells as fenced blocks with their text output.
The page's relative links and pictures are written from nbs/, where the notebook is (`guides/runs.md`,
`../docs/explore.png`), as the site and JupyterLab read them; in README.md they are rewritten from the repository's
root (`nbs/guides/runs.md`, `docs/explore.png`), as GitHub and a clone read them. nbdev's own `nbdev-readme` renders
through Quarto, which not every machine that runs CI can install; this needs nothing but Python."""
import json, posixpath, re, sys
from pathlib import Path
root = Path(__file__).resolve().parent.parent
LINK = re.compile(r'(!?\[[^\]]*\]\()([^)\s]+)(\))')

def from_root(m):
    "A markdown link or picture whose target is relative to nbs/, made relative to the repository's root."
    target = m[2]
    if re.match(r'[a-z][a-z0-9+.-]*:|#|/', target): return m[0]   # another site, an anchor on this page, an absolute path
    path, hash_, anchor = target.partition('#')
    new = posixpath.normpath(posixpath.join('nbs', path)) + ('/' if path.endswith('/') else '')
    return f'{m[1]}{new}{hash_}{anchor}{m[3]}'

def markdown(src):
    "`src` with the links outside its fenced code blocks rewritten by `from_root`."
    parts = re.split(r'(```.*?```)', src, flags=re.S)
    return ''.join(p if i % 2 else LINK.sub(from_root, p) for i, p in enumerate(parts))

def render(nb):
    out = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        if c['cell_type'] == 'markdown': out.append(markdown(src))
        elif c['cell_type'] == 'code':
            out.append(f'```python\n{src}\n```')
            txt = ''.join(''.join(o.get('text', '')) or ''.join(o.get('data', {}).get('text/plain', '')) for o in c.get('outputs', []))
            if txt.strip(): out.append(f'```\n{txt.rstrip()}\n```')
    return '\n\n'.join(out)+'\n', len(out)

if __name__ == '__main__':
    text, n = render(json.loads((root/'nbs'/'index.ipynb').read_text()))
    (root/'README.md').write_text(text)
    print(f'README.md written from nbs/index.ipynb ({n} blocks, {len(text.encode())} bytes)', file=sys.stderr)
