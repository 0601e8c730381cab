"""Checks of derivatives and identities: finite differences (:mod:`.finite`), exact proofs
(:mod:`.exact`), and the check log hook (:func:`set_check_log`).

Importing this package loads no numpy: the hook can be set before any check runs.
"""

from .report import CheckKind, CheckLog, CheckRecord, set_check_log

__all__ = ["CheckKind", "CheckLog", "CheckRecord", "set_check_log"]
