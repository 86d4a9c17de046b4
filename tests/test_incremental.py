"""The parse cache: adding a file parses only it; a deleted file disappears."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from conftest import CHANGJI, copy_samples, sample
import yusuan.pipeline as pipeline


def test_add_change_delete(tmp_path, monkeypatch):
    content = copy_samples(tmp_path / "content")
    cache, out = tmp_path / "cache", tmp_path / "data"
    parsed = []
    real = pipeline.parse_file
    monkeypatch.setattr(pipeline, "parse_file", lambda p, r: parsed.append(p.name) or real(p, r))
    quiet = dict(progress=lambda *_: None, workers=1)   # parse here, where the spy sees it

    pipeline.run_data(content, out, cache, **quiet)
    assert len(parsed) == 3
    parsed.clear()

    new = content / "disclosures" / "new.txt"
    new.write_text(sample("昌吉").read_text(encoding="utf-8").replace("昌吉回族自治州工业和信息化局", "昌吉回族自治州商务局"),
                   encoding="utf-8")
    pipeline.run_data(content, out, cache, **quiet)
    assert parsed == ["new.txt"]                       # only the new file was parsed
    assert len(pd.read_parquet(out / "documents.parquet")) == 4
    parsed.clear()

    new.write_text(new.read_text(encoding="utf-8").replace("2,332.95", "2,332.96", 1), encoding="utf-8")
    pipeline.run_data(content, out, cache, **quiet)
    assert parsed == ["new.txt"]                       # a changed file is parsed again
    parsed.clear()

    changji = sample("昌吉").name
    (content / "disclosures" / changji).unlink()
    pipeline.run_data(content, out, cache, **quiet)
    assert parsed == []
    for name in ["documents", "table_cells", "checks", "projects"]:
        assert CHANGJI not in set(pd.read_parquet(out / f"{name}.parquet").doc_id), name
    assert not (out / "sources" / f"{CHANGJI}.txt").exists()


def test_cached_run_writes_the_same_datasets(tmp_path):
    """A run served from the cache writes exactly what a fresh parse writes,
    with the file's new name where the same bytes moved."""
    content = copy_samples(tmp_path / "content")
    cache = tmp_path / "cache"
    quiet = dict(progress=lambda *_: None, workers=1)
    pipeline.run_data(content, tmp_path / "first", cache, **quiet)
    assert len(list(cache.iterdir())) == 3

    old = content / "disclosures" / sample("昌吉").name
    old.rename(old.with_name("moved.txt"))
    pipeline.run_data(content, tmp_path / "cached", cache, **quiet)
    pipeline.run_data(content, tmp_path / "fresh", None, **quiet)
    written = sorted(p.name for p in (tmp_path / "fresh").glob("*.parquet"))
    assert len(written) == 19
    for name in written:
        cached = pd.read_parquet(tmp_path / "cached" / name)
        pd.testing.assert_frame_equal(cached, pd.read_parquet(tmp_path / "fresh" / name), obj=name)
    documents = pd.read_parquet(tmp_path / "cached" / "documents.parquet").set_index("doc_id")
    assert documents.loc[CHANGJI, "source_file"] == "disclosures/moved.txt"


def test_unreadable_cache_entry_is_parsed_again(tmp_path):
    content = copy_samples(tmp_path / "content")
    cache = tmp_path / "cache"
    quiet = dict(progress=lambda *_: None, workers=1)
    pipeline.run_data(content, tmp_path / "first", cache, **quiet)
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[:100])    # cut short, as by a full disk
    pipeline.run_data(content, tmp_path / "again", cache, **quiet)
    assert len(pd.read_parquet(tmp_path / "again" / "documents.parquet")) == 3


def test_cache_keeps_only_what_the_run_uses(tmp_path):
    """Entries of deleted files and of older parser versions are removed (the
    cache is kept between CI runs); other files in the folder are not."""
    content = copy_samples(tmp_path / "content")
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = [cache / f"{'a' * 64}-{'0' * 16}.parsed", cache / f"{'b' * 64}-{'1' * 16}.json"]
    other = [cache / "vega-1.9.0.js", cache / "notes.txt"]
    for path in stale + other:
        path.write_text("x", encoding="utf-8")
    quiet = dict(progress=lambda *_: None, workers=1)
    pipeline.run_data(content, tmp_path / "data", cache, **quiet)
    entries = sorted(p.name for p in cache.glob("*.parsed"))
    assert len(entries) == 3 and not any(p.exists() for p in stale) and all(p.exists() for p in other)

    (content / "disclosures" / sample("昌吉").name).unlink()
    pipeline.run_data(content, tmp_path / "data", cache, **quiet)
    assert len(list(cache.glob("*.parsed"))) == 2


def test_parse_cache_outlives_site_changes_not_parser_changes(tmp_path):
    """The parse cache is keyed by the parser's code: editing the site's code
    (render/, the command line) keeps every parse; editing the parser or the
    vocabulary drops them all."""
    import shutil

    import yusuan
    from yusuan.pipeline import parser_version

    package = tmp_path / "yusuan"
    shutil.copytree(Path(yusuan.__file__).parent, package)
    before = parser_version(package)
    for site_file in ("render/department.py", "cli.py"):
        (package / site_file).write_text((package / site_file).read_text("utf-8") + "\n# edited\n", "utf-8")
        assert parser_version(package) == before, site_file
    for parser_file in ("tables.py", "vocabulary.toml", "read/pdf.py"):
        edited = package / parser_file
        original = edited.read_text("utf-8")
        edited.write_text(original + "\n# edited\n", "utf-8")
        assert parser_version(package) != before, parser_file
        edited.write_text(original, "utf-8")
    assert parser_version(package) == before


def test_data_stage_keeps_no_rows_or_texts_in_memory(tmp_path):
    """At 10,000 documents the rows and texts are gigabytes: the data stage
    keeps each parse in its cache entry (a scratch one without a cache) and
    reads it when it is written."""
    content = copy_samples(tmp_path / "content")
    for cache in (tmp_path / "cache", None):
        result = pipeline.run_data(content, tmp_path / "data", cache, progress=lambda *_: None)
        assert len(result.documents) == 3
        assert all(d.text is None and isinstance(d.tables, pipeline.StoredTables) for d in result.documents)
        assert not hasattr(result, "tables")


def test_parquet_written_in_parts_is_the_same_bytes(tmp_path, monkeypatch):
    """A dataset written a document at a time is byte for byte the file
    pq.write_table writes from the whole table, row groups included."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from yusuan import store

    monkeypatch.setattr(store, "ROW_GROUP", 7)
    whole = pa.table({"doc_id": [f"d{k // 4}" for k in range(30)], "amount": [k * 1.5 for k in range(30)]})
    pq.write_table(whole, tmp_path / "whole.parquet", compression="zstd", row_group_size=7)
    for sizes in ([30], [4] * 7 + [2], [1, 13, 0, 16]):
        parts = store.ParquetParts(tmp_path / "parts.parquet", whole.schema)
        at = 0
        for n in sizes:
            parts.add(whole.slice(at, n))
            at += n
        parts.close()
        assert (tmp_path / "parts.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes(), sizes
    empty = store.ParquetParts(tmp_path / "empty.parquet", whole.schema)
    empty.close()
    pq.write_table(whole.schema.empty_table(), tmp_path / "empty-whole.parquet", compression="zstd")
    assert (tmp_path / "empty.parquet").read_bytes() == (tmp_path / "empty-whole.parquet").read_bytes()
