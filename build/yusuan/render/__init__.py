"""render: datasets → a static website (mkdocs-material).

site.build_site is the entry point; pages.py builds each page's context,
charts.py the Altair chart specs, downloads.py the per-document data file (its XLSX and CSVs are made in the browser),
fmt.py every number shown, templates/ hold the markup.
"""
