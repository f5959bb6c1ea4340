"""Content hashes the domain records for samples and artifacts (shared by every modality)."""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_directory(path: Path) -> str:
    """A stable hash of a directory's content: the same files and bytes give the same hash on any
    machine, whatever the mtimes, permissions or listing order.

    Each file contributes its relative POSIX name and its length before its bytes, so moving
    bytes from one file to another, or renaming, changes the hash.
    """
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    digest = hashlib.sha256()
    files = sorted(
        (p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix()
    )
    for file in files:
        name = file.relative_to(root).as_posix().encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(file.stat().st_size.to_bytes(8, "big"))
        with file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()
