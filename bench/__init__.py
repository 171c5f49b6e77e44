"""Benchmarks for newsreader: run them with `python -m bench.<script>` (see bench/README.md).

Not part of the test run: there are no `test_*.py` files here and pytest's testpaths is `tests`.
"""
