"""The expression language: shapes, the typed expression tree, the function specs, the parser
and the printers. Nothing here knows about derivatives.

Importing this package installs the printers on the expression nodes (see
:func:`matderiv.language.expression.install_printers`), so every node can show itself.
"""

from . import arrays as arrays
from . import printing as printing
