from __future__ import annotations

import hashlib
from pathlib import Path

from twinwork.ml.text import hash_directory, sha256_text
from twinwork.ml.text.prompt import chunk_text, training_brief


def test_sha256_text_hashes_utf8_bytes() -> None:
    assert sha256_text("café") == hashlib.sha256("café".encode()).hexdigest()


def _write(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_directory_hash_depends_on_names_and_bytes_not_on_creation_order(tmp_path: Path) -> None:
    files = {"adapter_config.json": b"{}", "weights/a.bin": b"\x00\x01", "b.txt": b"hi"}
    one = _write(tmp_path / "one", files)
    two = _write(tmp_path / "two", dict(reversed(list(files.items()))))
    assert hash_directory(one) == hash_directory(two)

    renamed = _write(tmp_path / "renamed", {**files, "c.txt": files["b.txt"]} | {})
    (renamed / "b.txt").unlink()
    assert hash_directory(renamed) != hash_directory(one)

    (two / "b.txt").write_bytes(b"hI")
    assert hash_directory(two) != hash_directory(one)

    # Bytes moved from one file to the next must not collide.
    a = _write(tmp_path / "a", {"x": b"ab", "y": b"c"})
    b = _write(tmp_path / "b", {"x": b"a", "y": b"bc"})
    assert hash_directory(a) != hash_directory(b)


def test_long_pieces_are_chunked_without_losing_words() -> None:
    text = "\n\n".join(
        " ".join(f"Sentence {p}-{s} has several plain words." for s in range(12)) for p in range(4)
    )
    chunks = chunk_text(text, 200)
    assert len(chunks) > 4
    assert all(len(c) <= 200 for c in chunks)
    assert " ".join(chunks).split() == text.split()
    assert chunk_text("short", 200) == ["short"]


def test_training_brief_names_the_most_frequent_content_words() -> None:
    text = "Rain on the harbour, ferries late. Rain again, harbour lights, ferries, gulls, rain."
    assert training_brief(text) == "a piece about rain, harbour and ferries"
    assert training_brief("a b c") == "a short piece"
