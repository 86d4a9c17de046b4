"""yusuan.zips: archives every ZIP reader opens, with what was put in, the same bytes every time."""
from __future__ import annotations

import io
import zipfile

from yusuan.zips import zip_bytes

ENTRIES = [
    ("a/表.csv", "\ufeff项目,金额\n基本支出,1234.56\n".encode("utf-8")),
    ("a/empty.csv", b""),
    ("b.xml", b"<x>" + b"0123456789" * 50_000 + b"</x>"),
]


def test_zipfile_reads_back_every_entry():
    archive = zipfile.ZipFile(io.BytesIO(zip_bytes(ENTRIES)))
    assert archive.testzip() is None                      # every CRC checks out
    assert [(i.filename, archive.read(i)) for i in archive.infolist()] == ENTRIES
    for info in archive.infolist():
        assert info.date_time == (2000, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == 0o100644
    big = archive.getinfo("b.xml")
    assert big.compress_size < big.file_size / 100


def test_same_entries_same_bytes():
    assert zip_bytes(ENTRIES) == zip_bytes(list(ENTRIES))
    assert zip_bytes(ENTRIES) != zip_bytes(ENTRIES[::-1])


def test_streamed_archive_reads_back_and_repeats_its_bytes():
    """write_zip (the whole workbook): chunks deflated as they come, sizes in
    a data descriptor after each entry; any ZIP reader opens it."""
    from yusuan.zips import write_zip

    def stream():
        for name, data in ENTRIES:
            yield name, (data[k:k + 65_536] for k in range(0, len(data), 65_536))
    first, second = io.BytesIO(), io.BytesIO()
    write_zip(first, stream())
    write_zip(second, stream())
    assert first.getvalue() == second.getvalue()
    archive = zipfile.ZipFile(first)
    assert archive.testzip() is None
    assert [(i.filename, archive.read(i)) for i in archive.infolist()] == ENTRIES
    for info in archive.infolist():
        assert info.date_time == (2000, 1, 1, 0, 0, 0) and info.flag_bits & 0x08
        assert info.external_attr >> 16 == 0o100644
