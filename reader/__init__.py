"""newsreader: a terminal news reader (RSS and Atom, full articles, outline, related links)."""

__version__ = "0.1.0"
