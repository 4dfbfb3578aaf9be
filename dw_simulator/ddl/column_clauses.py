"""Column attributes that sqlglot cannot parse (or that we read ourselves), removed from the text.

Each reader consumes its clause from a Cursor, records what it means on the column, and blanks the clause in the
rewritten text. What remains of a column definition for sqlglot is its name, a placeholder type and the portable
constraints: NOT NULL, NULL, PRIMARY KEY, UNIQUE, REFERENCES, CHECK, CONSTRAINT name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dw_simulator.ddl.cursor import Cursor, Rewriter, SyntaxProblem, split_top_level
from dw_simulator.ddl.lexer import Kind, Token
from dw_simulator.ddl.typemap import MULTI_WORD_TYPES, TYPE_HEADS

# Words that end a DEFAULT expression: the next column attribute or constraint begins.
_ATTRIBUTE_WORDS = frozenset(
    {
        "NOT",
        "NULL",
        "PRIMARY",
        "UNIQUE",
        "REFERENCES",
        "CHECK",
        "CONSTRAINT",
        "COLLATE",
        "ENCODE",
        "DISTKEY",
        "SORTKEY",
        "COMMENT",
        "IDENTITY",
        "GENERATED",
        "AUTOINCREMENT",
        "AUTO_INCREMENT",
        "DEFAULT",
        "WITH",
        "MASKING",
        "PROJECTION",
        "TAG",
        "FOREIGN",
        "ENFORCED",
        "RELY",
        "NORELY",
        "VALIDATE",
        "NOVALIDATE",
        "ENABLE",
        "DISABLE",
        "DEFERRABLE",
        "INITIALLY",
    }
)


@dataclass
class TypeText:
    """A column's type as written: name (upper, single spaces), raw arguments, array suffix, and where it is."""

    name: str
    args: list[str]
    array: bool
    start: int
    end: int


@dataclass
class ColumnAttrs:
    identity: tuple[int, int] | None = None  # (start, increment)
    dist_key: bool = False
    sort_key: bool = False
    comment: str | None = None
    computed: bool = False
    clauses: set[str] = field(default_factory=set)  # dialect-owned clauses seen, for warnings


def read_type(cur: Cursor, rw: Rewriter) -> TypeText:
    """Read a data type at the cursor and replace it with the placeholder INT for sqlglot."""
    first = cur.peek()
    if first is None or first.kind is not Kind.WORD or first.upper in _ATTRIBUTE_WORDS:
        at = first.start if first is not None else cur.end_offset
        raise SyntaxProblem("expected a data type after the column name", at, first.end if first else None)
    cur.take()
    words = [first.upper]
    words += _multi_word(cur, first.upper)
    args: list[str] = []
    if cur.is_punct("("):
        inner = cur.skip_group()
        args = [source_of_tokens(part) for part in split_top_level(inner)]
        if words[0] in ("TIMESTAMP", "TIME"):
            words += _multi_word(cur, words[0])
    array = False
    while cur.is_punct("["):
        array = True
        cur.take()
        while not cur.at_end() and not cur.is_punct("]"):
            cur.take()
        if cur.at_end():
            raise SyntaxProblem("'[' is never closed", first.start)
        cur.take()
    start, end = first.start, cur.prev_end()
    if end - start >= len("INT"):  # no real type is shorter; a shorter one is reported as unknown before parsing
        rw.replace(start, end, "INT")
    return TypeText(" ".join(words), args, array, start, end)


def _multi_word(cur: Cursor, head: str) -> list[str]:
    for tail in MULTI_WORD_TYPES.get(head, ()):
        if all(cur.is_word(w, k=n) for n, w in enumerate(tail)):
            cur.i += len(tail)
            return list(tail)
    return []


def source_of_tokens(tokens: list[Token]) -> str:
    return " ".join(t.text for t in tokens)


def read_column_attributes(cur: Cursor, rw: Rewriter) -> ColumnAttrs:
    """Consume the rest of a column definition, blanking what sqlglot should not see. Raises SyntaxProblem where
    another column definition or a table constraint starts without the comma before it."""
    attrs = ColumnAttrs()
    while not cur.at_end():
        start = cur.offset()
        if _read_one_attribute(cur, attrs) or _read_constraint_property(cur):
            rw.blank(start, cur.prev_end())
        else:
            _check_comma(cur)
            cur.skip_item()
    return attrs


# Words that continue an expression or a clause (never a column name right after a column's attributes).
_CONTINUING_WORDS = frozenset({"AT", "AND", "OR", "IS", "IN", "LIKE", "ILIKE", "BETWEEN", "AS", "WITHOUT", "ON", "TO"})


