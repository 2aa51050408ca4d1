"""Typesetting documents (decisions, invoices) from a Typst template and a JSON view.

`typeset(template, view, created_at=…)` returns PDF/A-3b + PDF/UA-1 bytes. Each thread keeps one
Typst compiler per template (a compiler is not used by two threads at once) with the template
and the bundled fonts loaded, reloaded when the template file changes. Only the bundled fonts
(`fonts/`, Liberation, SIL OFL 1.1) are seen, so the output does not depend on the machine.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

FONTS_DIR = Path(__file__).with_name("fonts")

_compilers: dict[tuple[int, Path], tuple[int, Any]] = {}  # (thread id, template) → (mtime, typst.Compiler)
_compilers_lock = threading.Lock()


def _compiler(template: Path) -> Any:
    import typst

    key = (threading.get_ident(), template)
    stamp = template.stat().st_mtime_ns
    with _compilers_lock:
        cached = _compilers.get(key)
    if cached is None or cached[0] != stamp:
        compiler = typst.Compiler(
            str(template), root=str(template.parent), font_paths=[str(FONTS_DIR)], ignore_system_fonts=True
        )
        cached = (stamp, compiler)
        with _compilers_lock:
            alive = {t.ident for t in threading.enumerate()}
            for gone in [k for k in _compilers if k[0] not in alive]:
                del _compilers[gone]  # threads that ended: let their compilers go
            _compilers[key] = cached
    return cached[1]


def typeset(template: Path, view: dict, *, created_at: datetime) -> bytes:
    """The template typeset with `view` (read by the template as `sys.inputs.view`, JSON) as
    PDF/A-3b + PDF/UA-1, tagged. `created_at` is the metadata's creation date, so the same view
    gives the same bytes."""
    return _compiler(template).compile(
        sys_inputs={"view": json.dumps(view, ensure_ascii=False)},
        pdf_standards=["a-3b", "ua-1"],
        pdf_tags=True,
        timestamp=int(created_at.timestamp()),
    )
