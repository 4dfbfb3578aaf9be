import { describe, expect, test } from "vitest";
import { foreignKeyEdges, tableLevels } from "../components/ErDiagram";
import { keyLabels, neighbours, primaryKey } from "../components/erModel";
import { isNestedType, isNumericType } from "../components/ResultsGrid";
import { withoutInferences } from "../pages/Inferences";
import { splitStatements, statementAt } from "../sqlStatements";
import { jsonErrorPosition, jsonSyntaxError, locateProblem, positionAt } from "../locate";
import { parseRoute } from "../router";
import { detail } from "../test/fixtures";

describe("locating problems in schema text", () => {
  const json = JSON.stringify(detail().schema, null, 2);

  test("points at the field of the column of the table", () => {
    const pos = locateProblem(json, { message: "bad", table: "orders", column: "order_total", field: "min_value" });
    expect(pos).not.toBeNull();
    const line = json.split("\n")[pos!.line - 1];
    expect(line).toContain('"min_value"');
  });

  test("finds the column in YAML", () => {
    const yaml = "name: shop\ntables:\n  - name: customers\n    columns:\n      - name: email\n        data_type: VARCHRA\n";
    const pos = locateProblem(yaml, { message: "unknown type", table: "customers", column: "email", field: "data_type" });
    expect(pos).toEqual({ line: 6, col: 9 });
  });

  test("uses the line and column when the server gives them", () => {
    expect(locateProblem("x", { message: "m", line: 4, col: 2 })).toEqual({ line: 4, col: 2 });
    expect(locateProblem("nothing here", { message: "m", table: "zzz" })).toBeNull();
  });

  test("reads JSON.parse positions", () => {
    const text = '{\n  "a": 1,\n}';
    expect(positionAt(text, 12)).toEqual({ line: 3, col: 1 });
    expect(jsonErrorPosition(text, "Unexpected token } in JSON at position 12")).toEqual({ line: 3, col: 1 });
    expect(jsonErrorPosition(text, "Expected double-quoted property name (line 3 column 1)")).toEqual({ line: 3, col: 1 });
  });
});

describe("JSON syntax errors", () => {
  test("accepts valid JSON and finds the first error", () => {
    for (const ok of ['{"a": [1, -2.5e3, true, false, null, "x\\"y"]}', "[]", " 3 ", '"\\u00e9"']) {
      expect(jsonSyntaxError(ok), ok).toBeNull();
    }
    expect(jsonSyntaxError('{\n  "a": 1,\n}')).toEqual({ offset: 12, message: "expected a double-quoted property name, found '}'" });
    expect(jsonSyntaxError('{"a" 1}')?.offset).toBe(5);
    expect(jsonSyntaxError("[1, 2")?.message).toBe("expected ',' or ']', found end of input");
    expect(jsonSyntaxError("{} x")?.offset).toBe(3);
  });
});

describe("ER diagram layout", () => {
  test("edges follow the foreign keys and children sit right of parents", () => {
    const schema = {
      name: "x",
      tables: [
        { name: "items", columns: [{ name: "order_id", data_type: "INT", foreign_key: { references_table: "orders", references_column: "id" } }] },
        { name: "orders", columns: [{ name: "id", data_type: "INT" }, { name: "cid", data_type: "INT", foreign_key: { references_table: "customers", references_column: "id" } }] },
        { name: "customers", columns: [{ name: "id", data_type: "INT" }, { name: "boss", data_type: "INT", foreign_key: { references_table: "customers", references_column: "id" } }] },
        { name: "ghost_ref", columns: [{ name: "x", data_type: "INT", foreign_key: { references_table: "missing", references_column: "id" } }] },
      ],
    };
    expect(foreignKeyEdges(schema).map((e) => `${e.from}->${e.to}`)).toEqual([
      "items->orders",
      "orders->customers",
      "customers->customers",
    ]);
    expect(tableLevels(schema)).toEqual({ customers: 0, orders: 1, items: 2, ghost_ref: 0 });
  });
});

