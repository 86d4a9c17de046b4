"""The `yusuan` command: data | site | build | parse."""
from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from .folders import FolderError


def _progress(msg: str) -> None:
    click.echo(msg, err=True)


class UserError(click.ClickException):
    """Something to fix in the command or its files: one line, exit status 2
    (1 is --strict's: a file or part could not be read)."""
    exit_code = 2


class Commands(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OSError as e:   # a folder or file that cannot be read or written: no traceback
            where = f"{e.filename}: " if e.filename else ""
            raise UserError(f"{where}{e.strerror or e} (check the path and its permissions)") from None


content_option = click.option("--content", "content", type=click.Path(file_okay=False, path_type=Path),
                              default=Path("content"), show_default=True,
                              help="Folder holding the disclosures (*.pdf, *.txt, searched recursively) and hand-written pages.")
data_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                           default=Path("site_data"), show_default=True, help="Where the datasets are written / read.")
site_option = click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path),
                           default=Path("site"), show_default=True, help="Where the static site is written.")
strict_option = click.option("--strict", is_flag=True,
                             help="Exit with status 1 if any file or part could not be read (for CI).")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                           help="Processes that parse files / write department pages at once [default: one per CPU core].")
config_option = click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                              help="The site's mkdocs configuration [default: mkdocs.yml in the working "
                                   "folder if there is one, else yusuan's own].")
cache_option = click.option("--cache-dir", default=".cache/yusuan", show_default=True,
                            help="Parse cache keyed by file content, the record of the site's pages "
                                 "(unchanged documents' pages are kept) and the site's script bundle; "
                                 "an empty string disables it.")


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yusuan")
def main() -> None:
    """yusuan (预算): open datasets and a static site from department budget disclosures.

    \b
    Examples:
      yusuan build                      # content/ → site_data/ → site/
      yusuan data --strict              # datasets only; fail on any problem
      yusuan release-assets             # site_data/ → release-assets/ (a GitHub Release's files)
      yusuan parse content/disclosures/2026年…部门预算公开.txt
    """


def _data(content: Path, data_dir: Path, cache_dir: str, strict: bool, jobs: int | None,
          whole_later: bool = False, exports: bool | None = True):
    from .pipeline import run_data

    if not content.is_dir():
        raise UserError(f"content folder not found: {content} (use --content DIR)")
    try:
        result = run_data(content, data_dir, Path(cache_dir) if cache_dir else None, _progress, jobs, whole_later,
                          exports)
    except FolderError as e:
        raise UserError(str(e)) from None
    if strict and result.failed:
        result.whole_written()
        _progress(f"--strict: {len(result.problems)} problem(s), see above and {data_dir}/problems.csv")
        sys.exit(1)
    return result


def _site(data_dir: Path, site_dir: Path, content: Path, config: Path | None, cache_dir: str,
          jobs: int | None = None, whole_written=lambda: None) -> None:
    from .render.site import SiteError, build_site

    if not (data_dir / "datapackage.json").exists():
        raise UserError(f"no datasets in {data_dir}: run `yusuan data` first (or `yusuan build`)")
    try:
        build_site(data_dir, site_dir, content, progress=_progress, config=config,
                   cache_dir=Path(cache_dir) if cache_dir else None, workers=jobs, whole_written=whole_written)
    except (FolderError, SiteError) as e:
        raise UserError(str(e)) from None


@main.command()
@content_option
@data_option
@cache_option
@jobs_option
@strict_option
def data(content: Path, data_dir: Path, cache_dir: str, jobs: int | None, strict: bool) -> None:
    """Parse every disclosure in --content into the datasets in --data-dir:
    every dataset as Parquet by year (parquet/), whole as NAME.parquet and
    NAME.csv, in yusuan.xlsx and yusuan.duckdb."""
    _data(content, data_dir, cache_dir, strict, jobs)


@main.command()
@data_option
@site_option
@content_option
@config_option
@cache_option
@jobs_option
def site(data_dir: Path, site_dir: Path, content: Path, config: Path | None, cache_dir: str,
         jobs: int | None) -> None:
    """Render the static website from the datasets in --data-dir."""
    _site(data_dir, site_dir, content, config, cache_dir, jobs)