def _check_comma(cur: Cursor) -> None:
    """At a token no column attribute starts: `name TYPE` (another column definition) or `PRIMARY KEY (`,
    `UNIQUE (`, `FOREIGN KEY (`, `CONSTRAINT name ...` of those (a table constraint) means a comma is missing.
    Before, a missing comma made the next column vanish into a DEFAULT or a table key into an ignored warning."""
    token = cur.peek()
    assert token is not None
    hint = "separate column definitions and table constraints with commas"
    if _starts_column(cur):
        raise SyntaxProblem(
            f"missing comma before '{token.text}': a new column definition ('{token.text} {cur.tokens[cur.i + 1].text}"
            "') starts here",
            token.start,
            token.end,
            hint=hint,
        )
    k = 2 if token.is_word("CONSTRAINT") and cur.peek(1) is not None else 0
    if _starts_table_constraint(cur, k):
        head = [t for t in cur.tokens[cur.i + k : cur.i + k + 2] if t.kind is Kind.WORD]
        words = " ".join(t.upper for t in head)
        raise SyntaxProblem(
            f"missing comma before '{words} (...)': a table constraint starts here (a column's own {words} "
            "names no columns)",
            token.start,
            head[-1].end,
            hint=hint,
        )


def _starts_column(cur: Cursor) -> bool:
    name, kind = cur.peek(), cur.peek(1)
    if name is None or kind is None or kind.kind is not Kind.WORD or kind.upper not in TYPE_HEADS:
        return False
    previous = cur.tokens[cur.i - 1] if cur.i > 0 else None
    if previous is not None and previous.is_punct("::", "."):
        return False  # a cast's type or a qualified name, inside an expression
    if name.kind is Kind.QIDENT:
        return True
    return name.kind is Kind.WORD and name.upper not in _ATTRIBUTE_WORDS and name.upper not in _CONTINUING_WORDS


def _starts_table_constraint(cur: Cursor, k: int) -> bool:
    if cur.is_word("PRIMARY", "FOREIGN", k=k):
        return cur.is_word("KEY", k=k + 1) and cur.is_punct("(", k=k + 2)
    if cur.is_word("UNIQUE", k=k):
        return cur.is_punct("(", k=k + 1) or (cur.is_word("KEY", k=k + 1) and cur.is_punct("(", k=k + 2))
    return False


def _read_one_attribute(cur: Cursor, attrs: ColumnAttrs) -> bool:
    token = cur.peek()
    assert token is not None
    word = token.upper
    if word in ("DISTKEY", "SORTKEY") and not cur.is_punct("(", k=1):
        cur.take()
        attrs.clauses.add(word)
        if word == "DISTKEY":
            attrs.dist_key = True
        else:
            attrs.sort_key = True
        return True
    if word == "ENCODE":
        cur.take()
        attrs.clauses.add("ENCODE")
        if cur.peek() is not None and not cur.is_punct(","):
            cur.take()
        return True
    if word in ("IDENTITY", "AUTOINCREMENT", "AUTO_INCREMENT"):
        cur.take()
        if word != "IDENTITY":
            attrs.clauses.add("AUTOINCREMENT")
        attrs.identity = _identity_options(cur)
        cur.accept("ORDER", "NOORDER")
        return True
    if word == "GENERATED":
        return _generated(cur, attrs)
    if word == "AS" and cur.is_punct("(", k=1):
        cur.take()
        cur.skip_group()
        attrs.computed = True
        return True
    if word == "COLLATE":
        cur.take()
        attrs.clauses.add("COLLATE")
        if not cur.at_end():
            cur.take()
        return True
    if word == "COMMENT":
        cur.take()
        if cur.is_punct("="):
            cur.take()
        text = cur.peek()
        if text is not None and text.kind is Kind.STRING:
            cur.take()
            attrs.comment = text.value
        attrs.clauses.add("COMMENT")
        return True
    if word == "DEFAULT":
        cur.take()
        _skip_default(cur, attrs)
        return True
    if word in ("WITH", "MASKING", "PROJECTION", "TAG"):
        return _policy_or_tag(cur, attrs)
    return False


def _identity_options(cur: Cursor) -> tuple[int, int]:
    """`(s, i)`, `START s INCREMENT i`, `(START WITH s INCREMENT BY i ...)` or nothing -> (start, increment)."""
    if cur.is_punct("("):
        inner = cur.skip_group()
        parts = split_top_level(inner)
        values = [_int_of(p) for p in parts]
        if len(values) == 2 and values[0] is not None and values[1] is not None:
            return values[0], values[1]
        return _start_increment(Cursor(inner, cur.end_offset))
    return _start_increment(cur)


