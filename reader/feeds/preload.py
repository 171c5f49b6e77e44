"""What the parse workers' fork server imports before it forks any worker (see
`reader.service.worker_context`): the worker's modules, then `gc.freeze()`, so that the
collector of a forked worker never writes to these objects and their pages stay shared
between the fork server and every worker."""

import gc

import reader.feeds.worker  # noqa: F401  (imported for its side effect: loaded once, shared)

gc.freeze()
