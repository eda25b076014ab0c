"""The external data sets backchannel uses: the manifest, and how they are pulled and listed.

The manifest (``MANIFEST``) is plain data: for every data set its version, upstream
location, licence, citation, and for every file its mirror location, checksum and layout.
``pull`` installs data sets into ``settings.datasets_dir / <id>`` from a local mirror
folder or from upstream; ``installed`` reports what is there; ``file_path`` hands other
modules the path of an installed file.

A pulled file is accepted when its SHA-256 matches the manifest ("verified") or, failing
that, when its layout matches what the readers expect ("layout-checked"): a subset,
another release or a live list is usable but not the pinned bytes. A data set is staged
in full before it replaces the installed copy, so a refused file leaves the previous
installation untouched.

Modules, one job each: ``specs`` (the shapes of the manifest), ``manifest`` (the data),
``records`` (what ``installed.json`` holds), ``layouts`` (checking and measuring CSV, XML
and XLSX files), ``fetch`` (mirror copy and HTTP download), ``install`` (pull, staging,
swap and the installed listing).
"""

from backchannel.datasets.fetch import Progress
from backchannel.datasets.install import INSTALLED_JSON, file_path, file_paths, installed, pull
from backchannel.datasets.layouts import LayoutError
from backchannel.datasets.manifest import EWP_PREDICTORS, MANIFEST, dataset_spec
from backchannel.datasets.records import (
    TABLE_COLUMNS,
    Coverage,
    InstalledDataset,
    InstalledFile,
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
    "Coverage",
    "CsvLayout",
    "DatasetSpec",
    "FileSpec",
    "InstalledDataset",
    "InstalledFile",
    "Layout",
    "LayoutError",
    "Progress",
    "Status",
    "XlsxLayout",
    "XmlLayout",
    "dataset_spec",
    "file_path",
    "file_paths",
    "installed",
    "pull",
]
