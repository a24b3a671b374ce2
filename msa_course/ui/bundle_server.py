"""A Jupyter server extension that serves plotly's FigureWidget bundle as one file.

Without it every FigureWidget carries plotly's 5 MB front-end bundle in its widget state
(anywidget's `_esm`): a chapter with six explorers sent 30 MB from the kernel through the
server to the browser, and the browser parsed each copy. Served here once, at a URL named by
the bundle's digest, the browser downloads it once, caches it (compiled, across chapters) and
every explorer's widget state holds a small loader (ui/figurewidget.py) instead.

The server tells its kernels where the bundle is through the environment they inherit
(`URL_ENV`). A kernel uses the URL only when its own plotly has the same bundle; under any
other Jupyter server (no `URL_ENV`) FigureWidget carries the bundle as before. Enabled by
msa_course/lab_config/jupyter_server_config.json, the configuration of `msa-course lab`, the
workshop hub's servers and the browser tests. Importing plotly here would cost the server a
second; the bundle is found by its package path.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

URL_ENV = "MSA_COURSE_PLOTLY_BUNDLE_URL"


@functools.cache
def bundle_path() -> Path | None:
    """plotly's FigureWidget bundle (plotly >= 6), or None."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "package_data" / "widgetbundle.js"
    return path if path.is_file() else None


@functools.cache
def bundle_digest() -> str:
    """The bundle's content digest (16 hex digits): its URL and its key in the page."""
    path = bundle_path()
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path else ""


def bundle_route(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/msa-course/plotly-widget-{bundle_digest()}.js"


def _jupyter_server_extension_points():
    return [{"module": "msa_course.ui.bundle_server"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web

    path = bundle_path()
    if path is None:
        serverapp.log.info("msa_course: plotly has no widget bundle; FigureWidget carries its own")
        return
    body = path.read_bytes()

    class BundleHandler(JupyterHandler):
        @web.authenticated
        def get(self) -> None:
            # the URL names the content: it never changes, so the browser may keep it
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            self.set_header("Cache-Control", "private, max-age=31536000, immutable")
            self.finish(body)

    route = bundle_route(serverapp.base_url)
    serverapp.web_app.add_handlers(".*$", [(route, BundleHandler)])
    os.environ[URL_ENV] = route  # kernels started from now on inherit it
