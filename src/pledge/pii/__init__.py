"""PII detection and redaction for customer-service transcripts.

    >>> from pledge.pii import detect, redact
    >>> text = "Customer: my email is jo@example.com"
    >>> redact(text, detect(text))
    'Customer: my email is [EMAIL]'

See ``docs/pii.md`` for how each label is found and how accuracy is measured.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from pledge.pii.native import compiled_modules, native_dirs


def _use_native(dirs: tuple[Path, Path]) -> None:
    """Put the compiled build first and load every compiled module; if one will not load (a
    damaged or foreign file), take the build away again and forget what it half-loaded, so
    the package loads as plain Python."""
    package, lib = str(dirs[0]), str(dirs[1])
    __path__.insert(0, package)
    sys.path.append(lib)
    try:
        for module in compiled_modules(Path(__file__).resolve().parent):
            importlib.import_module(f"{__name__}.{module}")
    except Exception as exc:  # any failure of the build falls back to the source
        __path__.remove(package)
        sys.path.remove(lib)
        for name in [n for n in sys.modules if n.startswith(__name__ + ".")]:
            if name != __name__ + ".native":
                del sys.modules[name]
        logging.getLogger(__name__).warning(
            "compiled PII detector not loaded (%s); running as plain Python",
            type(exc).__name__,
        )


# A compiled build of these modules, when one matches their source (`pledge.pii.native`).
_native = native_dirs(Path(__file__).resolve().parent)
if _native is not None:
    _use_native(_native)

from pledge.pii.detector import Detector, detect  # noqa: E402 - after the build is on __path__
from pledge.pii.redact import redact  # noqa: E402 - after the build is on __path__
from pledge.pii.spans import LABELS, Span, merge_spans  # noqa: E402 - after the build is on __path__

__all__ = ["LABELS", "Detector", "Span", "detect", "merge_spans", "redact"]
