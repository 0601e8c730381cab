"""``python -m matderiv``: the command line (see :mod:`matderiv.cli`)."""

import sys

from .cli import main

sys.exit(main())
