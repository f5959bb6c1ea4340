"""Backup and restore of the embedded default: the data dir's SQLite databases, taken
consistently while the product runs, plus every object, keys and settings file beside them.

One archive (a plain tar) holds ``manifest.json`` first and then every file under ``data/``
(the data dir) or ``storage/`` (a ``file://`` object store kept outside the data dir). The
manifest names each file with its size and SHA-256, and each database's tables with their row
counts, so a restore checks every byte before it puts anything in place.

Databases are copied first, with SQLite's online backup (a snapshot that sees either all or none
of each transaction, whatever the web process and the worker are writing), and the objects after
them. Objects are written before the rows that point to them, so every row in the snapshot finds
its object in the archive; an object written during the backup may come along without a row,
which is harmless. The model cache (``models/``) is left out: it is rebuilt from storage.

A PostgreSQL database or an S3-compatible store is backed up with their own tools (``pg_dump``,
bucket versioning): this module refuses them with that advice instead of a partial copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from twinwork.config import Settings

FORMAT = "twinwork-backup/1"
MANIFEST = "manifest.json"
SQLITE_HEADER = b"SQLite format 3\x00"
SKIPPED_DIRS = frozenset({"models"})
"""Caches rebuilt from storage on first use."""
SKIPPED_SUFFIXES = (".db-wal", ".db-shm", ".db-journal", "-wal", "-shm", "-journal", ".tmp")
"""A database's side files: the online backup already holds what they add."""


class BackupError(Exception):
    """Why a backup or restore cannot go on, in words for the operator."""


@dataclass(frozen=True)
class ArchivedFile:
    path: str
    """Inside the archive: ``data/<relative path>`` or ``storage/<object key>``."""
    size: int
    sha256: str
    tables: dict[str, int] | None = None
    """For a SQLite database: each table's row count when the snapshot was taken."""


@dataclass
class Manifest:
    format: str
    created_at: str
    files: list[ArchivedFile] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def databases(self) -> list[ArchivedFile]:
        return [f for f in self.files if f.tables is not None]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            document = json.loads(raw)
            files = [ArchivedFile(**entry) for entry in document["files"]]
            manifest = cls(document["format"], document["created_at"], files)
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(
                "The archive's manifest is unreadable: not a twinwork backup."
            ) from exc
        if manifest.format != FORMAT:
            raise BackupError(f"The archive is {manifest.format!r}; this version reads {FORMAT!r}.")
        return manifest


@dataclass(frozen=True)
class _Roots:
    data: Path
    storage: Path | None
    """A ``file://`` store outside the data dir; None when it lives inside it (the default)."""


def _embedded_roots(settings: Settings) -> _Roots:
    url = settings.resolved_database_url
    if not url.startswith("sqlite"):
        raise BackupError(
            "The database is PostgreSQL: back it up with pg_dump (and the object store with its "
            "own versioning or replication). `twinwork backup` covers the embedded default."
        )
    storage_url = settings.resolved_storage_url
    if not storage_url.startswith("file://"):
        raise BackupError(
            "Objects live in an S3-compatible store: back the bucket up with its own versioning "
            "or replication. `twinwork backup` covers the embedded default."
        )
    data = settings.resolved_data_dir
    storage = Path(urlparse(storage_url).path).resolve()
    inside = storage == data or data in storage.parents
    return _Roots(data=data, storage=None if inside else storage)


def _sha256_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _walk(root: Path, skip_dirs: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Regular files under ``root`` in a stable order, links and skipped folders left out."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not (here == root and d in skip_dirs) and not (here / d).is_symlink()
        )
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or name.endswith(SKIPPED_SUFFIXES):
                continue
            yield path


def _snapshot_sqlite(source: Path, target: Path) -> dict[str, int]:
    """An online, transactionally consistent copy; returns each table's row count in it."""
    # Read-only URI: the backup never creates or changes the live database.
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as live:
        with sqlite3.connect(target) as copy:
            live.backup(copy)
    return sqlite_table_counts(target)


def sqlite_table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
        }


