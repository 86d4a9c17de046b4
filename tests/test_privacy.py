"""The privacy rule: contact persons' names and phone numbers are never
published. The contact cells are those the 绩效目标表 parser reads as such;
phone numbers are found by one pattern; nothing else of a line is hidden."""
from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import sample
from site_fixtures import real_site  # noqa: F401 - fixture
from yusuan.pipeline import parse_file
from yusuan.privacy import MARK, Contact, hide, redact

# Contact persons and phone numbers printed in the samples' 绩效目标表.
SAMPLE_CONTACTS = ["王焯", "13209947970", "刘雪亮", "樊羿希", "唐建平", "太外库力", "17799081843",
                   "买买提吐尔地·库尔班阿力", "陈彦兵", "胡杰", "李长青", "宋四江", "李涛", "周吉阳", "刘宏建"]


@pytest.mark.parametrize("text, shown", [
    ("联系电话\t13209947970\t", "联系电话\t" + MARK + "\t"),
    ("监督电话：0991—2345678。", "监督电话：" + MARK + "。"),
    ("举报电话 0991-2345678", "举报电话 " + MARK),
    ("0991－23456789", MARK),
    ("（0991）2345678", MARK),
    ("0991 2345678", MARK),
    ("电话\t2345678", "电话\t" + MARK),
    ("咨询电话：23456789；", "咨询电话：" + MARK + "；"),
])
def test_phone_numbers_are_hidden(text, shown):
    assert hide(text, []) == shown


@pytest.mark.parametrize("text", [
    "2010101\t行政运行\t1,234.00",          # a function code is seven digits too
    "30101 基本工资 12345678.00",
    "2026年12月31日", "合计\t23456789", "0.00\t2345678", "比上年增加 1234567.89 万元",
])
def test_numbers_that_are_no_phone_stay(text):
    assert hide(text, []) == text


def test_contact_cells_are_hidden_on_their_line_and_names_wherever_repeated():
    text = "部门联系人\t\t王 焯\t联系电话\t13209947970\t\n项目负责人\t刘雪亮、樊羿希\n另见刘雪亮。\n下一行"
    contacts = [Contact(1, "王 焯"), Contact(1, "13209947970"), Contact(2, "刘雪亮、樊羿希")]
    assert redact(text, contacts) == (f"部门联系人\t\t{MARK}\t联系电话\t{MARK}\t\n项目负责人\t{MARK}\n"
                                      f"另见{MARK}。\n下一行")


def published(tmp_path: Path, name: str, text: str):
    """parse_file on `text` saved as a disclosure: (its published text, every string of its datasets)."""
    path = tmp_path / "disclosures" / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path, tmp_path)
    strings = [v for t in parsed.tables.values() for row in t.to_pylist() for v in row.values() if isinstance(v, str)]
    return parsed.text, strings


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.split("\n"), after.split("\n")
    assert len(a) == len(b)                       # every line kept in place
    return [(x, y) for x, y in zip(a, b) if x != y]


def test_a_word_that_starts_like_a_label_is_not_hidden(tmp_path):
    """负责人大代表建议… is a duty, not a contact: the old label pattern hid the rest of the line."""
    duty = "（十五）负责人大代表建议和政协委员提案的办理工作。"
    text = sample("昌吉").read_text(encoding="utf-8").replace(
        "（六）贯彻落实工业和信息化", duty + "\n\n（六）贯彻落实工业和信息化", 1)
    out, _ = published(tmp_path, "duty", text)
    assert duty in out.split("\n")
    for before, after in changed_lines(text, out):     # only the 绩效目标表's contact rows changed
        assert MARK in after and ("联系人" in before or "负责人" in before), (before, after)


@pytest.mark.parametrize("empty", ["\t\n", ""], ids=["empty cell", "no cell"])
def test_an_empty_contact_cell_hides_nothing_below_it(tmp_path, empty):
    """Cell-per-line layout: a 项目负责人 cell without a value; the line below
    it (项目资金(万元)) must stay."""
    original = sample("自治区").read_text(encoding="utf-8")
    assert "\t项目负责人\n\t陈彦兵\n\n\t项目资金(万元)\n" in original
    text = original.replace("\t项目负责人\n\t陈彦兵\n", "\t项目负责人\n" + empty, 1)
    out, _ = published(tmp_path, "empty", text)
    for before, after in changed_lines(text, out):
        assert after.strip() == MARK and before.strip() in SAMPLE_CONTACTS, (before, after)
    assert out.count("\t项目资金(万元)") == text.count("\t项目资金(万元)")


def test_landlines_are_hidden_in_text_and_datasets(tmp_path):
    text = sample("昌吉").read_text(encoding="utf-8")
    text = text.replace("部门联系人\t\t王焯\t联系电话\t13209947970\t", "部门联系人\t\t王焯\t电话\t2345678\t", 1)
    text = text.replace("主要原因是我单位本年度减少机关运行保障经费支出。",
                        "主要原因是我单位本年度减少机关运行保障经费支出（监督电话：0991—2345679）。", 1)
    text = text.replace("（六）贯彻落实工业和信息化", "咨询电话\t2345670\n\n（六）贯彻落实工业和信息化", 1)
    out, strings = published(tmp_path, "landline", text)
    for number in ("2345678", "0991—2345679", "2345679", "2345670"):
        assert number in text
        assert number not in out
        assert not [s for s in strings if number in s]
    assert "监督电话：" + MARK in out and any("监督电话：" + MARK in s for s in strings)   # the reason is kept


def texts_of(folder: Path):
    """(file, text) for every file under folder, archives and tables opened:
    what a reader of the published files could find."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            yield path, str(pq.read_table(path).to_pylist())
        elif path.suffix in (".zip", ".xlsx"):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    yield path / name, z.read(name).decode("utf-8", "replace")
        elif path.suffix == ".duckdb":
            con = duckdb.connect(str(path), read_only=True)
            for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
                yield path / table, str(con.execute(f'select * from "{table}"').fetchall())
            con.close()
        elif path.suffix == ".gz":
            yield path, gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        elif path.suffix == ".json":   # \\u escapes and zero-width spaces would hide a name from a grep
            yield path, json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False).replace("\u200b", "")
        else:
            yield path, path.read_bytes().decode("utf-8", "replace")


def test_no_contact_of_the_samples_is_published(data_dir, real_site):
    for text in (sample(name).read_text(encoding="utf-8") for name in ("昌吉", "阿图什", "自治区")):
        assert sum(s in text for s in SAMPLE_CONTACTS) >= 3        # the samples do hold them
    n = 0
    for folder in (data_dir, real_site):
        for path, text in texts_of(folder):
            n += 1
            found = [s for s in SAMPLE_CONTACTS if s in text]
            assert not found, (path, found)
    assert n > 100