describe("routes", () => {
  test("parses the three screens", () => {
    expect(parseRoute("/")).toEqual({ page: "experiments" });
    expect(parseRoute("/experiments/a%20b")).toEqual({ page: "experiment", name: "a b" });
    expect(parseRoute("/experiments/shop/query/")).toEqual({ page: "query", name: "shop" });
    expect(parseRoute("/nope")).toEqual({ page: "not-found", path: "/nope" });
  });
});

describe("statements under the cursor", () => {
  test("semicolons in quotes, comments and $$ bodies do not split", () => {
    const sql = "SELECT ';' AS a; -- x;y\nSELECT \"a;b\" FROM t /* ; */;\nCREATE FUNCTION f() AS $$ a; b $$;";
    expect(splitStatements(sql).map((s) => s.text)).toEqual([
      "SELECT ';' AS a",
      "-- x;y\nSELECT \"a;b\" FROM t /* ; */",
      "CREATE FUNCTION f() AS $$ a; b $$",
    ]);
  });

  test("the statement the cursor is in, or just after", () => {
    const sql = "SELECT 1;\n\nSELECT 2;\nSELECT 3";
    expect(statementAt(sql, 3)!.text).toBe("SELECT 1");
    expect(statementAt(sql, sql.indexOf("2;") + 2)!.text).toBe("SELECT 2");
    expect(statementAt(sql, sql.length)!.text).toBe("SELECT 3");
    expect(statementAt("  ", 1)).toBeNull();
  });
});

describe("ER model", () => {
  const table = {
    name: "order_items",
    columns: [
      { name: "order_id", data_type: "INT", required: true, is_unique: false, foreign_key: { references_table: "orders", references_column: "id" } },
      { name: "line", data_type: "INT", required: true },
      { name: "sku", data_type: "VARCHAR", is_unique: true },
    ],
    composite_keys: [["order_id", "line"]],
  };

  test("PK from the composite key, FK and UQ", () => {
    expect([...primaryKey(table)]).toEqual(["order_id", "line"]);
    expect(table.columns.map((c) => keyLabels(table, c))).toEqual([["PK", "FK"], ["PK"], ["UQ"]]);
    const single = { name: "t", columns: [{ name: "a", data_type: "INT", is_unique: true, required: true }] };
    expect(keyLabels(single, single.columns[0])).toEqual(["PK"]);
  });

  test("neighbours both ways", () => {
    const edges = [
      { from: "b", fromColumn: "a_id", to: "a", toColumn: "id" },
      { from: "c", fromColumn: "b_id", to: "b", toColumn: "id" },
    ];
    expect([...neighbours(edges, "b")].sort()).toEqual(["a", "b", "c"]);
  });
});

describe("grid types and inferences", () => {
  test("numeric and nested types", () => {
    expect(["INTEGER", "DECIMAL(10,2)", "HUGEINT", "DOUBLE", "NUMBER(38,0)"].every(isNumericType)).toBe(true);
    expect(["VARCHAR", "DATE", "JSON"].some(isNumericType)).toBe(false);
    expect(["JSON", "VARIANT", "SUPER", "STRUCT(a INT)", "INTEGER[]"].every(isNestedType)).toBe(true);
  });

  test("a dropped inference clears exactly its fields", () => {
    const schema = {
      name: "s",
      tables: [{ name: "t", columns: [{ name: "p", data_type: "DECIMAL(10,2)", min_value: 0, max_value: 99, faker_rule: "x.y" }] }],
    };
    const inf = { kind: "range", table: "t", column: "p", fields: ["min_value", "max_value"], reason: "money" };
    const out = withoutInferences(schema, [inf], new Set(["t.p.range"]));
    expect(out.tables[0].columns[0]).toEqual({ name: "p", data_type: "DECIMAL(10,2)", faker_rule: "x.y" });
    expect(schema.tables[0].columns[0].min_value).toBe(0); // the original is untouched
  });
});