def create_backup(settings: Settings, archive: Path) -> Manifest:
    """Write a backup of the running embedded product to ``archive`` (a new file)."""
    roots = _embedded_roots(settings)
    if not roots.data.is_dir():
        raise BackupError(f"There is no data dir at {roots.data}: nothing to back up.")
    archive = archive.expanduser().resolve()
    if archive.exists():
        raise BackupError(f"{archive} already exists: choose a new file name.")
    if roots.data in archive.parents:
        raise BackupError("Write the backup outside the data dir it copies.")
    archive.parent.mkdir(parents=True, exist_ok=True)

    manifest = Manifest(FORMAT, datetime.now(UTC).isoformat(timespec="seconds"))
    sources: list[tuple[str, Path]] = []  # (archive path, file to add)
    with tempfile.TemporaryDirectory(prefix="twinwork-backup-") as scratch:
        candidates = list(_walk(roots.data, SKIPPED_DIRS))
        # Databases first: every object a snapshot row points to already exists by then.
        for index, path in enumerate(p for p in candidates if _is_sqlite(p)):
            copy = Path(scratch) / f"{index}.db"
            tables = _snapshot_sqlite(path, copy)
            name = f"data/{path.relative_to(roots.data).as_posix()}"
            size, digest = _sha256_file(copy)
            manifest.files.append(ArchivedFile(name, size, digest, tables))
            sources.append((name, copy))
        others = [("data", roots.data, p) for p in candidates if not _is_sqlite(p)]
        if roots.storage is not None and roots.storage.is_dir():
            others += [("storage", roots.storage, p) for p in _walk(roots.storage)]
        for prefix, root, path in others:
            try:
                size, digest = _sha256_file(path)
            except FileNotFoundError:
                continue  # deleted while we walked (an erasure): its row is gone too
            name = f"{prefix}/{path.relative_to(root).as_posix()}"
            manifest.files.append(ArchivedFile(name, size, digest))
            sources.append((name, path))

        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, manifest.to_json())
            for (name, path), entry in zip(sources, manifest.files, strict=True):
                _add_checked(tar, name, path, entry)
        os.replace(partial, archive)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_checked(tar: tarfile.TarFile, name: str, path: Path, entry: ArchivedFile) -> None:
    """Add the bytes that were hashed: a file changed since is an error, not a silent mismatch."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise BackupError(f"{path} changed while the backup ran: run the backup again.")
    _add_bytes(tar, name, data)


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.getmember(MANIFEST)
            handle = tar.extractfile(member)
            if handle is None:
                raise BackupError("The archive's manifest is not a file.")
            return Manifest.from_json(handle.read())
    except (tarfile.TarError, KeyError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable twinwork backup ({exc}).") from exc


def restore_backup(settings: Settings, archive: Path) -> Manifest:
    """Put a backup into an empty data dir (and an empty object store), checking every hash
    first. Nothing is written where the product lives until the whole archive has checked out."""
    roots = _embedded_roots(settings)
    for root in (roots.data, roots.storage):
        if root is not None and _holds_data(root):
            raise BackupError(
                f"{root} is not empty: restore into an empty data dir (move the old one aside)."
            )
    manifest = read_manifest(archive)
    expected = {entry.path: entry for entry in manifest.files}
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=roots.data.parent))
    try:
        _extract_checked(archive, expected, staging)
        _move_into_place(staging / "data", roots.data)
        if roots.storage is not None:
            _move_into_place(staging / "storage", roots.storage)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _holds_data(root: Path) -> bool:
    """Anything there but empty databases: the command itself opens the job queue's database
    at start-up, and an empty one holds nothing a restore could lose."""
    if not root.exists():
        return False
    for path in _walk(root):
        if not _is_sqlite(path) or any(sqlite_table_counts(path).values()):
            return True
    return False


def _clear_empty(root: Path) -> None:
    for path in [*_walk(root), *root.glob("*-wal"), *root.glob("*-shm"), *root.glob("*-journal")]:
        path.unlink(missing_ok=True)
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        folder.rmdir()


def _extract_checked(archive: Path, expected: dict[str, ArchivedFile], staging: Path) -> None:
    seen: set[str] = set()
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile():
                raise BackupError(f"The archive holds {member.name!r}, which its manifest lacks.")
            target = (staging / member.name).resolve()
            if staging.resolve() not in target.parents:
                raise BackupError(f"The archive path {member.name!r} leaves the data dir.")
            handle = tar.extractfile(member)
            data = handle.read() if handle is not None else b""
            if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
                raise BackupError(
                    f"{member.name} does not match its manifest: the archive is damaged."
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            target.chmod(0o600)  # the data dir holds the signing keys
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"The archive lacks {len(missing)} files its manifest names: {missing[:3]}"
        )


def _move_into_place(source: Path, root: Path) -> None:
    if not source.exists():
        root.mkdir(parents=True, exist_ok=True)
        return
    if root.exists():
        _clear_empty(root)  # checked to hold no data above
        root.rmdir()
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, root)  # a rename on one file system, a copy across two
