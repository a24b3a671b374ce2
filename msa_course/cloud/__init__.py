"""Chapter 04: cloud service models, the services the source names, and choosing where to run.

Model modules (`responsibility`, `catalogue`, `chooser`) are plain Python and import no view
library; `charts` and `widgets` draw them. Sources: docs/figures.md §5.
"""
