"""Sync with a feed server (Tiny Tiny RSS, Fever): the server fetches, newsreader is a client.

`base` is the small interface every protocol module implements, `ttrss` and `fever` are the
protocols, `local` keeps the store side (accounts, id maps, the change queue), `engine` runs
one sync, `accounts` reads and writes the `[sync.NAME]` tables of the config file.
"""
