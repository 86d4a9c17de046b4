"""Builds after a change: the parse cache (adding a file parses only it; a
deleted file disappears) and the department pages kept from the last build
(render/reuse.py: pages whose inputs did not change and whose files are as
recorded are not rewritten, and the site is byte for byte a cold build's)."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ATUSHI, CHANGJI, CONTENT, ZIZHIQU, copy_samples, load_benchmark, sample
import yusuan.pipeline as pipeline
from yusuan.parse import StoredTables


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


def test_source_texts_are_written_again_only_when_changed(tmp_path):
    """A source text made from the same parse, of the recorded size and time,
    is left alone (not even read); one changed by another hand is written
    again, and one of a changed document too."""
    content, cache, out = copy_samples(tmp_path / "content"), tmp_path / "cache", tmp_path / "data"
    quiet = dict(progress=lambda *_: None)
    result = pipeline.run_data(content, out, cache, **quiet)
    texts = {p.name: p.stat().st_mtime_ns for p in (out / "sources").glob("*.txt")}
    assert len(texts) == 3
    read = []
    for d in result.documents:       # the texts are not even read (the data stage runs this in a process of its own)
        d.source_text = lambda d=d: read.append(d.doc_id) or "changed"
    pipeline.write_sources(result, out, cache)
    assert read == [] and {p.name: p.stat().st_mtime_ns for p in (out / "sources").glob("*.txt")} == texts
    edited = out / "sources" / f"{CHANGJI}.txt"
    right = edited.read_bytes()
    edited.write_bytes(right.replace("昌吉".encode(), "某地".encode(), 1))
    pipeline.run_data(content, out, cache, **quiet)
    assert edited.read_bytes() == right
    after = {p.name: p.stat().st_mtime_ns for p in (out / "sources").glob("*.txt")}
    assert {name for name in texts if after[name] != texts[name]} == {edited.name}

    changed = content / "disclosures" / sample("昌吉").name
    changed.write_text(changed.read_text(encoding="utf-8").replace("2,332.95", "2,332.96", 1), encoding="utf-8")
    again = {p.name: p.stat().st_mtime_ns for p in (out / "sources").glob("*.txt")}
    pipeline.run_data(content, out, cache, **quiet)
    assert "收入总计\t2,332.96" in edited.read_text(encoding="utf-8")
    last = {p.name: p.stat().st_mtime_ns for p in (out / "sources").glob("*.txt")}
    assert {name for name in again if last[name] != again[name]} == {edited.name}


def test_files_of_the_same_size_and_time_are_not_read_again(tmp_path):
    """The content index in the cache (pipeline.Known): a file of the size and
    time recorded is taken to have the recorded SHA-256, and a cache entry
    the recorded source file name, without reading either; a file whose
    time or size changed is read (and parsed) again."""
    import os

    content, cache, out = copy_samples(tmp_path / "content"), tmp_path / "cache", tmp_path / "data"
    quiet = dict(progress=lambda *_: None, workers=1)
    pipeline.run_data(content, out, cache, **quiet)
    # the entries a run parsed are known to the next run (their headers, their source files)
    first = json.loads((cache / pipeline.CONTENT_INDEX).read_text(encoding="utf-8"))
    assert sorted(e[2] for e in first["entries"].values()) == sorted(first["files"])
    pipeline.run_data(content, out, cache, **quiet)
    index = json.loads((cache / pipeline.CONTENT_INDEX).read_text(encoding="utf-8"))
    assert index["entries"] == first["entries"]
    for rel, (size, _, sha) in index["files"].items():
        data = (content / rel).read_bytes()
        assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest()), rel
    assert sorted(e[2] for e in index["entries"].values()) == sorted(index["files"])
    for name, (size, _, _, header, at) in index["entries"].items():
        assert header["doc_id"] and at + sum(s for _, s in header["tables"]) + header["text_size"] == size, name

    known = pipeline.Known(cache)
    rel = sorted(index["files"])[0]
    known.files[rel][2] = "0" * 64              # trusted while size and time agree
    assert known.sha256(content / rel, rel) == "0" * 64
    os.utime(content / rel, ns=(1, 1))        # another time: read again
    assert known.sha256(content / rel, rel) == index["files"][rel][2]
    name = sorted(index["entries"])[0]
    known.entries[name][3]["department"] = "由记录读出"     # an entry's header too, while size and time agree
    parsed, _ = known.stored(cache / name)
    assert parsed.department == "由记录读出" and parsed.tables["documents"].num_rows == 1
    os.utime(cache / name, ns=(1, 1))
    parsed, _ = known.stored(cache / name)
    assert parsed.department == index["entries"][name][3]["department"] != "由记录读出"


def test_cached_run_writes_the_same_datasets(tmp_path):
    """A run served from the cache writes exactly what a fresh parse writes,
    with the file's new name where the same bytes moved."""
    content = copy_samples(tmp_path / "content")
    cache = tmp_path / "cache"
    quiet = dict(progress=lambda *_: None, workers=1)
    pipeline.run_data(content, tmp_path / "first", cache, **quiet)
    assert len(list(cache.glob("*.parsed"))) == 3

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
    first = sorted((tmp_path / "first" / "sources").glob("*.txt"))
    assert len(first) == 3
    for k, entry in enumerate(sorted(cache.glob("*.parsed"))):
        # cut short, as by a full disk: in its header, or in its source text (the end of the file)
        entry.write_bytes(entry.read_bytes()[:100 if k == 0 else -10])
    pipeline.run_data(content, tmp_path / "again", cache, **quiet)
    assert len(pd.read_parquet(tmp_path / "again" / "documents.parquet")) == 3
    for text in first:      # every text whole: the entries cut in their text were parsed again
        assert (tmp_path / "again" / "sources" / text.name).read_bytes() == text.read_bytes()


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
    (render/, the command line) or the data stage's (pipeline, the file
    writers) keeps every parse; editing the parser or the vocabulary drops
    them all."""
    import shutil

    import yusuan
    from yusuan.pipeline import parser_version

    package = tmp_path / "yusuan"
    shutil.copytree(Path(yusuan.__file__).parent, package)
    before = parser_version(package)
    for site_file in ("render/department.py", "cli.py", "pipeline.py", "store.py", "aggregate.py", "sql/department_ratios.sql"):
        (package / site_file).write_text((package / site_file).read_text("utf-8") + "\n# edited\n", "utf-8")
        assert parser_version(package) == before, site_file
    for parser_file in ("tables.py", "vocabulary.toml", "read/pdf.py", "parse.py", "rows.py"):
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
        assert all(d.text is None and isinstance(d.tables, StoredTables) for d in result.documents)
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


# ------------------------------------------------------------ department pages kept from the last build

QUIET = dict(progress=lambda *_: None, workers=1)


class Project:
    """A content folder of the samples, its data folder, and site builds from them."""
    def __init__(self, root: Path):
        self.root = root
        self.content = copy_samples(root / "content")
        shutil.copytree(CONTENT / "pages", self.content / "pages")     # the site's hand-written pages
        self.data, self.cache, self.site = root / "data", root / "cache", root / "site"
        self.messages: list[str] = []
        self.colds = 0

    def data_stage(self) -> None:
        pipeline.run_data(self.content, self.data, self.cache, **QUIET)

    def build(self, site: Path | None = None, **options) -> tuple[int, int]:
        """Build the site with the cache; (pages kept, pages) as the build says."""
        from yusuan.render.site import build_site

        self.messages = []
        build_site(self.data, site or self.site, self.content, progress=self.messages.append,
                   cache_dir=self.cache, workers=2, **options)
        return self.said("department pages")

    def said(self, pages: str) -> tuple[int, int]:
        """(pages kept, pages) of a kind as the last build says."""
        (said,) = [m for m in self.messages if f"{pages} unchanged" in m]
        kept, total = re.search(rf"([\d,]+) of ([\d,]+) {pages}", said).groups()
        return int(kept.replace(",", "")), int(total.replace(",", ""))

    @property
    def across_years(self) -> tuple[int, int]:
        """(pages kept, pages) of the departments across years in the last build."""
        return self.said("department-across-years pages")

    def add(self, k: int, year: int) -> Path:
        """A document of the benchmark's synthetic department k (from the first sample) in `year`."""
        bench = load_benchmark()
        name, text, _ = bench.make_file(bench.load_samples()[0], k, year)
        path = self.content / "disclosures" / name
        path.write_text(text, encoding="utf-8")
        return path

    def assert_as_cold(self) -> None:
        """The site is byte for byte what a build without a record makes."""
        from yusuan.render.site import build_site

        self.colds += 1
        cold, cache = self.root / f"cold-{self.colds}", self.root / f"cold-cache-{self.colds}"
        cache.mkdir()
        for bundle in self.cache.glob("vega-*.js"):      # the chart library only (made in ~5 s otherwise)
            shutil.copy(bundle, cache)
        build_site(self.data, cold, self.content, cache_dir=cache, **QUIET)
        ours, theirs = files(self.site), files(cold)
        assert sorted(ours) == sorted(theirs)
        assert not [rel for rel in ours if ours[rel] != theirs[rel]]


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def identities(site: Path, paths) -> dict[str, tuple[int, int]]:
    """Each file of `paths` with its inode and time: the same for a file not written again."""
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths if p.is_file()}


