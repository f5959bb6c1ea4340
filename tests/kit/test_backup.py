"""`twinwork backup` and `twinwork restore`: the embedded default copied while it runs and put
back into an empty data dir, every table and every object the same; damaged or hostile archives
and non-empty targets refused with nothing written."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import twinwork
from twinwork.config import Settings
from twinwork.kit.backup import (
    MANIFEST,
    BackupError,
    create_backup,
    read_manifest,
    restore_backup,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("TWINWORK_TEST_BACKEND") == "scaleout",
    reason="the embedded default's own command (its SQLite and files); runs on the embedded pass",
)


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINWORK_")}
    return {**env, "TWINWORK_DATA_DIR": str(data_dir), "COLUMNS": "200"}


def embedded_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=None, storage_url=None, queue_url=None)


def table_rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(database) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


def object_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("live") / "data"
    env = embedded_env(data)
    for args in (("migrate",), ("demo", "--search-events", "120")):
        done = twinwork(env, *args)
        assert done.returncode == 0, done.stderr
    return data


def test_a_restored_backup_has_every_table_row_and_object(demo_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "twinwork.tar"
    backed_up = twinwork(embedded_env(demo_dir), "backup", str(archive))
    assert backed_up.returncode == 0, backed_up.stderr
    assert "Backed up" in backed_up.stdout

    restored_dir = tmp_path / "restored"
    restored = twinwork(embedded_env(restored_dir), "restore", str(archive))
    assert restored.returncode == 0, restored.stderr + restored.stdout

    live_rows = table_rows(demo_dir / "twinwork.db")
    assert live_rows["users"] and live_rows["ledger_entries"] and live_rows["gigs"]
    assert table_rows(restored_dir / "twinwork.db") == live_rows
    assert object_hashes(restored_dir / "objects") == object_hashes(demo_dir / "objects")
    assert (restored_dir / "twinwork.db").stat().st_mode & 0o077 == 0


def test_a_backup_taken_during_writes_sees_whole_transactions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    live = data / "twinwork.db"
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, side TEXT, amount INTEGER)")
    stop = threading.Event()

    def write_balanced_pairs() -> None:
        # Each transaction writes a debit and a credit: a snapshot holding one without the
        # other would be a torn copy.
        with sqlite3.connect(live, timeout=30) as conn:
            while not stop.is_set():
                with conn:
                    conn.execute("INSERT INTO entries (side, amount) VALUES ('debit', 5)")
                    conn.execute("INSERT INTO entries (side, amount) VALUES ('credit', -5)")

    writer = threading.Thread(target=write_balanced_pairs)
    writer.start()
    try:
        manifests = [
            create_backup(embedded_settings(data), tmp_path / f"b{i}.tar") for i in range(3)
        ]
    finally:
        stop.set()
        writer.join()

    for i, manifest in enumerate(manifests):
        (database,) = manifest.databases
        assert database.tables is not None and database.tables["entries"] % 2 == 0
        target = tmp_path / f"restored{i}"
        restore_backup(embedded_settings(target), tmp_path / f"b{i}.tar")
        with sqlite3.connect(target / "twinwork.db") as conn:
            assert conn.execute("SELECT coalesce(sum(amount), 0) FROM entries").fetchone() == (0,)


def small_backup(tmp_path: Path) -> Path:
    data = tmp_path / "small"
    (data / "objects" / "samples").mkdir(parents=True)
    (data / "objects" / "samples" / "one.txt").write_text("a verse about the harbour")
    with sqlite3.connect(data / "twinwork.db") as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    archive = tmp_path / "small.tar"
    create_backup(embedded_settings(data), archive)
    return archive


def test_restore_refuses_a_data_dir_that_holds_data(tmp_path: Path) -> None:
    archive = small_backup(tmp_path)
    target = tmp_path / "busy"
    target.mkdir()
    (target / "secret.key").write_text("keep me")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(embedded_settings(target), archive)
    assert [p.name for p in target.iterdir()] == ["secret.key"]


def rewrite_archive(archive: Path, change: Any) -> Path:
    """A copy of ``archive`` with ``change(name, data) -> (name, data)`` applied to each file."""
    damaged = archive.with_name("damaged.tar")
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source:
            handle = source.extractfile(member)
            name, data = change(member.name, handle.read() if handle else b"")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return damaged


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda n, d: (n, d.replace(b"harbour", b"HARBOUR")),
            "does not match its manifest",
        ),
        (
            lambda n, d: (n.replace("data/objects/samples/one.txt", "data/../../escape.txt"), d),
            "manifest lacks",
        ),
        (lambda n, d: (n, b"{not json") if n == MANIFEST else (n, d), "unreadable"),
    ],
    ids=["flipped-bytes", "path-traversal", "broken-manifest"],
)
def test_a_damaged_or_hostile_archive_is_refused_with_nothing_written(
    tmp_path: Path, change: Any, message: str
) -> None:
    damaged = rewrite_archive(small_backup(tmp_path), change)
    target = tmp_path / "target"
    with pytest.raises(BackupError, match=message):
        restore_backup(embedded_settings(target), damaged)
    assert not target.exists() or not any(target.iterdir())
    assert not (tmp_path / "escape.txt").exists()
    assert not list(tmp_path.glob(".restore-*"))


def test_the_manifest_names_every_file_with_its_hash(tmp_path: Path) -> None:
    manifest = read_manifest(small_backup(tmp_path))
    paths = {f.path: f for f in manifest.files}
    text = paths["data/objects/samples/one.txt"]
    assert text.sha256 == hashlib.sha256(b"a verse about the harbour").hexdigest()
    assert paths["data/twinwork.db"].tables == {"t": 1}


def test_scaled_out_backends_are_sent_to_their_own_tools(tmp_path: Path) -> None:
    postgres = Settings(data_dir=tmp_path, database_url="postgresql://u@127.0.0.1/db")
    with pytest.raises(BackupError, match="pg_dump"):
        create_backup(postgres, tmp_path / "x.tar")
    s3 = Settings(data_dir=tmp_path, database_url=None, storage_url="s3://bucket/prefix")
    with pytest.raises(BackupError, match="S3-compatible"):
        create_backup(s3, tmp_path / "x.tar")
    assert not (tmp_path / "x.tar").exists()


def test_the_backup_goes_outside_the_data_dir_and_never_over_a_file(tmp_path: Path) -> None:
    archive = small_backup(tmp_path)
    with pytest.raises(BackupError, match="already exists"):
        create_backup(embedded_settings(tmp_path / "small"), archive)
    with pytest.raises(BackupError, match="outside the data dir"):
        create_backup(embedded_settings(tmp_path / "small"), tmp_path / "small" / "in.tar")
