"""Pictures in articles: choosing how the terminal draws them, fetching, decoding, caching.

UI-free: the TUI asks `ImageLoader` for a picture scaled to a cell box and draws what comes
back; `terminal` decides (before the TUI starts) which protocol the terminal announced.
"""
