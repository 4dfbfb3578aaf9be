"""Snowflake Scripting blocks as a small statement tree.

A block (`[DECLARE ...] BEGIN ... [EXCEPTION ...] END`) is read over sqlglot's Snowflake tokens: the scripting
statements (DECLARE, LET, assignment, IF, CASE, FOR, WHILE, REPEAT, LOOP, BREAK, CONTINUE, RETURN, RAISE, OPEN,
FETCH, CLOSE, nested blocks) become nodes; expressions and SQL statements stay text, as written, for the
interpreter to run through the session's SQL layer.

https://docs.snowflake.com/en/developer-guide/snowflake-scripting/index
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokenizer_core import Token, TokenType


class ScriptSyntaxError(ValueError):
    """The block is not valid Snowflake Scripting (the message names the line)."""


@dataclass
class Sql:
    text: str
    line: int


@dataclass
class Declare:
    name: str
    kind: str  # variable | cursor | resultset | exception
    type: str | None = None
    default: str | None = None  # an expression (variable) or a query (cursor, resultset)
    code: int | None = None  # exception number
    message: str | None = None  # exception text


@dataclass
class Assign:
    name: str
    expr: str
    type: str | None = None
    kind: str = "variable"  # LET c CURSOR FOR ..., LET rs RESULTSET := (...)


@dataclass
class If:
    branches: list[tuple[str, list[Stmt]]]
    otherwise: list[Stmt] | None


@dataclass
class Case:
    subject: str | None
    whens: list[tuple[str, list[Stmt]]]
    otherwise: list[Stmt] | None


@dataclass
class ForRange:
    var: str
    start: str
    end: str
    reverse: bool
    body: list[Stmt]


@dataclass
class ForCursor:
    var: str
    source: str  # a cursor or resultset name
    body: list[Stmt]


@dataclass
class While:
    cond: str
    body: list[Stmt]


@dataclass
class Repeat:
    body: list[Stmt]
    until: str


@dataclass
class Loop:
    body: list[Stmt]


@dataclass
class Break:
    pass


@dataclass
class Continue:
    pass


@dataclass
class Return:
    expr: str | None
    table: str | None = None  # RETURN TABLE(<resultset>)


@dataclass
class Raise:
    name: str | None  # None: re-raise the exception being handled


@dataclass
class Open:
    name: str
    using: list[str] = field(default_factory=list)


@dataclass
class Fetch:
    name: str
    into: list[str]


@dataclass
class Close:
    name: str


@dataclass
class Block:
    declares: list[Declare]
    body: list[Stmt]
    handlers: list[tuple[list[str], list[Stmt]]]  # WHEN e1 OR e2 THEN ... (OTHER catches everything)


Stmt = (
    Sql
    | Declare
    | Assign
    | If
    | Case
    | ForRange
    | ForCursor
    | While
    | Repeat
    | Loop
    | Break
    | Continue
    | Return
    | Raise
    | Open
    | Fetch
    | Close
    | Block
)


def parse_block(text: str) -> Block:
    """The block written in `text` (an anonymous block, or a procedure's body)."""
    parser = _Parser(text)
    block = parser.block()
    parser.accept(";")
    if not parser.at_end():
        parser.fail("text after the block's END")
    return block


def is_block(text: str) -> bool:
    """Whether `text` starts like a scripting block (DECLARE or BEGIN), not a single SQL statement."""
    stripped = text.lstrip().upper()
    return stripped.startswith(("DECLARE", "BEGIN")) and not stripped.startswith(("BEGIN TRANSACTION", "BEGIN WORK"))


_END_WORDS = {"END", "ELSE", "ELSEIF", "WHEN", "EXCEPTION", "UNTIL"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.tokens: list[Token] = Snowflake().tokenize(text)
        except Exception as exc:
            raise ScriptSyntaxError(f"cannot read the block: {exc}".splitlines()[0]) from None
        self.i = 0

    # -- tokens ------------------------------------------------------------------------------------------------------
    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    def word(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.tokens[index].text.upper() if index < len(self.tokens) else ""

    def accept(self, *words: str) -> bool:
        if self.word() in words:
            self.i += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.accept(word):
            self.fail(f"expected {word}")

    def fail(self, message: str) -> None:
        token = self.tokens[min(self.i, len(self.tokens) - 1)] if self.tokens else None
        where = f" at line {token.line}, near '{token.text}'" if token else ""
        raise ScriptSyntaxError(f"Snowflake Scripting syntax error: {message}{where}")

    def name(self) -> str:
        if self.at_end():
            self.fail("expected a name")
        token = self.tokens[self.i]
        self.i += 1
        if token.token_type == TokenType.IDENTIFIER:
            return token.text
        return token.text.upper()

    def until(self, stops: set[str], *, stop_at_semicolon: bool = True) -> str:
        """The text from here to the first of `stops` (or `;`) at parenthesis depth 0; the stop is not consumed."""
        start = self.i
        depth = 0
        while not self.at_end():
            token = self.tokens[self.i]
            kind = token.token_type
            if depth == 0 and (token.text.upper() in stops or (stop_at_semicolon and kind == TokenType.SEMICOLON)):
                break
            if kind in (TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE):
                depth += 1
            elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE):
                depth -= 1
            self.i += 1
        if start == self.i:
            self.fail("expected an expression")
        return self.text[self.tokens[start].start : self.tokens[self.i - 1].end + 1].strip()

    def parenthesised(self) -> str:
        """`( expr )` -> expr."""
        if self.word() != "(":
            self.fail("expected (")
        expr = self.until({"THEN", "DO", "END", "WHEN"} | {"UNTIL"}, stop_at_semicolon=True)
        return expr

    def end_statement(self) -> None:
        if not self.accept(";"):
            self.fail("expected ;")

    # -- blocks ------------------------------------------------------------------------------------------------------
    def block(self) -> Block:
        declares: list[Declare] = []
        if self.accept("DECLARE"):
            while self.word() != "BEGIN" and not self.at_end():
                declares.append(self.declaration())
        self.expect("BEGIN")
        body = self.statements({"END", "EXCEPTION"})
        handlers: list[tuple[list[str], list[Stmt]]] = []
        if self.accept("EXCEPTION"):
            while self.accept("WHEN"):
                names = [self.name()]
                while self.accept("OR"):
                    names.append(self.name())
                self.expect("THEN")
                handlers.append((names, self.statements({"WHEN", "END"})))
        self.expect("END")
        return Block(declares, body, handlers)

    def declaration(self) -> Declare:
        name = self.name()
        if self.accept("CURSOR"):
            self.expect("FOR")
            declare = Declare(name, "cursor", default=self.until(set()))
        elif self.accept("RESULTSET"):
            declare = Declare(name, "resultset")
            if self.accept("DEFAULT", ":="):
                declare.default = self.until(set())
        elif self.accept("EXCEPTION"):
            declare = Declare(name, "exception")
            if self.word() == "(":
                inner = self.until(set())[1:-1]
                code, _, message = inner.partition(",")
                declare.code = int(code.strip())
                declare.message = message.strip().strip("'").replace("''", "'")
        else:
            declare = Declare(name, "variable")
            if self.word() not in ("DEFAULT", ":=", ";"):
                declare.type = self.until({"DEFAULT", ":="})
            if self.accept("DEFAULT", ":="):
                declare.default = self.until(set())
        self.end_statement()
        return declare

    def statements(self, stops: set[str]) -> list[Stmt]:
        out: list[Stmt] = []
        while not self.at_end() and self.word() not in stops:
            out.append(self.statement())
        return out

    def statement(self) -> Stmt:
        word = self.word()
        if word in ("BEGIN", "DECLARE") and self.word(1) not in ("TRANSACTION", "WORK", ";"):
            nested = self.block()
            self.end_statement()
            return nested
        if word == "LET":
            self.i += 1
            return self.let()
        if self.word(1) == ":=" and word not in _END_WORDS:
            name = self.name()
            self.i += 1
            expr = self.until(set())
            self.end_statement()
            return Assign(name, expr)
        if word == "IF":
            return self.if_statement()
        if word == "CASE":
            return self.case_statement()
        if word == "FOR":
            return self.for_statement()
        if word == "WHILE":
            self.i += 1
            cond = self.parenthesised()
            self.expect("DO")
            body = self.statements({"END"})
            self.closing("WHILE")
            return While(cond, body)
        if word == "REPEAT":
            self.i += 1
            body = self.statements({"UNTIL"})
            self.expect("UNTIL")
            until = self.parenthesised()
            self.closing("REPEAT")
            return Repeat(body, until)
        if word == "LOOP":
            self.i += 1
            body = self.statements({"END"})
            self.closing("LOOP")
            return Loop(body)
        if word in ("BREAK", "EXIT", "CONTINUE", "ITERATE"):
            self.i += 1
            if self.word() != ";":
                self.name()  # a label: loops are not labelled here, the innermost one is meant
            self.end_statement()
            return Break() if word in ("BREAK", "EXIT") else Continue()
        if word == "RETURN":
            self.i += 1
            if self.accept(";"):
                return Return(None)
            if self.word() == "TABLE" and self.word(1) == "(":
                self.i += 1
                inner = self.until(set())[1:-1].strip()
                self.end_statement()
                return Return(None, table=inner)
            expr = self.until(set())
            self.end_statement()
            return Return(expr)
        if word == "RAISE":
            self.i += 1
            raised = None if self.word() == ";" else self.name()
            self.end_statement()
            return Raise(raised)
        if word == "OPEN":
            self.i += 1
            name = self.name()
            using: list[str] = []
            if self.accept("USING"):
                inner = self.until(set())[1:-1]
                using = [part.strip() for part in inner.split(",") if part.strip()]
            self.end_statement()
            return Open(name, using)
        if word == "FETCH":
            self.i += 1
            name = self.name()
            self.expect("INTO")
            into = [part.strip().upper() for part in self.until(set()).split(",")]
            self.end_statement()
            return Fetch(name, into)
        if word == "CLOSE":
            self.i += 1
            name = self.name()
            self.end_statement()
            return Close(name)
        if word == "NULL" and self.word(1) == ";":
            self.i += 2
            return Sql("", self.tokens[self.i - 1].line)
        line = self.tokens[self.i].line
        text = self.until(set())
        self.end_statement()
        return Sql(text, line)

    def closing(self, word: str) -> None:
        self.expect("END")
        self.expect(word)
        if self.word() not in (";",):
            self.name()  # END FOR label
        self.end_statement()

    def let(self) -> Stmt:
        name = self.name()
        if self.accept("CURSOR"):
            self.expect("FOR")
            query = self.until(set())
            self.end_statement()
            return Assign(name, query, kind="cursor")
        if self.accept("RESULTSET"):
            self.expect(":=") if self.word() == ":=" else self.expect("DEFAULT")
            query = self.until(set())
            self.end_statement()
            return Assign(name, query, kind="resultset")
        type_text = None
        if self.word() not in ("DEFAULT", ":="):
            type_text = self.until({"DEFAULT", ":="})
        if not self.accept("DEFAULT", ":="):
            self.fail("expected := or DEFAULT")
        expr = self.until(set())
        self.end_statement()
        return Assign(name, expr, type=type_text)

    def if_statement(self) -> If:
        self.expect("IF")
        branches = [(self.parenthesised(), self.then_body())]
        otherwise = None
        while True:
            if self.accept("ELSEIF"):
                branches.append((self.parenthesised(), self.then_body()))
            elif self.accept("ELSE"):
                otherwise = self.statements({"END"})
            else:
                break
        self.closing("IF")
        return If(branches, otherwise)

    def then_body(self) -> list[Stmt]:
        self.expect("THEN")
        return self.statements({"ELSEIF", "ELSE", "END"})

    def case_statement(self) -> Case:
        self.expect("CASE")
        subject = self.parenthesised() if self.word() == "(" else None
        whens: list[tuple[str, list[Stmt]]] = []
        otherwise = None
        while self.accept("WHEN"):
            value = self.until({"THEN"})
            self.expect("THEN")
            whens.append((value, self.statements({"WHEN", "ELSE", "END"})))
        if self.accept("ELSE"):
            otherwise = self.statements({"END"})
        self.closing("CASE")
        return Case(subject, whens, otherwise)

    def for_statement(self) -> Stmt:
        self.expect("FOR")
        var = self.name()
        self.expect("IN")
        reverse = self.accept("REVERSE")
        start = self.until({"TO", "DO", "LOOP"})
        if self.accept("TO"):
            end = self.until({"DO", "LOOP"})
            opener = self.name()
            body = self.statements({"END"})
            self.closing("FOR" if opener == "DO" else "LOOP")
            return ForRange(var, start, end, reverse, body)
        opener = self.name()
        body = self.statements({"END"})
        self.closing("FOR" if opener == "DO" else "LOOP")
        return ForCursor(var, start.upper(), body)
