"""A widget that still reads where no widget front-end runs (GitHub, nbviewer, the static site).

JupyterLab renders a widget's view and ignores the rest of its mimebundle; other viewers fall
back to the bundle's text/html. Mix this in before the ipywidgets class and define
`static_html()` (and, optionally, `static_text()` for plain-text viewers).
"""

from __future__ import annotations


class StaticFallback:
    def static_html(self) -> str:  # pragma: no cover - every user defines it
        raise NotImplementedError

    def static_text(self) -> str | None:
        return None

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle  # (data, metadata) or data
        data["text/html"] = self.static_html()
        text = self.static_text()
        if text is not None:
            data["text/plain"] = text
        return bundle
