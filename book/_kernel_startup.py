"""Run by every notebook kernel of the book before its first cell: the check log.

``conf.py`` names this file in ``PYTHONSTARTUP``, which IPython kernels execute at start-up (in
the notebook's namespace, hence the function and the ``del``). It sets matderiv's check log hook
to append one line per passing check, ``method<TAB>what``, to the file named by
``MATDERIV_CHECK_LOG``; ``benchmarks/book_build.sh`` and the end of the build count the lines.
"""


def _log_checks() -> None:
    import os

    path = os.environ.get("MATDERIV_CHECK_LOG")
    if not path:
        return

    from matderiv.checks import CheckRecord, set_check_log

    def append(record: CheckRecord) -> None:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{record.method}\t{record.what}\n")

    set_check_log(append)


_log_checks()
del _log_checks
