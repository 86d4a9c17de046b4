"""What a reader finds on the pages of real published documents (the PDFs
in tests/real) and of a document cut off in the middle of its tables.

Expected figures are read from the documents themselves: the PDFs'
printed text (pdftotext -layout, quoted in each test) and the sample text
files; the datasets are used only to find which rows to look at."""
from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from site_fixtures import (BEIJING, JIANGSU_2018, PUTUO_ACCOUNTS, PUTUO_UNIT, REAL, YANTAI,  # noqa: F401
                           line_links, real_pdf_site, truncated_site)

CUT = "2026-changjihuizuzizhizhougongyehexinxihuaju"
WHOLE = "2026-atushenshishangwukejihegongyexinxihuaju"
MAX_PAGE = 100_000


def html(root: Path, path: str) -> str:
    return (root / "site" / path / "index.html").read_text(encoding="utf-8")


def text(fragment: str) -> str:
    """The fragment's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def article(page: str) -> str:
    return page[page.index('<article class="md-content__inner md-typeset">'):page.index("</article>")]


CARD = re.compile(r'<div class="ys-fig"><div class="ys-fig-label">(.*?)</div><div class="ys-fig-value">(.*?)</div>'
                  r'(?:<div class="ys-fig-note">(.*?)</div>)?</div>')


def cards(page: str, section: str = "figures") -> dict[str, tuple[str, str]]:
    """The figure cards right after the heading `section`: label → (value, note)."""
    start = page.index(f'<h2 id="{section}">')
    grid = page[page.index('<div class="ys-figures">', start):]
    grid = grid[:grid.index("\n</div>")]
    return {text(label): (text(value), text(note or "")) for label, value, note in CARD.findall(grid)}


def section(page: str, sid: str) -> str:
    """The HTML from heading `sid` to the next h2."""
    start = page.index(f'<h2 id="{sid}">')
    end = page.find("<h2 ", start + 5)
    return page[start:end if end > 0 else None]


def pdf_text(rel: str) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    return subprocess.run(["pdftotext", "-layout", str(REAL / rel), "-"], capture_output=True, text=True,
                          check=True).stdout


def docs(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "data" / "documents.parquet").set_index("doc_id")


def source_lines(root: Path, doc_id: str) -> list[str]:
    return (root / "data" / "sources" / f"{doc_id}.txt").read_text(encoding="utf-8").split("\n")


# ---------------------------------------------------------------- a document cut off in its tables

def test_truncated_document_page_says_its_figures_are_partial(truncated_site):
    d = docs(truncated_site)
    cut, whole = d.loc[CUT], d.loc[WHOLE]
    assert not cut.complete and whole.complete
    assert cut.n_tables_found < cut.n_tables_expected
    page = article(html(truncated_site, f"docs/{CUT}"))
    banner = page[page.index('<div class="ys-incomplete"'):]
    banner = text(banner[:banner.index("</div>")])
    assert banner.startswith("文件不完整：数字只是部分")
    assert f"应有的标准表只读出 {cut.n_tables_found} / {cut.n_tables_expected} 张" in banner
    # where it breaks off: 表7, whose title is line 333 of the file as cut (and of the published text)
    assert "文件在表7「一般公共预算项目支出情况表」中途结束" in banner
    cut_file = (truncated_site / "content" / "disclosures" / "cut.txt").read_text(encoding="utf-8").split("\n")
    assert cut_file[333 - 1] == "一般公共预算项目支出情况表" == source_lines(truncated_site, CUT)[333 - 1]
    assert f'<a href="../../sources/{CUT}/#L333">333</a>' in page
    # before the figures, so a reader sees it before reading any of them
    assert page.index('class="ys-incomplete"') < page.index('<h2 id="figures">')
    assert "ys-incomplete" not in html(truncated_site, f"docs/{WHOLE}")


def test_coverage_line_on_every_document_page(truncated_site):
    cells = pd.read_parquet(truncated_site / "data" / "table_cells.parquet").groupby("doc_id").size()
    for doc_id, d in docs(truncated_site).iterrows():
        page = article(html(truncated_site, f"docs/{doc_id}"))
        line = text(page[page.index('<p class="ys-coverage-line">'):page.index("</p>", page.index("ys-coverage-line"))])
        assert line.startswith(f"读取情况：应有的标准表读出 {d.n_tables_found} / {d.n_tables_expected} 张，"
                               f"金额单元格 {cells[doc_id]:,} 个"), line
        assert ("文件不完整" in line) == (not d.complete)
        assert page.index("ys-coverage-line") < page.index('<h2 id="figures">')
        problems = cards(page, "problems")
        assert problems["文件"][0] == ("完整" if d.complete else "不完整")


def test_truncated_document_marked_in_compare_and_transparency(truncated_site):
    for path in ("compare", "transparency"):
        page = html(truncated_site, path)
        rows = {m[0]: text(m[1]) for m in re.findall(r'<tr id="d-([^"]+)"[^>]*>(.*?)</tr>', page, re.S)}
        assert "昌吉回族自治州工业和信息化局（不完整）" in rows[CUT], path
        assert "不完整" not in rows[WHOLE], path
    d = docs(truncated_site).loc[CUT]
    assert f"{d.n_tables_found} / {d.n_tables_expected}" in text(
        re.search(rf'<tr id="d-{CUT}"[^>]*>(.*?)</tr>', html(truncated_site, "transparency"), re.S)[1])


# ---------------------------------------------------------------- real PDFs

def test_two_file_document_shows_both_files(real_pdf_site):
    page = article(html(real_pdf_site, f"docs/{BEIJING}"))
    for name in ("医疗保障局_附件1：北京市医疗保障局2026年度部门预算情况说明.pdf",
                 "医疗保障局_附件2：北京市医疗保障局2026年度部门预算报表.pdf"):
        assert f"原文件：{name}" in text(page)
    source = html(real_pdf_site, f"sources/{BEIJING}")
    lines = source_lines(real_pdf_site, BEIJING)
    # site.js sets these lines apart and lists them in the page's index (test_browser.py)
    marks = re.search(r'data-marks="([\d,]*)"', source)[1].split(",")
    assert [lines[int(n) - 1] for n in marks if lines[int(n) - 1].startswith("=== 文件 ")] == [
        "=== 文件 disclosures/beijing/医疗保障局_附件1：北京市医疗保障局2026年度部门预算情况说明.pdf ===",
        "=== 文件 disclosures/beijing/医疗保障局_附件2：北京市医疗保障局2026年度部门预算报表.pdf ==="]
    assert "本文件由 2 个文件合成" in text(source)


def test_two_file_document_figures_are_the_printed_ones(real_pdf_site):
    """附件2 p.1 (pdftotext): 本年收入合计 110,387.976749 / 上年结转结余 508.642853 / 收入总计 110,896.619602."""
    printed = pdf_text("beijing/医疗保障局_附件2：北京市医疗保障局2026年度部门预算报表.pdf")
    assert re.search(r"本年收入合计\s+110,387\.976749", printed) and re.search(r"上年结转结余\s+508\.642853", printed)
    assert re.search(r"收入总计\s+110,896\.619602", printed)
    figures = cards(html(real_pdf_site, f"docs/{BEIJING}"))
    assert figures["收支总预算"][0] == "110,896.62 万元"
    assert figures["本年收入"][0] == "110,387.98 万元"
    assert figures["上年结转结余"][0] == "508.64 万元"
    # the income table: its 合计 row is printed without a label; its sources are read from it
    income = text(section(html(real_pdf_site, f"docs/{BEIJING}"), "income"))
    assert "本年收入/一般公共预算资金 110,387.98" in income and "上年结转结余/一般公共预算资金 508.64" in income
    assert "合计 110,896.62" in income


def test_three_public_table_as_printed(real_pdf_site):
    """北京's 三公 table is a column per item, one row of amounts (附件2, pdftotext):
    77.672600 50.332600 1.920000 25.420000 18.690000 6.730000."""
    printed = pdf_text("beijing/医疗保障局_附件2：北京市医疗保障局2026年度部门预算报表.pdf")
    assert re.search(r"77\.672600\s+50\.332600\s+1\.920000\s+25\.420000\s+18\.690000\s+6\.730000", printed)
    block = section(html(real_pdf_site, f"docs/{BEIJING}"), "three-public")
    table = block[block.index("<table"):block.index("</table>")]
    heads = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    assert heads[:3] == ["“三公”经费财政拨款预算总额", "因公出国（境）费用", "公务接待费"]
    row = [text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", table)]
    assert row[:6] == ["77.67", "50.33", "1.92", "25.42", "18.69", "6.73"]


def test_final_accounts_are_labelled_as_final_accounts(real_pdf_site):
    """上海普陀区财政局 2024 年度部门决算, 收入支出决算总表 (pdftotext): 本年收入合计 2,946.25,
    年初结转和结余 49.14, 总计 2,995.39. A 决算 has no 收支总预算 and no 上年结转结余."""
    printed = pdf_text("shanghai-putuo/上海市普陀区财政局2024年度部门决算.pdf")
    assert re.search(r"本年收入合计\s+2,946\.25", printed) and re.search(r"年初结转和结余\s+49\.14", printed)
    assert re.search(r"总计\s+2,995\.39", printed)
    page = html(real_pdf_site, f"docs/{PUTUO_ACCOUNTS}")
    assert "<h1>上海市普陀区财政局 2024 年部门决算</h1>" in page
    figures = cards(page)
    assert figures["收入总计"][0] == "2,995.39 万元"
    assert figures["本年收入"][0] == "2,946.25 万元"
    assert figures["年初结转和结余"][0] == "49.14 万元"
    assert "收支总预算" not in figures and "上年结转结余" not in figures
    assert '<h2 id="carryover">年初结转和结余</h2>' in page
    # its source page names the document as it is: a 决算
    assert "<h1>源文件：上海市普陀区财政局 2024 年部门决算</h1>" in html(real_pdf_site, f"sources/{PUTUO_ACCOUNTS}")
    unit = html(real_pdf_site, f"docs/{PUTUO_UNIT}")
    assert "<h1>上海市普陀区人民政府办公室 2025 年单位预算</h1>" in unit
    assert "<h1>源文件：上海市普陀区人民政府办公室 2025 年单位预算</h1>" in html(real_pdf_site, f"sources/{PUTUO_UNIT}")
    home = article(html(real_pdf_site, ""))
    assert re.search(r">上海市普陀区财政局</a>：<a [^>]+>2024 年部门决算</a>", home)
    # a year with two kinds of document names both, the 部门预算 first
    assert re.search(r">上海市普陀区人民政府办公室</a>：<a [^>]+>2025 年部门预算</a> · <a [^>]+>2025 年单位预算</a>", home)


def test_classification_tables_show_the_printed_amounts(real_pdf_site):
    """Tables whose columns are not the national template's (a 决算's 决算数, 江苏's
    one 金额 column) show their amounts, not a dash in every column:
    决算 p.17 "301 02 津贴补贴 1,238.58" (pdftotext puts the amount above its
    code and name); 江苏 2018 表 "2013101 行政运行 8,072.29"."""
    assert re.search(r"1,238\.58\s+7\.61\s+301\s+02\s+302\s+津贴补贴",
                     pdf_text("shanghai-putuo/上海市普陀区财政局2024年度部门决算.pdf"))
    assert re.search(r"2013101\s+行政运行\s+8,072\.29",
                     pdf_text("jiangsu/江苏省委办公厅/江苏省委办公厅2018年度部门预算公开表.pdf"))
    economic = text(section(html(real_pdf_site, f"docs/{PUTUO_ACCOUNTS}"), "economic"))
    assert "30102 津贴补贴 1,238.58" in economic
    function = text(section(html(real_pdf_site, f"docs/{JIANGSU_2018}"), "expenditure"))
    assert "2013101 行政运行 8,072.29" in function
    # no column of a classification table is a dash in every row
    for doc_id in docs(real_pdf_site).index:
        page = html(real_pdf_site, f"docs/{doc_id}")
        for table in re.findall(r'<table class="ys-table ys-tree".*?</table>', page, re.S):
            rows = [re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table)[1:]]
            for k in range(2, len(rows[0]) - 1):
                assert any(text(r[k]) not in ("—", "") for r in rows), (doc_id, k)


def test_a_figure_not_read_is_never_shown_as_zero(real_pdf_site):
    """A headline figure the documents dataset has no value for reads 未读出 with
    why, never 0.00 or a bare dash."""
    names = {"收支总预算": "total_budget", "收入总计": "total_budget", "本年收入": "current_year_income",
             "上年结转结余": "carryover", "年初结转和结余": "carryover", "基本支出": "basic_expenditure",
             "项目支出": "project_expenditure", "一般公共预算支出": "gpb_total",
             "一般公共预算财政拨款支出": "gpb_total", "“三公”经费": "three_public", "委托业务费": "entrusted_fees"}
    seen_missing = 0
    for doc_id, d in docs(real_pdf_site).iterrows():
        figures = cards(html(real_pdf_site, f"docs/{doc_id}"))
        assert len(figures) == 9, (doc_id, figures)
        for label, (value, note) in figures.items():
            assert value not in ("—", "— / —"), (doc_id, label)
            if label in names and pd.isna(d[names[label]]):
                assert value == "未读出" and note, (doc_id, label, value)
                seen_missing += 1
            elif label in names:
                assert value == f"{d[names[label]]:,.2f} 万元", (doc_id, label, value)
    assert seen_missing >= 5
    # 江苏省委办公厅 2018 prints its 人员经费 and 公用经费 in no table this site reads
    staff = cards(html(real_pdf_site, f"docs/{JIANGSU_2018}"))["人员经费 / 公用经费"]
    assert staff[0] == "未读出"
    # no project table: no "项目数 0"
    projects = text(section(html(real_pdf_site, f"docs/{PUTUO_ACCOUNTS}"), "projects"))
    assert "项目数" not in projects and "本文件没有逐个列出项目的表" in projects


def test_problems_are_listed_with_their_lines(real_pdf_site):
    """北京医保 预算05表 (p. 6): its 项 rows do not add up to its 合计 (81,779 of
    项目支出 has no row), so the header as read is in doubt: the page says so
    once, naming the table by its title and linking the line of its title."""
    assert "预算05表 一般公共预算支出表" in pdf_text("beijing/医疗保障局_附件2：北京市医疗保障局2026年度部门预算报表.pdf")
    problems = pd.read_parquet(real_pdf_site / "data" / "problems.parquet")
    mine = problems[problems.source_file.str.contains("北京市医疗保障局")]
    page = article(html(real_pdf_site, f"docs/{BEIJING}"))
    assert f"读取问题 {len(mine)} 处" in text(page[page.index("ys-coverage-line"):page.index('<h2 id="figures">')])
    block = section(page, "problems")
    table = block[block.rindex("<table", 0, block.index('id="problems-table"')):]
    table = table[:table.index("</table>") + 8]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    row = next(r for r in rows if "可能是表头未读准" in r)
    assert text(row).startswith("警告 表05「预算05表 一般公共预算支出表」：按本站读出的表头")
    # the row's line numbers, linked by site.js under the table's data-src
    base = re.search(r'data-src="([^"]+)"', table)[1]
    assert base == f"../../sources/{BEIJING}/"
    linked = [int(line) for *_, line in line_links(f'{table[:table.index(">") + 1]}<tr>{row}</tr></table>')]
    expected = sorted(mine[mine.message.str.contains("可能是表头未读准")].line.astype(int))
    assert linked == expected and len(linked) >= 1
    lines = source_lines(real_pdf_site, BEIJING)
    for n in linked:
        assert lines[n - 1].strip() == "预算05表 一般公共预算支出表", (n, lines[n - 1])
    # one row per message, however many lines it stands at
    assert len(rows) == mine.message.nunique()
    # a table key of the parser is named by its title
    assert "gpb_expenditure" not in text(block)


def test_real_document_pages_stay_under_100_kb(real_pdf_site):
    for doc_id in docs(real_pdf_site).index:
        size = (real_pdf_site / "site" / "docs" / doc_id / "index.html").stat().st_size
        assert size < MAX_PAGE, (doc_id, size)


def test_series_across_years_draws_the_budgets_beside_one_final_account():
    """A department with budgets for 2017 and 2018 and a 决算 for 2024 gets its
    budgets drawn over the years (the kinds were taken in the parser's order,
    决算 first, and one 决算 left no chart at all)."""
    from yusuan.render.departments import series_charts

    def doc(year, kind, total):
        return {"year": year, "kind": kind, "total_budget": total, "basic_expenditure": total / 2,
                "project_expenditure": total / 2, "three_public": 1.0, "carryover": 0.0}

    charts = series_charts([doc(2017, "部门预算", 100.0), doc(2018, "部门预算", 120.0), doc(2024, "部门决算", 90.0)])
    assert charts and charts[0].title.startswith("部门预算：")
    assert sorted({r["year"] for r in charts[0].values}) == [2017, 2018]
