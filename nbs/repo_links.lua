-- The pages are written to be read in the repository: a link or picture is relative to its file and may reach out of
-- nbs/ (`../../docs/explore.png`, `../../cogumi_nb/configs/main.yaml`), as GitHub and a clone resolve it. The site
-- holds only nbs/, so this filter rewrites such targets: a picture of docs/ is read from the site's images/ (where
-- copy_images.py puts them), and any other file outside nbs/ is linked on GitHub. Targets inside nbs/ are left to
-- Quarto, which links a page's source (`runs.md`, `../15_pipeline.ipynb`) to its page.
local REPO = 'https://github.com/cogumi/cogumi_nb/blob/main/'

local function names(path)
  local out = {}
  for name in path:gmatch('[^/]+') do out[#out + 1] = name end
  return out
end

local function absolute(path)
  if path:sub(1, 1) == '/' then return path end
  return pandoc.path.join({pandoc.system.get_working_directory(), path})
end

-- The document's folder as names relative to the project's folder (under Quarto: its project; under plain pandoc,
-- as a test runs it: the working directory).
local function doc_folder()
  local input = (quarto and quarto.doc and quarto.doc.input_file) or PANDOC_STATE.input_files[1]
  local project = (quarto and quarto.project and quarto.project.directory) or pandoc.system.get_working_directory()
  local doc, top = names(pandoc.path.directory(absolute(input))), names(absolute(project))
  for i = 1, #top do
    if doc[i] ~= top[i] then return nil end
  end
  return {table.unpack(doc, #top + 1)}
end

-- `target` rewritten for the site, or nil where it stays as it is.
local function for_site(target)
  if target:match('^%a[%w+.-]*:') or target:match('^[#/]') or target == '' then return nil end
  local path, anchor = target:match('^([^#]*)(.*)$')
  local folder = doc_folder()
  if not folder then return nil end
  local parts, above = {}, 0
  for _, name in ipairs(folder) do parts[#parts + 1] = name end
  for _, name in ipairs(names(path)) do
    if name == '..' then
      if #parts > 0 then table.remove(parts) else above = above + 1 end
    elseif name ~= '.' then
      parts[#parts + 1] = name
    end
  end
  if above ~= 1 then return nil end                                   -- inside nbs/ (Quarto's), or outside the repository
  local in_repo = table.concat(parts, '/') .. (path:sub(-1) == '/' and '/' or '')
  local picture = in_repo:match('^docs/([^/]+%.png)$')
  if picture then return string.rep('../', #folder) .. 'images/' .. picture end
  return REPO .. in_repo .. anchor
end

function Image(el)
  local new = for_site(el.src)
  if new then el.src = new; return el end
end

function Link(el)
  local new = for_site(el.target)
  if new then el.target = new; return el end
end