def page_files(site: Path, doc_id: str) -> dict[str, tuple[int, int]]:
    """A document's files in the site (pages, downloads, source), each with its inode and time."""
    return identities(site, [*(site / "docs" / doc_id).rglob("*"), *(site / "sources" / doc_id).rglob("*"),
                             site / "sources" / f"{doc_id}.txt.gz"])


def across_years_files(site: Path) -> dict[str, dict[str, tuple[int, int]]]:
    """Each department's page across years (by its folder's name) → its files, with their inodes and times."""
    return {folder.name: identities(site, folder.rglob("*"))
            for folder in sorted((site / "departments").iterdir()) if folder.is_dir()}


def across_years_of(site: Path, doc_id: str) -> str:
    """The folder of the department page across years that lists the document."""
    (folder,) = [p.parent.name for p in (site / "departments").glob("*/index.html")
                 if f"../../docs/{doc_id}/" in p.read_text(encoding="utf-8")]
    return folder


def search_locations(site: Path) -> set[str]:
    return {entry[0] for path in (site / "search" / "c").glob("*.json.gz")
            for entry in json.loads(gzip.decompress(path.read_bytes()))}


@pytest.fixture
def project(tmp_path) -> Project:
    p = Project(tmp_path)
    p.data_stage()
    return p


def test_the_site_reads_only_the_parts_the_data_stage_wrote(project):
    """Each data part's Arrow copy is kept in the cache by what the part was
    made from: adding a document makes copies of the parts it went into
    only (one per per-document dataset), the others are the same files,
    and the copies of parts gone are removed."""
    from yusuan.store import PARTED, bucket, part_identities

    def copies() -> dict[str, tuple[int, int]]:
        return {p.relative_to(project.cache / "arrow").as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in (project.cache / "arrow").glob("*/*.arrow")}

    project.build()
    before = copies()
    assert len(before) == 3 * len(PARTED)        # three documents, each alone in its year's bucket
    project.add(77, 2026)
    project.data_stage()
    project.build()
    after = copies()
    (added,) = set(part_identities(project.data / "parquet")) - {ZIZHIQU, CHANGJI, ATUSHI}
    shares = bucket(added) in {bucket(ZIZHIQU), bucket(CHANGJI), bucket(ATUSHI)}   # all four are of 2026
    assert len(set(after) - set(before)) == len(PARTED)
    assert len(set(before) - set(after)) == (len(PARTED) if shares else 0)
    assert all(after[name] == before[name] for name in set(before) & set(after))


def test_pages_are_kept_or_made_again_as_their_inputs_change(project, monkeypatch):
    """Adding a document keeps the others' pages and the other departments'
    pages across years (the same files, not rewritten, their contexts not
    made); changing one makes its pages and its department's again;
    removing one removes them and their search entries, or makes its
    department's page again without it. Each time the site is a cold build's."""
    from yusuan.render import departments

    made = []       # the departments whose page across years was made, by slug
    real_context = departments.context
    monkeypatch.setattr(departments, "context", lambda data, k, slug, docs: made.append(slug) or
                        real_context(data, k, slug, docs))
    assert project.build() == (0, 3) and project.across_years == (0, 3)
    before = {doc_id: page_files(project.site, doc_id) for doc_id in (ZIZHIQU, CHANGJI, ATUSHI)}
    assert all(before.values())
    across = across_years_files(project.site)
    assert len(across) == 3 and all(across.values())

    # a new department in 2026, the samples' year: their ranks among the year's
    # documents change (department_ratios), which their pages do not show
    made.clear()
    new = project.add(77, 2026)
    project.data_stage()
    assert project.build() == (3, 4) and project.across_years == (3, 4)
    for doc_id, was in before.items():
        assert page_files(project.site, doc_id) == was, doc_id
    now = across_years_files(project.site)
    assert {slug: now[slug] for slug in across} == across      # not written again
    (added,) = set(now) - set(across)
    assert made == [added] and (project.site / "departments" / added / "index.html").is_file()
    project.assert_as_cold()

    # the new department's page again with its second year, the others kept
    made.clear()
    across = across_years_files(project.site)
    second = project.add(77, 2025)
    project.data_stage()
    assert project.build() == (4, 5) and project.across_years == (3, 4)
    assert made == [added]
    now = across_years_files(project.site)
    assert not set(now[added].values()) & set(across[added].values())
    assert {slug: now[slug] for slug in now if slug != added} == {slug: across[slug] for slug in across if slug != added}
    page = (project.site / "departments" / added / "index.html").read_text(encoding="utf-8")
    assert "年度：2025、2026" in page
    project.assert_as_cold()

    # one amount of one document changed (one of its checks fails now): its pages are made again,
    # and its department's page across years
    made.clear()
    across = across_years_files(project.site)
    changji_slug = across_years_of(project.site, CHANGJI)
    changji = project.content / "disclosures" / sample("昌吉").name
    changji.write_text(changji.read_text(encoding="utf-8").replace("2,332.95", "2,332.96", 1), encoding="utf-8")
    project.data_stage()
    kept, total = project.build()
    assert total == 5 and kept < 5
    now = page_files(project.site, CHANGJI)
    assert now and not [rel for rel, identity in now.items() if identity == before[CHANGJI].get(rel)]
    assert page_files(project.site, ZIZHIQU) == before[ZIZHIQU]
    assert made == [changji_slug] and project.across_years == (3, 4)
    now = across_years_files(project.site)
    assert not set(now[changji_slug].values()) & set(across[changji_slug].values())
    assert {slug: now[slug] for slug in now if slug != changji_slug} == \
        {slug: across[slug] for slug in across if slug != changji_slug}
    project.assert_as_cold()
    assert project.build() == (5, 5) and project.across_years == (4, 4)    # recorded as made again

    # a document removed: gone from docs/, sources/, the search index and its department's
    # pages across years (its only one: the page is gone); the new department's second year
    # removed: its page made again with its first year only
    made.clear()
    across = across_years_files(project.site)
    atushi_slug = across_years_of(project.site, ATUSHI)
    (project.content / "disclosures" / sample("阿图什").name).unlink()
    second.unlink()
    project.data_stage()
    assert project.build()[1] == 3 and project.across_years == (2, 3)
    assert not page_files(project.site, ATUSHI)
    assert not list(project.site.rglob(f"*{ATUSHI}*"))
    assert not [loc for loc in search_locations(project.site) if ATUSHI in loc or atushi_slug in loc]
    assert [loc for loc in search_locations(project.site) if CHANGJI in loc]
    assert made == [added]
    now = across_years_files(project.site)
    assert set(now) == set(across) - {atushi_slug}
    assert not set(now[added].values()) & set(across[added].values())
    page = (project.site / "departments" / added / "index.html").read_text(encoding="utf-8")
    assert "年度：2026<" in page and new.exists()
    assert not (project.site / ".yusuan-previous").exists()
    project.assert_as_cold()


