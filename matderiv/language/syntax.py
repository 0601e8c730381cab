"""The words the parser's error messages use: what a syntax node is called, the source text of
a node, and a hint for a syntax error."""

from __future__ import annotations

import ast

__all__ = ["describe_syntax", "snippet", "syntax_hint"]


def describe_syntax(what: str) -> str:
    """What a Python syntax node is called in an error message (``Compare`` → comparison)."""
    return {
        "Compare": "comparison",
        "BoolOp": "boolean operator",
        "Lambda": "lambda",
        "Subscript": "indexing",
        "List": "list",
        "Tuple": "tuple",
        "Dict": "dict",
        "Set": "set",
        "IfExp": "conditional expression",
        "NamedExpr": "assignment",
        "ListComp": "comprehension",
        "GeneratorExp": "generator",
        "JoinedStr": "f-string",
        "Await": "await",
        "Starred": "unpacking",
        "Slice": "slice",
    }.get(what, what)


def snippet(text: str, n: ast.AST) -> str:
    """The source text of the node ``n`` (its class name when the text cannot be found)."""
    seg = ast.get_source_segment(text, n)
    return seg if seg is not None else type(n).__name__


def syntax_hint(text: str) -> str:
    """A hint for a syntax error in ``text``: a bracket, ``^`` for powers, or nothing."""
    if text.count("(") > text.count(")"):
        return "was a closing bracket forgotten?"
    if text.count(")") > text.count("("):
        return "there is a ')' without a matching '('"
    if "^" in text:
        return "use ** for powers"
    if not text.strip():
        return "the expression is empty"
    return ""
