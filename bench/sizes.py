"""Size of the built layer and of each function after `sam build`, unzipped and zipped, against Lambda's
limits: 250 MB unzipped for a function with all its layers, 50 MB zipped for a package uploaded directly.

    make build && .venv/bin/python -m bench sizes
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from assent_tools.template import ROOT
from bench.report import print_table

BUILD = ROOT / ".aws-sam" / "build"
LAYER = "AssentLayer"
UNZIPPED_LIMIT_MB = 250.0
ZIPPED_LIMIT_MB = 50.0
MB = 1024 * 1024


def _unzipped(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _zipped(folder: Path) -> int:
    """As `sam deploy` packages it: deflated, every file under the folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder))
    return buffer.getbuffer().nbytes


def _size(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size / 1024:.1f} KB"


def main() -> None:
    if not (BUILD / LAYER).is_dir():
        sys.exit(f"{BUILD} has no {LAYER}: run `make build` first")
    layer_unzipped, layer_zipped = _unzipped(BUILD / LAYER), _zipped(BUILD / LAYER)
    rows = [[LAYER, _size(layer_unzipped), _size(layer_zipped), "", ""]]
    functions = sorted(p for p in BUILD.iterdir() if p.is_dir() and p.name != LAYER)
    largest = 0
    for folder in functions:
        unzipped = _unzipped(folder)
        with_layer = (unzipped + layer_unzipped) / MB
        largest = max(largest, unzipped)
        rows.append(
            [
                folder.name,
                _size(unzipped),
                _size(_zipped(folder)),
                f"{with_layer:.1f} MB",
                f"{with_layer / UNZIPPED_LIMIT_MB:.0%}",
            ]
        )
    print(f"after sam build (arm64 wheels), {len(functions)} functions")
    print_table(["package", "unzipped", "zipped", "with the layer", "of 250 MB"], rows)
    biggest = (largest + layer_unzipped) / MB
    print(f"\nlargest function with the layer: {biggest:.1f} of {UNZIPPED_LIMIT_MB:.0f} MB unzipped;")
    print(f"the layer zipped: {layer_zipped / MB:.1f} of {ZIPPED_LIMIT_MB:.0f} MB")


if __name__ == "__main__":
    main()
