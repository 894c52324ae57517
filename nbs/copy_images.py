"Copy the pictures of docs/ into the site's images/ before Quarto renders (run by _quarto.yml's pre-render, from the project's folder)."
import shutil
from pathlib import Path
docs = Path('..')/'docs'
Path('images').mkdir(exist_ok=True)
for png in docs.glob('*.png'): shutil.copy2(png, Path('images')/png.name)