@main.command()
@content_option
@data_option
@site_option
@config_option
@cache_option
@jobs_option
@strict_option
def build(content: Path, data_dir: Path, site_dir: Path, config: Path | None, cache_dir: str, jobs: int | None,
          strict: bool) -> None:
    """Run the data stage, then render the site. The datasets' whole files
    (NAME.parquet, NAME.csv, yusuan.xlsx, yusuan.duckdb) are written only
    while the datasets are small (400,000 rows, a workbook of ~20 MB); larger,
    `yusuan release-assets` writes them and the data page links the release."""
    # The site reads back what was just written (the data stage keeps no
    # dataset in memory; the site memory-maps them: render/data.py).
    # The workbook and the database are written by two more processes while
    # the site is made (at 10,000 documents ~9 s each).
    result = _data(content, data_dir, cache_dir, strict, jobs, whole_later=True, exports=None)
    try:
        _site(data_dir, site_dir, content, config, cache_dir, jobs, result.whole_written)
    finally:
        result.whole_written()      # (no process is left behind when the site fails)


@main.command("release-assets")
@data_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("release-assets"),
              show_default=True, help="A new or empty folder for the assets (every file in it is one).")
def release_assets(data_dir: Path, out: Path) -> None:
    """Gather the datasets of --data-dir in every format, flat, with a
    SHA256SUMS file, in --out: the assets of a GitHub Release (the workflow
    publishes them on every build). The datasets' whole files that
    `yusuan build` left out (a large corpus) are written first, into --data-dir.

    \b
    Example:
      yusuan data && yusuan release-assets --out release-assets
    """
    from .release import ReleaseError, write_assets

    try:
        write_assets(data_dir, out, _progress)
    except ReleaseError as e:
        raise UserError(str(e)) from None


@main.command()
@click.argument("files", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--all-checks", is_flag=True, help="List every check, not only those that do not pass.")
def parse(files: tuple[Path, ...], all_checks: bool) -> None:
    """Show what is read from one disclosure: tables, headline figures,
    checks, coverage. Give two FILEs for a disclosure published as two (its
    narrative and its tables): they are read as one document.

    \b
    Examples:
      yusuan parse content/disclosures/2026年…部门预算公开.txt
      yusuan parse 情况说明.pdf 报表.pdf --all-checks
    """
    from .checks import run_checks
    from .document import NotADisclosure, parse_document
    from .parse import merged_source
    from .read import ReadError, read_source
    from .read.pdf import page_of

    file = files[0]
    try:
        paths = [f.resolve() for f in files]
        root = Path(os.path.commonpath([p.parent for p in paths]))
        source = merged_source(paths, root) if len(paths) > 1 else read_source(paths[0], root)
        doc = parse_document(source)
    except (ReadError, NotADisclosure) as e:
        raise UserError(f"{' + '.join(map(str, files))}: {e}") from None
    checks = run_checks(doc)
    pages = page_of(doc.source.lines)
    click.echo(f"{' + '.join(map(str, files))}\n  doc_id {doc.doc_id}\n  部门 {doc.department}  年度 {doc.year}  "
               f"类型 {doc.kind}  层级 {doc.level}  日期 {doc.doc_date}  编码 {doc.source.encoding}")
    found = [k for k in doc.expected if k in doc.tables]
    click.echo(f"  覆盖: 应有的表 {len(found)}/{len(doc.expected)}"
               + (f"（缺 {'、'.join(k for k in doc.expected if k not in doc.tables)}）" if len(found) < len(doc.expected) else "")
               + f"，金额 {sum(len(t.cells) for t in doc.tables.values())} 个，校验 {len(checks)} 条，"
               f"问题 {len(doc.problems)} 个，{'完整' if doc.complete else '不完整'}")
    click.echo("\n表 (rows / amount cells):")
    for t in doc.tables.values():
        state = "空表" if t.is_empty else f"{len(t.rows)} 行 / {len(t.cells)} 个金额"
        where = f"第 {t.line} 行" + (f"，PDF 第 {pages[t.line - 1]} 页" if pages[t.line - 1] else "")
        click.echo(f"  表{t.number:<3} {t.key:<16} {t.title}  {state}  ({where})")
    click.echo("\n主要数字 (万元):")
    for k, v in doc.headline.items():
        click.echo(f"  {k:<22} {v:,.2f}" if isinstance(v, float) else f"  {k:<22} {v}")
    n = doc.narrative
    click.echo(f"\n情况说明: {len(n.yoy_changes)} 处比上年变化, {len(n.project_details)} 个项目说明, "
               f"{len(n.performance_targets)} 个绩效指标")
    counts = Counter(c.status for c in checks)
    click.echo(f"\n校验: {len(checks)} 条 — " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for c in checks:
        if all_checks or c.status != "pass":
            click.echo(f"  [{c.status}] {c.description}: 应为 {c.expected:,.2f} 实为 {c.actual:,.2f} "
                       f"差 {c.difference:+,.2f} (行 {c.lines})")
    for t in doc.tables.values():
        for reading in t.readings:
            click.echo(f"  读法: {reading}")
    for line, sev, msg in doc.problems:
        click.echo(f"  {sev}: {file}{':' + str(line) if line else ''}: {msg}")
