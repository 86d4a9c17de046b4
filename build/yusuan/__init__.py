"""yusuan (预算): open data and a static site from department budget disclosures."""

__version__ = "0.1.0"
