"""The external data sets backchannel uses: the manifest, and how they are pulled and listed.

The manifest (``MANIFEST``) is plain data: for every data set its version, publication
date, upstream location and where the producer documents it, licence, citation, and for
every file its mirror location, checksum and layout. ``pull`` installs data sets into
``settings.datasets_dir / <id>`` from a local mirror folder or from upstream
(``pull_outcomes`` also says which were installed, updated, up to date or skipped);
``installed`` reports what is there; ``data_ages`` how old each is and whether it is
stale; ``file_path`` hands other modules the path of an installed file.

A pulled file is accepted when its SHA-256 matches the manifest ("verified") or, failing
that, when its layout matches what the readers expect ("layout-checked"): a subset,
another release or a live list is usable but not the pinned bytes. A data set is staged
in full before it replaces the installed copy, so a refused file leaves the previous
installation untouched.

Modules, one job each: ``specs`` (the shapes of the manifest), ``manifest`` (the data),
``upstream_docs`` (where each producer documents its addresses), ``records`` (what
``installed.json`` holds), ``layouts`` (checking and measuring CSV, XML and XLSX files),
``download`` (HTTP with timeouts, retries, resumption), ``upstream`` (addresses, base
override, monthly releases), ``acled`` (ACLED's API), ``fetch`` (mirror copy, download,
API), ``install`` (pull, staging, swap), ``listing`` (the installed records),
``freshness`` (publication dates and ages).
"""

from backchannel.datasets.fetch import Progress
from backchannel.datasets.freshness import DataAge, Freshness, data_ages, installed_data_ages
from backchannel.datasets.install import Action, PullOutcome, pull, pull_outcomes
from backchannel.datasets.layouts import LayoutError
from backchannel.datasets.listing import INSTALLED_JSON, file_path, file_paths, installed
from backchannel.datasets.manifest import EWP_PREDICTORS, MANIFEST, dataset_spec
from backchannel.datasets.records import (
    TABLE_COLUMNS,
    Coverage,
    InstalledDataset,
    InstalledFile,
    Publication,
    Status,
)
from backchannel.datasets.specs import (
    CsvLayout,
    DatasetSpec,
    FileSpec,
    Layout,
    XlsxLayout,
    XmlLayout,
)

__all__ = [
    "EWP_PREDICTORS",
    "INSTALLED_JSON",
    "MANIFEST",
    "TABLE_COLUMNS",
    "Action",
    "Coverage",
    "CsvLayout",
    "DataAge",
    "DatasetSpec",
    "FileSpec",
    "Freshness",
    "InstalledDataset",
    "InstalledFile",
    "Layout",
    "LayoutError",
    "Progress",
    "Publication",
    "PullOutcome",
    "Status",
    "XlsxLayout",
    "XmlLayout",
    "data_ages",
    "dataset_spec",
    "file_path",
    "file_paths",
    "installed",
    "installed_data_ages",
    "pull",
    "pull_outcomes",
]
