"""newsreader: a terminal news reader for RSS, Atom and JSON Feed, with full articles."""

__version__ = "0.1.0"
