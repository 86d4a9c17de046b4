"""The parse cache: adding a file parses only it; a deleted file disappears."""
from __future__ import annotations

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
