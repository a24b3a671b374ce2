"""What every chapter's views share: the theme, the explorer frame, self-checks, tables.

Submodules import plotly and ipywidgets; this package's __init__ imports none of them so
that model code may import `msa_course.ui.html` helpers without paying for widgets.
"""