def test_changed_code_or_frame_makes_every_page_again(project, monkeypatch):
    from yusuan.render import fingerprint, reuse

    assert project.build() == (0, 3)
    assert project.build() == (3, 3) and project.across_years == (3, 3)
    before = page_files(project.site, CHANGJI)
    across = across_years_files(project.site)[across_years_of(project.site, CHANGJI)]

    real = fingerprint.code_version
    monkeypatch.setattr(fingerprint, "code_version", lambda config: "changed:" + real(config))
    assert project.build() == (0, 3) and project.across_years == (0, 3)
    assert not set(page_files(project.site, CHANGJI).values()) & set(before.values())
    assert not set(across_years_files(project.site)[across_years_of(project.site, CHANGJI)].values()) & \
        set(across.values())

    # the frame mkdocs made (the shells) is compared after the pages are started: kept ones are made again
    record = project.cache / reuse.RECORD
    saved = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps(dict(saved, frame="another frame")), encoding="utf-8")
    before = page_files(project.site, CHANGJI)
    across = across_years_files(project.site)[across_years_of(project.site, CHANGJI)]
    assert project.build() == (0, 3) and project.across_years == (0, 3)
    assert [m for m in project.messages if "page frame changed" in m]
    assert not set(page_files(project.site, CHANGJI).values()) & set(before.values())
    assert not set(across_years_files(project.site)[across_years_of(project.site, CHANGJI)].values()) & \
        set(across.values())
    project.assert_as_cold()


