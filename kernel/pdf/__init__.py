"""The shared PDF renderer: `render` (WeasyPrint, locked down to the site's own files; the fonts
in `fonts/` and the PyPI package pylopdf-fonts-zh-cn) and `process` (the render in a child
process with a wall-time limit)."""
