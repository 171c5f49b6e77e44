"""Where newsreader keeps things: platformdirs locations, or one directory given by --data-dir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "newsreader"

PACKAGE_DIR = Path(__file__).resolve().parent
SAMPLE_DIR = PACKAGE_DIR / "sample"
"""The bundled Signal Desk sample site (feed + article pages), read with no network."""


def styles_dir() -> Path:
    """The Textual CSS directory: inside the wheel, or at the top of a source checkout."""
    installed = PACKAGE_DIR / "styles"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "styles"


@dataclass(frozen=True, slots=True)
class Paths:
    """The directories one run of newsreader uses."""

    data_dir: Path
    config_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "newsreader.db"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    def ensure(self) -> None:
        """Create the directories (only when something is about to be written)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)


def resolve_paths(data_dir: str | Path | None = None) -> Paths:
    """`--data-dir DIR` puts the whole store (and config) in DIR; else platformdirs' dirs."""
    if data_dir is not None:
        root = Path(data_dir).expanduser().resolve()
        return Paths(data_dir=root, config_dir=root)
    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )
