"""Every file the app writes goes through one atomic path: killed or failing mid-write, the old
file stays whole and no half file or temporary is left beside it."""

import pytest

from explorer.paths import atomic_path, write_atomically


def test_a_write_that_fails_midway_leaves_the_old_file_whole_and_no_temporary(tmp_path):
    target = tmp_path / "weights.pt"
    write_atomically(target, b"the old, good file")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            temp.write_bytes(b"half of the new")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"the old, good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.pt"]
    write_atomically(target, "the new one")
    assert target.read_text() == "the new one" and sorted(p.name for p in tmp_path.iterdir()) == ["weights.pt"]


def test_a_saved_png_replaces_the_old_one_in_one_step(tmp_path, qapp):
    from PySide6.QtGui import QImage

    from explorer.ui.figures.images import save_png

    target = tmp_path / "shot.png"
    image = QImage(8, 8, QImage.Format_RGB888)
    image.fill(0)
    assert save_png(image, target) and QImage(str(target)).width() == 8
    assert not save_png(image, tmp_path / "missing-folder" / "shot.png")  # said by the caller, never raised
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.png"]


def test_an_export_folder_is_trimmed_to_its_limit_least_recently_used_first(tmp_path):
    import os

    from explorer.paths import mark_used, trim_folder

    for i, stem in enumerate(["old", "middle", "new"]):
        (tmp_path / f"{stem}.onnx").write_bytes(b"x" * 400_000)
        (tmp_path / f"{stem}.sha256").write_text("digest")
        os.utime(tmp_path / f"{stem}.onnx", (1000 + i, 1000 + i))
        os.utime(tmp_path / f"{stem}.sha256", (1000 + i, 1000 + i))
    mark_used(tmp_path / "old.onnx")  # used just now: the most recent
    removed = trim_folder(tmp_path, limit_mb=0.9)
    assert removed == ["middle"]  # 1.2 MB -> 0.8 MB: one entry (with its checksum) had to go
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.onnx", "new.sha256", "old.onnx", "old.sha256"]
    assert trim_folder(tmp_path, limit_mb=0.9) == []  # within its limit: nothing more
