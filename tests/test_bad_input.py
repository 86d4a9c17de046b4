"""Bad input never stops the build: each case is named in `problems` and on
stderr, everything else is still written, and --strict turns it into exit 1."""
from __future__ import annotations

import os

import pandas as pd
from click.testing import CliRunner

from conftest import CHANGJI, sample
from yusuan.cli import main

CHANGJI_TEXT = sample("昌吉").read_text(encoding="utf-8")


def run(content, tmp_path, *extra):
    out = tmp_path / "data"
    result = CliRunner().invoke(main, ["data", "--content", str(content), "--data-dir", str(out),
                                       "--cache-dir", "", *extra])
    return result, out


def docs(out):
    return pd.read_parquet(out / "documents.parquet")


def problems(out):
    return pd.read_parquet(out / "problems.parquet")


def test_gb18030_and_bom_crlf_read_like_utf8(content_with, tmp_path):
    bom = CHANGJI_TEXT.replace("昌吉回族自治州工业和信息化局", "昌吉回族自治州商务局").replace("\n", "\r\n")
    content = content_with({
        "gbk.txt": CHANGJI_TEXT.encode("gb18030"),
        "子目录/bom.txt": b"\xef\xbb\xbf" + bom.encode("utf-8"),
    })
    result, out = run(content, tmp_path)
    assert result.exit_code == 0, result.output
    d = docs(out).set_index("department")
    assert d.loc["昌吉回族自治州工业和信息化局", "encoding"] == "gb18030"
    assert d.loc["昌吉回族自治州商务局", "encoding"] == "utf-8-sig"
    for dept in d.index:
        assert d.loc[dept, "total_budget"] == 2332.95 and d.loc[dept, "n_projects"] == 3
    cells = pd.read_parquet(out / "table_cells.parquet")
    # CRLF does not shift line numbers: 表3 总计 is on line 213 in both files.
    t3 = cells[(cells.table_key == "expenditure") & (cells.row_label == "总计") & (cells.column_key == "total")]
    assert list(t3.source_line) == [213, 213]


def test_empty_random_and_not_a_disclosure(content_with, tmp_path):
    content = content_with({
        "empty.txt": b"",
        "random.txt": os.urandom(4096),
        "notes.txt": "会议纪要\n今天讨论了预算编制工作的安排。\n".encode("utf-8"),
        "good.txt": CHANGJI_TEXT.encode("utf-8"),
    })
    result, out = run(content, tmp_path)
    assert result.exit_code == 0
    p = problems(out).set_index("source_file")
    assert "文件为空" in p.loc["disclosures/empty.txt", "message"]
    assert p.loc["disclosures/random.txt", "message"].startswith("未收录：")
    assert "不是预算或决算公开文件" in p.loc["disclosures/notes.txt", "message"]
    assert set(p.severity) == {"error"}
    assert "disclosures/empty.txt" in result.output          # named on stderr too
    assert list(docs(out).doc_id) == [CHANGJI]               # the good file still builds
    strict, _ = run(content, tmp_path, "--strict")
    assert strict.exit_code == 1


def test_truncated_file_keeps_what_was_read(content_with, tmp_path):
    cut = CHANGJI_TEXT[: CHANGJI_TEXT.index("表 7")]      # ends after table 6
    result, out = run(content_with({"cut.txt": cut.encode("utf-8")}), tmp_path)
    assert result.exit_code == 0
    d = docs(out).iloc[0]
    assert d.total_budget == 2332.95 and d.personnel == 532.25
    assert "gpb_projects" in d.tables_missing
    msgs = " ".join(problems(out).message)
    assert "截断" in msgs and "gpb_projects" in msgs


def test_same_bytes_twice_is_one_document(content_with, tmp_path):
    data = CHANGJI_TEXT.encode("utf-8")
    content = content_with({"a.txt": data, "copy.txt": data})
    result, out = run(content, tmp_path)
    assert result.exit_code == 0
    assert len(docs(out)) == 1
    p = problems(out)
    assert len(p) == 1 and "字节完全相同" in p.message[0] and p.source_file[0] == "disclosures/copy.txt"


