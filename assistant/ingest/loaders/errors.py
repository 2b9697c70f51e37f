"""Why a file could not be loaded; the builder turns these into skip reasons and keeps going."""

from __future__ import annotations


class LoaderError(Exception):
    status = "unreadable"


class NeedsOCR(LoaderError):
    status = "needs_ocr"


class Unreadable(LoaderError):
    status = "unreadable"


class Unsupported(LoaderError):
    status = "unsupported"


class TooLarge(LoaderError):
    """Past one of the ingest budgets (``IngestBudgets``): the reason names it, the figure and the limit."""

    status = "too_large"