def test_a_stopped_build_or_another_folder_trusts_nothing(project, monkeypatch):
    """The record is the last thing a build writes and names its site folder."""
    from yusuan.render import search, site
    from yusuan.render.site import SiteError

    assert project.build() == (0, 3)
    other = project.root / "other"
    shutil.copytree(project.site, other)        # every page's files as recorded, in another folder
    assert project.build(other) == (0, 3) and project.across_years == (0, 3)
    assert project.build() == (0, 3) and project.across_years == (0, 3)   # the record was the other folder's

    def stop(*_):
        raise SiteError("stopped")
    # stopped with the last build's pages set aside in the site folder, then once they are back in it
    for where in (site, search):
        with monkeypatch.context() as m:
            m.setattr(where, "run_mkdocs" if where is site else "write_index", stop)
            with pytest.raises(SiteError, match="stopped"):
                project.build()
        assert (project.site / ".yusuan-previous").exists() == (where is site)
        assert project.build() == (0, 3) and project.across_years == (0, 3)
    assert not (project.site / ".yusuan-previous").exists()
    project.assert_as_cold()


def test_search_index_written_again_is_a_cold_builds(project, monkeypatch):
    """Adding a document writes its pages' entry files and the term files of
    their terms (and of the index pages that list documents); every other
    file of search/ stays as it was, not written again, and search/ is byte
    for byte a cold build's. A build stopped while it writes the index
    leaves the theme's own index and worker, which do not read the files
    it wrote, and no record: the next build writes every file."""
    from yusuan.render import search
    from yusuan.render.site import SiteError

    def index_files() -> dict[str, tuple[int, int]]:
        return identities(project.site, (project.site / "search").rglob("*.json.gz"))

    assert project.build() == (0, 3)
    before, was = index_files(), files(project.site / "search")
    project.add(77, 2026)
    project.data_stage()
    assert project.build() == (3, 4)
    now, bytes_now = index_files(), files(project.site / "search")
    written = {rel for rel in now if now[rel] != before.get(rel)}
    # written: the files whose bytes changed (its pages' two, the home page's, the lists'), no other
    assert written == {f"search/{rel}" for rel in bytes_now if rel.endswith(".gz") and bytes_now[rel] != was.get(rel)}
    (said,) = [m for m in project.messages if "search index files written" in m]
    assert said.startswith(f"site: {len(written)} of {len(now)} search index files written")
    entry_files = {rel for rel in written if rel.startswith("search/c/")}
    assert 2 <= len(entry_files) < len([rel for rel in now if rel.startswith("search/c/")])
    assert len(written) < len(now)
    project.assert_as_cold()
    cold = project.root / f"cold-{project.colds}"
    assert files(project.site / "search") == files(cold / "search")

    puts = []
    real = search._Files.put

    def put(self, rel: str, data: bytes) -> None:
        if len(puts) == 3:
            raise SiteError("stopped")
        puts.append(rel)
        real(self, rel, data)
    project.add(78, 2026)
    project.data_stage()
    with monkeypatch.context() as m:
        m.setattr(search._Files, "put", put)
        with pytest.raises(SiteError, match="stopped"):
            project.build()
    stub = json.loads((project.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert stub["docs"] and "yusuan" not in stub["config"]        # mkdocs' own, for the theme's worker
    (worker,) = (project.site / "assets" / "javascripts" / "workers").glob("search.*.min.js")
    assert "yusuan's search worker" not in worker.read_text(encoding="utf-8")
    assert project.build() == (0, 5)
    assert [m for m in project.messages if "search index files written" in m] == []      # no record: every file
    project.assert_as_cold()


def test_a_site_saved_and_restored_keeps_every_page(project):
    """CI keeps site/ with actions/cache, a tar: the restored files have new
    inodes, and their times to the ns or not. Every page is kept, the files
    restored, and the site is a cold build's."""
    assert project.build() == (0, 3)
    for copy in (shutil.copy2, shutil.copy):      # the times kept (tar --posix), then lost
        saved = project.root / "saved"
        shutil.copytree(project.site, saved, copy_function=copy)
        shutil.rmtree(project.site)
        saved.rename(project.site)
        restored = page_files(project.site, CHANGJI)
        assert project.build() == (3, 3) and project.across_years == (3, 3), copy
        assert page_files(project.site, CHANGJI) == restored
        project.assert_as_cold()


def _edit(path: Path) -> None:
    """One byte changed, the size the same: only the hash tells."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def _extra(path: Path) -> None:
    path.with_name("notes.html").write_text("<p>written by someone else</p>", encoding="utf-8")


@pytest.mark.parametrize("damage, document_file, department_file", [
    (_edit, "docs/{}/index.html", "index.html"),
    (_truncate, "sources/{}.txt.gz", "charts.json.gz"),
    (Path.unlink, "docs/{}/data.json.gz", "charts.json.gz"),
    (_extra, "sources/{}/index.html", "index.html"),
], ids=["edited", "truncated", "deleted", "extra file"])
def test_a_page_changed_in_the_site_is_made_again(project, damage, document_file, department_file):
    """A page whose files are not those the record lists (a file edited,
    cut short, deleted, or one more) is made again; the others are kept,
    the same files."""
    assert project.build() == (0, 3)
    before = files(project.site)
    slug = across_years_of(project.site, CHANGJI)
    others = {doc_id: page_files(project.site, doc_id) for doc_id in (ZIZHIQU, ATUSHI)}
    other_slugs = {name: ids for name, ids in across_years_files(project.site).items() if name != slug}
    damage(project.site / document_file.format(CHANGJI))
    damage(project.site / "departments" / slug / department_file)
    assert files(project.site) != before
    assert project.build() == (2, 3) and project.across_years == (2, 3)
    assert files(project.site) == before
    assert {doc_id: page_files(project.site, doc_id) for doc_id in others} == others
    assert {name: ids for name, ids in across_years_files(project.site).items() if name != slug} == other_slugs
    assert project.build() == (3, 3) and project.across_years == (3, 3)    # recorded as made again


@pytest.mark.parametrize("damage", [Path.unlink, _truncate], ids=["deleted", "cut short"])
def test_a_page_whose_search_entries_are_unreadable_is_made_again(project, damage):
    """A kept page's search entries are read by the main process (not handed
    back by the worker that found the page unchanged): missing, the worker
    makes the page again; unreadable when the main process reads them, it
    makes it again itself. Either way the site is a cold build's."""
    from yusuan.render import reuse

    assert project.build() == (0, 3)
    before = files(project.site)
    record = json.loads((project.cache / reuse.RECORD).read_text(encoding="utf-8"))
    damage(reuse.entries_path(project.cache, record["pages"]["documents"][CHANGJI]["fingerprint"]))
    assert project.build() == (2, 3)
    assert files(project.site) == before
    project.assert_as_cold()


def test_row_digests_depend_on_the_rows_not_where_they_sit(tmp_path):
    """A document's rows give the same digest wherever they are in the
    dataset (other documents' rows around them, batches cut elsewhere,
    nulls beside them); a changed value, null or string changes it."""
    import datetime

    import pyarrow as pa

    from yusuan.render.data import SiteData
    from yusuan.render.fingerprint import row_digests

    schema = pa.schema([("doc_id", pa.string()), ("amount", pa.float64()), ("label", pa.string()),
                        ("flag", pa.bool_()), ("n", pa.int64()), ("day", pa.date32())])
    ours = [{"doc_id": "b", "amount": a, "label": lab, "flag": f, "n": n, "day": d}
            for a, lab, f, n, d in [(1.5, "甲", True, None, datetime.date(2026, 1, 2)), (None, None, None, 3, None),
                                    (2.25, "", False, 4, datetime.date(2025, 12, 31))]]

    def digest(rows: list[dict], batch: int) -> str:
        table = pa.Table.from_pylist(rows, schema)
        table = pa.Table.from_batches(table.to_batches(max_chunksize=batch), schema)
        documents = pa.table({"doc_id": sorted({r["doc_id"] for r in rows})})
        return row_digests(SiteData(tmp_path, {"documents": documents, "projects": table}))["b"]

    first = digest(ours, 100)
    neighbours = [{"doc_id": "a", "amount": None, "label": "x" * k, "flag": None, "n": k, "day": None} for k in range(5)]
    after = [{"doc_id": "c", "amount": 9.0, "label": None, "flag": True, "n": None, "day": None}] * 3
    for rows, batch in [(neighbours + ours + after, 100), (neighbours + ours, 6), (ours + after, 2),
                        (neighbours[:1] + ours, 1), (neighbours[:3] + ours + after, 4)]:
        assert digest(rows, batch) == first, (len(rows), batch)
    for change in [{"amount": 1.5000001}, {"label": "乙"}, {"label": None}, {"flag": False}, {"n": 0},
                   {"day": datetime.date(2026, 1, 3)}]:
        assert digest([dict(ours[0], **change)] + ours[1:], 100) != first, change
    assert digest(ours[:2], 100) != first


def test_a_file_that_cannot_be_read_is_never_what_was_recorded(tmp_path):
    """Its page is made again rather than the build stopped (as root, a
    mode cannot make a file unreadable here: a folder stands for it)."""
    from yusuan.render import reuse

    assert reuse._digest(tmp_path) == "" and reuse._digest(tmp_path / "gone") == ""
    (tmp_path / "a").write_bytes(b"x")
    assert reuse._digest(tmp_path / "a") == hashlib.sha256(b"x").hexdigest()


def test_department_slugs_come_from_the_cache_or_are_made_again(project, monkeypatch):
    """A build reads the departments' slugs (pinyin, slow to make) that the
    last one saved; one that is not a slug (a damaged or forged cache) is
    made again, never put into a URL; the site is a cold build's."""
    from yusuan.render import departments

    project.build()
    saved = json.loads((project.cache / departments.SLUGS).read_text(encoding="utf-8"))
    assert sorted(saved["slugs"].values()) == sorted(across_years_files(project.site))
    monkeypatch.setattr(departments, "_slugs", {})
    monkeypatch.setattr(departments, "lazy_pinyin", lambda *a: pytest.fail("made again, not read"))
    assert project.build() == (3, 3)
    project.assert_as_cold()

    changji_slug = across_years_of(project.site, CHANGJI)
    (changji,) = [k for k, slug in saved["slugs"].items() if slug == changji_slug]
    saved["slugs"][changji] = "../../evil"
    (project.cache / departments.SLUGS).write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setattr(departments, "_slugs", {})
    assert project.build() == (3, 3)
    assert across_years_of(project.site, CHANGJI) == changji_slug
    assert not list(project.root.rglob("evil*"))
    project.assert_as_cold()
