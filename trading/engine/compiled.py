"""Keeps numba's on-disk cache of the engine honest.

numba caches each compiled function keyed on its own file's timestamp only. ``pipeline.detect_events``
calls functions of pivots.py, fvg.py, ...; edit one of those and the cached kernel would keep running
the old rule (numba documents this limitation). A stale kernel means wrong signals, so on import the
engine hashes its own sources (plus the numba and Python versions) and, when the hash differs from
the one stored next to the cache, deletes the engine's cached compilations (``*.nbi``/``*.nbc``).
They are rebuilt on first use. Only files of this package's own cache directories are touched.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from pathlib import Path

import numba
from numba.core.registry import CPUDispatcher

_STAMP = "flaxu-engine-sources.sha256"


def _dispatchers(package: str) -> list[CPUDispatcher]:
    found = []
    for name, module in list(sys.modules.items()):
        if name == package or name.startswith(package + "."):
            found.extend(v for v in vars(module).values() if isinstance(v, CPUDispatcher))
    return found


def sources_hash(files: list[Path]) -> str:
    """Hash of the given source files and of the numba and Python versions."""
    digest = hashlib.sha256(f"{numba.__version__} {sys.version}".encode())
    for path in sorted(set(files)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def drop_stale_compilations(package: str, package_dir: Path) -> bool:
    """Delete cached compilations of ``package`` made from other sources; True if any were dropped.

    Call it once the package's modules are imported and before any compiled function runs.
    """
    dispatchers = _dispatchers(package)
    files = [Path(inspect.getsourcefile(d.py_func)) for d in dispatchers]
    current = sources_hash(files)
    dirs = {package_dir / "__pycache__"}
    for d in dispatchers:
        path = getattr(getattr(d, "_cache", None), "_cache_path", None)  # numba internals, hence optional
        if path:
            dirs.add(Path(path))
    dropped = False
    for directory in dirs:
        stamp = directory / _STAMP
        try:
            if stamp.exists() and stamp.read_text().strip() == current:
                continue
            for pattern in ("*.nbi", "*.nbc"):
                for cached in directory.glob(pattern):
                    cached.unlink(missing_ok=True)
                    dropped = True
            if directory.exists():
                stamp.write_text(current)
        except OSError:
            continue  # a read-only cache directory: numba does not write there either
    return dropped
