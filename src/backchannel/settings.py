"""The one typed settings object, read from ``BACKCHANNEL_*`` environment variables.

Built at the edges (CLI, app factory) and passed down; nothing reads the environment
elsewhere. Every field has a default and a description, and the README documents each
(``tests/test_settings.py`` fails when one is missing there).
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The web secret the documentation shows for development; refused in production.
DEVELOPMENT_WEB_SECRET = "development-only-web-secret-never-use-in-production"  # noqa: S105
#: The shortest web secret accepted in production.
MIN_WEB_SECRET_LENGTH = 32
#: The fewest different characters a production web secret may be made of: a random one of
#: 32 characters has about 20, while ``aaaa...`` or ``abab...`` has one or two.
MIN_WEB_SECRET_DISTINCT_CHARACTERS = 8


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("backchannel", appauthor=False))


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"


class Settings(BaseSettings):
    """Every setting of backchannel, with its default."""

    model_config = SettingsConfigDict(env_prefix="BACKCHANNEL_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for the SQLite case store, the key file and pulled data sets.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the case store, e.g. postgresql+psycopg://host/db. "
            "Default: an SQLite file `cases.sqlite` in the data folder."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Base64 of 32 random bytes: the AES-256-GCM key for sensitive fields. "
            "Default: a key file created on first use (see key_file)."
        ),
    )
    key_file: Path | None = Field(
        default=None,
        description=(
            "Key ring file used when secret_key is unset. "
            "Default: `keyring.json` in the data folder, mode 0600."
        ),
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description=(
            "Base64 of 32 random bytes: the key of the audit chain's HMAC and of the keyed "
            "record ids. Required with secret_key; otherwise kept in the key ring file."
        ),
    )
    mirror: Path | None = Field(
        default=None,
        description="Local folder to install data sets from instead of downloading them.",
    )
    user: str = Field(
        default_factory=_default_user,
        description=(
            "Name recorded in the audit log for changes made from the CLI. Default: the login name."
        ),
    )
    download_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds a data pull waits for the next bytes from an upstream server (the read "
            "timeout) before it retries the download."
        ),
    )
    download_connect_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds a data pull waits to connect to an upstream server; a server it cannot "
            "reach fails the pull at once (offline), without retries."
        ),
    )
    download_retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description=(
            "Further attempts after a download fails on a server error (5xx, 429), a read "
            "timeout or a connection cut mid-file; none after a 404 or a refused connection."
        ),
    )
    download_backoff: float = Field(
        default=1.0,
        ge=0,
        description=(
            "Seconds before the first retry of a download; each later retry waits twice as long."
        ),
    )
    upstream_base: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description=(
            "Base URL that replaces every upstream address's scheme and host: "
            "`https://host/path` is fetched from `<base>/host/path`. For a caching proxy or "
            "an internal copy of the producers' sites laid out by host."
        ),
    )
    upstream_urls: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'JSON object of upstream addresses by file, `{"<data set id>/<file name>": "url"}` '
            "(or the data set id alone for a data set of one file): a producer address the "
            "manifest could not confirm, such as PA-X's CSV export."
        ),
    )
    acled_email: str | None = Field(
        default=None,
        description="Email of the myACLED account a pull of `acled` signs in with (OAuth).",
    )
    acled_password: SecretStr | None = Field(
        default=None,
        description="Password of that myACLED account; never written to disk or to a log.",
    )
    acled_countries: list[str] = Field(
        default_factory=list,
        description=(
            'JSON list of the country names an `acled` pull asks for (`["Sudan", "Mali"]`); '
            "empty: every country the account may read."
        ),
    )
    acled_start_date: dt.date | None = Field(
        default=None,
        description=(
            "First event date of the first `acled` pull (later pulls fetch only events from "
            "the newest installed event date on). Default: 365 days before the pull."
        ),
    )
    acled_page_size: int = Field(
        default=5000,
        ge=1,
        le=5000,
        description="Events an `acled` pull asks ACLED's API for per page.",
    )
    data_max_age_days: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description=(
            'JSON object of largest ages in days, by data set id or by cadence (`{"yearly": '
            '500, "ucdp-ged": 800}`); a data set older than its age is flagged stale. '
            "Defaults: monthly 45, yearly 400, feed 30; lists follow list_max_age_days."
        ),
    )

    environment: Literal["development", "production"] = Field(
        default="production",
        description=(
            "`production` (cookies marked Secure, a strong web_secret required) or "
            "`development` (plain HTTP on the loopback, an ephemeral web_secret if unset)."
        ),
    )
    web_host: str = Field(
        default="127.0.0.1",
        description="Address `backchannel serve` listens on. Default: the loopback only.",
    )
    web_port: int = Field(
        default=8400, ge=1, le=65535, description="Port `backchannel serve` listens on."
    )
    web_allowed_hosts: list[str] | None = Field(
        default=None,
        description=(
            "Host names the web workspace answers to (the Host header; a JSON list, "
            '`["cases.example.org"]`; `*.example.org` for subdomains). Any other host gets '
            "400, which defeats DNS rebinding and Host-header poisoning. Default: "
            "`localhost`, `127.0.0.1` and web_host. Behind a reverse proxy, list the public name."
        ),
    )
    web_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "Server processes `backchannel serve` starts; about one per core. Writes are safe "
            "across processes (each holds its case's row lock)."
        ),
    )
    web_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Secret (at least 32 characters, at least 8 of them different) that signs the web "
            "login form's pre-session cookie. Required in production; generated per start in "
            "development."
        ),
    )

    web_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body the web workspace accepts, in bytes (413 beyond).",
    )
    list_max_age_days: int = Field(
        default=30,
        ge=1,
        description=(
            "Age in days beyond which an installed designation list counts as stale: "
            "legal clearance is then at most partial."
        ),
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use: the setting, or the SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'cases.sqlite'}"

    @property
    def resolved_key_file(self) -> Path:
        """The key ring file to use when no secret key is given."""
        return self.key_file or self.data_dir / "keyring.json"

    @property
    def datasets_dir(self) -> Path:
        """Where pulled data sets are installed."""
        return self.data_dir / "datasets"