def _start_increment(cur: Cursor) -> tuple[int, int]:
    start, step = 1, 1
    while not cur.at_end():
        if cur.accept("START"):
            cur.accept("WITH")
            value = _signed_int(cur)
            start = start if value is None else value
        elif cur.accept("INCREMENT"):
            cur.accept("BY")
            value = _signed_int(cur)
            step = step if value is None else value
        elif cur.accept("MINVALUE", "MAXVALUE", "CACHE"):
            _signed_int(cur)
        elif cur.accept("NO", "CYCLE", "NOCYCLE"):
            cur.accept("MINVALUE", "MAXVALUE", "CYCLE")
        else:
            break
    return start, step


def _signed_int(cur: Cursor) -> int | None:
    tokens: list[Token] = []
    if cur.is_punct("-", "+"):
        tokens.append(cur.take())
    token = cur.peek()
    if token is None or token.kind is not Kind.NUMBER:
        return None
    tokens.append(cur.take())
    return _int_of(tokens)


def _int_of(tokens: list[Token]) -> int | None:
    text = "".join(t.text for t in tokens)
    try:
        return int(text)
    except ValueError:
        return None


def _generated(cur: Cursor, attrs: ColumnAttrs) -> bool:
    save = cur.i
    cur.take()
    if cur.accept_seq("BY", "DEFAULT"):
        cur.accept_seq("ON", "NULL")
    elif not cur.accept("ALWAYS"):
        cur.i = save
        return False
    if not cur.accept("AS"):
        cur.i = save
        return False
    if cur.accept("IDENTITY"):
        attrs.identity = _identity_options(cur)
        return True
    if cur.is_punct("("):  # GENERATED ALWAYS AS (expr) [STORED | VIRTUAL]: a computed column
        cur.skip_group()
        cur.accept("STORED", "VIRTUAL")
        attrs.computed = True
        return True
    cur.i = save
    return False


def _skip_default(cur: Cursor, attrs: ColumnAttrs) -> None:
    consumed = 0
    while not cur.at_end():
        nxt = cur.peek()
        assert nxt is not None
        if consumed > 0 and ((nxt.kind is Kind.WORD and nxt.upper in _ATTRIBUTE_WORDS) or _starts_column(cur)):
            break  # the next attribute, or (a missing comma) the next column
        if nxt.is_word("NEXTVAL"):  # DEFAULT nextval('seq') / seq.NEXTVAL: a sequence-fed key
            attrs.identity = attrs.identity or (1, 1)
        cur.skip_item()
        consumed += 1


def _policy_or_tag(cur: Cursor, attrs: ColumnAttrs) -> bool:
    save = cur.i
    cur.accept("WITH")
    if cur.accept_seq("MASKING", "POLICY") or cur.accept_seq("PROJECTION", "POLICY"):
        attrs.clauses.add("MASKING POLICY")
        if not cur.at_end():
            cur.take()
            while cur.is_punct("."):
                cur.take()
                if not cur.at_end():
                    cur.take()
        if cur.accept("USING") and cur.is_punct("("):
            cur.skip_group()
        return True
    if cur.accept("TAG") and cur.is_punct("("):
        attrs.clauses.add("TAG")
        cur.skip_group()
        return True
    cur.i = save
    return False


def _read_constraint_property(cur: Cursor) -> bool:
    """Constraint properties that change nothing for generated data: NOT ENFORCED, RELY, ON DELETE CASCADE..."""
    if cur.accept_seq("NOT", "ENFORCED") or cur.accept_seq("NOT", "DEFERRABLE") or cur.accept_seq("NOT", "VALID"):
        return True
    if cur.accept("ENFORCED", "RELY", "NORELY", "VALIDATE", "NOVALIDATE", "ENABLE", "DISABLE", "DEFERRABLE"):
        return True
    if cur.accept("INITIALLY"):
        cur.accept("DEFERRED", "IMMEDIATE")
        return True
    if cur.accept("MATCH"):
        cur.accept("FULL", "SIMPLE", "PARTIAL")
        return True
    if cur.is_word("ON") and cur.is_word("DELETE", "UPDATE", k=1):
        cur.i += 2
        if not (cur.accept_seq("NO", "ACTION") or cur.accept_seq("SET", "NULL") or cur.accept_seq("SET", "DEFAULT")):
            cur.accept("CASCADE", "RESTRICT")
        return True
    return False


def blank_constraint_properties(cur: Cursor, rw: Rewriter) -> None:
    """In a table constraint (or ALTER ... ADD constraint): blank the properties sqlglot may not know."""
    while not cur.at_end():
        start = cur.offset()
        if _read_constraint_property(cur):
            rw.blank(start, cur.prev_end())
        else:
            cur.skip_item()
