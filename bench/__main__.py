"""Run every benchmark in this package: each module ``bench/<name>.py`` with a ``main()``.

``python -m bench`` runs them all; ``python -m bench NAME ...`` only the ones named. Each
``main()`` prints its figures and says whether its goals were met; the exit status is 1 when
any goal was missed.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(names: list[str]) -> int:
    found = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    unknown = set(names) - set(found)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(found)}")
    missed = []
    for name in names or found:
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            print(f"== bench.{name}", flush=True)
            if not module.main():
                missed.append(name)
    if missed:
        print(f"goals missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
