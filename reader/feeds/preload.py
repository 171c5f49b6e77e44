"""What the parse workers' fork server imports before it forks any worker (see
`reader.service.worker_context`): the worker's modules, then `gc.freeze()`, so that the
collector of a forked worker never writes to these objects and their pages stay shared
between the fork server and every worker."""

import gc

# Imported for their side effect: loaded once here, shared by every worker.
import reader.feeds.parse
import reader.feeds.worker  # noqa: F401

gc.freeze()