def test_two_files_same_department_and_year(content_with, tmp_path):
    other = CHANGJI_TEXT.replace("2,332.95", "2,332.96", 1)
    content = content_with({"a.txt": CHANGJI_TEXT.encode("utf-8"), "b.txt": other.encode("utf-8")})
    result, out = run(content, tmp_path)
    assert len(docs(out)) == 1
    p = problems(out)
    assert p.source_file.tolist() == ["disclosures/b.txt"] and "同一部门" in p.message[0]
    assert run(content, tmp_path, "--strict")[0].exit_code == 1


def test_missing_content_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["data", "--content", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code != 0 and "content folder not found" in result.output


def test_two_departments_with_the_same_pinyin_get_distinct_ids(tmp_path):
    """商务局 and 商物局 read the same in pinyin: the second doc_id gets -2,
    in every dataset (rows renamed after the parallel parse)."""
    content = tmp_path / "content"
    content.mkdir()
    for name in ("商务局", "商物局"):
        (content / f"{name}.txt").write_text(CHANGJI_TEXT.replace("工业和信息化局", name), encoding="utf-8")
    result, out = run(content, tmp_path, "--jobs", "2")
    assert result.exit_code == 0, result.output
    ids = dict(zip(docs(out).department, docs(out).doc_id))
    first, second = ids["昌吉回族自治州商务局"], ids["昌吉回族自治州商物局"]
    assert second == first + "-2"
    cells = pd.read_parquet(out / "table_cells.parquet")
    assert (cells.doc_id == first).sum() == (cells.doc_id == second).sum() > 300
    assert set(pd.read_parquet(out / "checks.parquet").doc_id) == {first, second}


def _edit_line(text: str, line: str, new: str) -> str:
    """The text with the first line that is `line` (表3's: the whole line, not 表2's longer one) replaced."""
    lines = text.split("\n")
    lines[lines.index(line)] = new
    return "\n".join(lines)


def test_placeholder_for_zero_loses_no_amount(content_with, tmp_path):
    """A `-` or `—` printed for zero in a cell of 表3: the column keeps its
    amounts, nothing fails, no problem (it is a zero, not a number we miss)."""
    text = _edit_line(CHANGJI_TEXT, "201\t13\t01\t行政运行\t420.64\t420.64\t", "201\t13\t01\t行政运行\t420.64\t420.64\t—")
    content = content_with({"dash.txt": text.encode("utf-8")})
    result, out = run(content, tmp_path, "--strict")
    cells = pd.read_parquet(out / "table_cells.parquet")
    t3 = cells[cells.table_key == "expenditure"]
    assert len(t3) == 55 and len(t3[t3.column_key == "project"]) == 9   # 表3's cells as in the sample
    d = docs(out).iloc[0]
    assert (d.project_expenditure, d.n_checks_failed) == (1724.25, 0)
    assert problems(out).empty and result.exit_code == 0, result.output


def test_word_in_an_amount_column_is_a_problem_not_a_lost_column(content_with, tmp_path):
    text = _edit_line(CHANGJI_TEXT, "201\t13\t01\t行政运行\t420.64\t420.64\t", "201\t13\t01\t行政运行\t420.64\t420.64\t见说明")
    content = content_with({"word.txt": text.encode("utf-8")})
    result, out = run(content, tmp_path, "--strict")
    cells = pd.read_parquet(out / "table_cells.parquet")
    t3 = cells[cells.table_key == "expenditure"]
    assert len(t3) == 55
    p = problems(out)
    assert p.message.str.contains("见说明").any() and result.exit_code == 1


def test_truncated_document_is_marked_incomplete_and_accuses_nobody(content_with, tmp_path):
    """A file cut off inside 表7: published, marked incomplete, and the sums
    the cut breaks are not the department's failures."""
    cut = CHANGJI_TEXT.index("201\t13\t99\t其他商贸事务支出\t非公有制企业党建项目")
    content = content_with({"cut.txt": CHANGJI_TEXT[:cut].encode("utf-8")})
    result, out = run(content, tmp_path)
    d = docs(out).iloc[0]
    assert (d.complete, d.n_checks_failed) == (False, 0)
    assert d.total_budget == 2332.95
    p = problems(out)
    assert p.message.str.contains("中途结束").any() and p.message.str.contains("缺少标准表").any()
    whole = tmp_path / "whole"
    (whole / "disclosures").mkdir(parents=True)
    (whole / "disclosures" / "whole.txt").write_text(CHANGJI_TEXT, encoding="utf-8")
    _, out2 = run(whole, tmp_path / "2")
    assert bool(docs(out2).iloc[0].complete)
