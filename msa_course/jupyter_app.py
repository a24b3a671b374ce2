"""Start a learner's Jupyter server: JupyterLab (`msa-course lab`) or JupyterHub's single-user
server (the workshop hub, once per learner).

    python -m msa_course.jupyter_app lab|singleuser [Jupyter options...]

The same server as `jupyter lab` / `jupyterhub-singleuser`, a second of CPU cheaper to start:
jupyter_events imports jsonschema, which imports `rfc3987_syntax` if present, and that compiles
Earley grammars on import (jupyter-server/jupyter_server#1559). Blocked here, as
`msa_course.setup_notebook` does in kernels, jsonschema skips its optional `iri` and
`iri-reference` format checks, which no Jupyter schema uses. In a room of 30 starting at once
on 2 cores that second is 15 s of everyone's wait.
"""

from __future__ import annotations

import sys

APPS = {"lab": "jupyterlab.labapp", "singleuser": "jupyterhub.singleuser"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in APPS:
        sys.exit(f"usage: python -m msa_course.jupyter_app {{{'|'.join(APPS)}}} [options]")
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    import importlib

    app = importlib.import_module(APPS[argv[0]])
    sys.argv = [f"{sys.argv[0]} {argv[0]}", *argv[1:]]
    return app.main() or 0


if __name__ == "__main__":
    sys.exit(main())
