"""Isolate Jupyter and IPython state for every test run, notebooks included.

Set before any kernel starts, so tests never read or write the user's ~/.jupyter or
~/.ipython, and two runs never share a runtime directory.
"""

import os
import tempfile

_ROOT = tempfile.mkdtemp(prefix="msa-course-tests-")
for _var, _sub in {
    "JUPYTER_CONFIG_DIR": "config",
    "JUPYTER_DATA_DIR": "data",
    "JUPYTER_RUNTIME_DIR": "runtime",
    "IPYTHONDIR": "ipython",
}.items():
    os.environ[_var] = os.path.join(_ROOT, _sub)
    os.makedirs(os.environ[_var], exist_ok=True)
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
