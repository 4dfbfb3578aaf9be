import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { CreateExperimentDialog } from "../pages/CreateExperimentDialog";
import { mockApi, pending, reply, setEditorText } from "../test/helpers";
import { summary } from "../test/fixtures";

const SALES_SQL = "CREATE TABLE sales (\n  region_id INT NOT NULL,\n  store_id INT NOT NULL,\n  amount DECIMAL(10,2),\n  PRIMARY KEY (region_id, store_id)\n);\n";
const WARNING = "Table 'sales' has a composite primary key (region_id, store_id). A surrogate key column '_row_id' has been added.";
const imported = {
  schema: {
    name: "sales",
    tables: [
      {
        name: "sales",
        target_rows: 1000,
        composite_keys: [["region_id", "store_id"]],
        columns: [
          { name: "_row_id", data_type: "INT", is_unique: true, required: true },
          { name: "region_id", data_type: "INT", required: true },
          { name: "store_id", data_type: "INT", required: true },
          { name: "amount", data_type: "DECIMAL(10,2)" },
          { name: "email", data_type: "VARCHAR(80)", varchar_length: 80, faker_rule: "internet.email" },
        ],
      },
    ],
  },
  warnings: [WARNING],
  notes: ["PRIMARY KEY (region_id, store_id) kept as a composite key"],
  experiment: null,
};

function open(initial?: Parameters<typeof CreateExperimentDialog>[0]["initial"]) {
  const onCreated = vi.fn();
  const onClose = vi.fn();
  render(<CreateExperimentDialog initial={initial} onClose={onClose} onCreated={onCreated} />);
  return { onCreated, onClose };
}

describe("Create experiment: Schema tab", () => {
  test("points at a JSON syntax error without calling the server", async () => {
    const calls = mockApi({});
    open({ tab: "schema", text: "" });
    await setEditorText("Schema", '{\n  "name": "shop",\n  "tables": [\n}');
    await userEvent.click(screen.getByRole("button", { name: "Create experiment" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The JSON does not parse");
    const problems = screen.getByRole("list", { name: "Problems" });
    expect(within(problems).getByRole("button", { name: /line 4/ })).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  test("shows the server's validation messages at the table, column and field", async () => {
    mockApi({
      "POST /api/experiments": () =>
        reply(422, {
          error: "validation_error",
          message: "the schema is invalid",
          details: [{ message: "unknown data_type 'VARCHRA'", table: "t", column: "email", field: "data_type" }],
        }),
    });
    open({ tab: "schema", text: "" });
    const text = '{\n  "name": "shop",\n  "tables": [\n    {"name": "t", "columns": [\n      {"name": "email",\n       "data_type": "VARCHRA"}\n    ]}\n  ]\n}';
    await setEditorText("Schema", text);
    await userEvent.click(screen.getByRole("button", { name: "Create experiment" }));
    const problems = await screen.findByRole("list", { name: "Problems" });
    expect(problems).toHaveTextContent("t › email › data_type");
    expect(problems).toHaveTextContent("unknown data_type 'VARCHRA'");
    expect(screen.getByRole("alert")).toHaveTextContent("the schema is invalid");
  });

  test("creates from YAML, sending the text as YAML", async () => {
    const calls = mockApi({ "POST /api/experiments": () => reply(201, summary({ name: "draft" })) });
    const { onCreated } = open({ tab: "schema", text: "name: draft\nschema:\n  T:\n    count: 5\n", format: "yaml" });
    expect(screen.getByRole("radio", { name: "YAML" })).toBeChecked();
    await userEvent.click(screen.getByRole("button", { name: "Create experiment" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(onCreated.mock.calls[0][0].experiment.name).toBe("draft");
    expect(calls[0].headers["Content-Type"]).toBe("application/yaml");
    expect(calls[0].body).toContain("count: 5");
  });

  test("shows a busy state while creating", async () => {
    mockApi({ "POST /api/experiments": pending });
    open({ tab: "schema", text: '{"name": "x", "tables": []}' });
    await userEvent.click(screen.getByRole("button", { name: "Create experiment" }));
    expect(screen.getByRole("button", { name: "Creating…" })).toBeDisabled();
  });
});

describe("Create experiment: SQL import tab", () => {
  test("previews with a dry run, showing tables, flags, faker rules and warning banners", async () => {
    const calls = mockApi({ "POST /api/experiments/import-sql": () => imported });
    open({ tab: "sql", text: SALES_SQL, name: "sales" });
    expect(screen.getByRole("button", { name: "Create experiment" })).toBeDisabled();
    await userEvent.selectOptions(screen.getByLabelText("Dialect"), "snowflake");
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    const preview = await screen.findByRole("region", { name: "Import preview" });
    const dry = calls.filter((c) => c.path === "/api/experiments/import-sql");
    expect(dry[0].json()).toEqual({ sql: SALES_SQL, dialect: "snowflake", name: "sales", dry_run: true });
    expect(within(preview).getByText(/composite primary key/)).toBeInTheDocument();
    expect(within(preview).getByText("Composite key: (region_id, store_id)")).toBeInTheDocument();
    expect(within(preview).getByText("DECIMAL(10,2)")).toBeInTheDocument();
    expect(within(preview).getByText("internet.email")).toBeInTheDocument();
    expect(within(preview).getByText("80")).toBeInTheDocument();
    expect(within(preview).getAllByText("required")).toHaveLength(3);
    // The warning banner can be dismissed.
    await userEvent.click(within(preview).getByRole("button", { name: "Dismiss" }));
    expect(within(preview).queryByText(/composite primary key \(region_id/)).not.toBeInTheDocument();
  });

  test("creates what was previewed, with per-table rows, replace and warehouse, and hands back the warnings", async () => {
    const calls = mockApi({
      "POST /api/experiments/import-sql": () => imported,
      "POST /api/experiments": () => reply(201, summary({ name: "sales" })),
      "GET /health": () => ({ status: "ok", version: "x", active_runs: 0, backends: { duckdb: { ok: true }, redshift: { ok: false } } }),
    });
    const { onCreated } = open({ tab: "sql", text: SALES_SQL, name: "sales" });
    await waitFor(() => expect(screen.getByRole("option", { name: "redshift (unavailable)" })).toBeDisabled());
    await userEvent.selectOptions(screen.getByLabelText("Warehouse"), "duckdb");
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    await screen.findByRole("region", { name: "Import preview" });
    await userEvent.type(screen.getByLabelText("Rows for sales"), "250");
    await userEvent.click(screen.getByLabelText("Replace an existing experiment of this name"));
    await userEvent.click(screen.getByRole("button", { name: "Create experiment" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    const dry = calls.find((c) => c.path === "/api/experiments/import-sql")!;
    expect(dry.json()).toMatchObject({ dry_run: true, target_warehouse: "duckdb" });
    const create = calls.find((c) => c.method === "POST" && c.path === "/api/experiments")!;
    expect(create.query.get("replace")).toBe("true");
    expect(create.query.get("target_warehouse")).toBe("duckdb");
    const sent = create.json() as { tables: { target_rows: number }[] };
    expect(sent.tables[0].target_rows).toBe(250);
    expect(onCreated.mock.calls[0][0].warnings).toEqual([WARNING]);
  });

  test("lists the inferences to keep or drop; a dropped one is cleared from the schema", async () => {
    const withInferences = {
      ...imported,
      notes: ["Table 'sales': inferred (edit the JSON to change): email.faker_rule=internet.email (from the column name)"],
      inferences: [
        { kind: "faker_rule", table: "sales", column: "email", fields: ["faker_rule"], value: "internet.email", reason: "from the column name" },
      ],
    };
    const calls = mockApi({
      "POST /api/experiments/import-sql": () => withInferences,
      "POST /api/experiments": () => reply(201, summary({ name: "sales" })),
    });
    const { onCreated } = open({ tab: "sql", text: SALES_SQL, name: "sales" });
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    const list = await screen.findByRole("list", { name: "Inferences" });
    expect(list).toHaveTextContent("sales.email");
    expect(screen.queryByText(/inferred \(edit the JSON/)).not.toBeInTheDocument(); // shown once, as the list
    await userEvent.click(within(list).getByRole("checkbox", { name: "Keep faker_rule of sales.email" }));
    await userEvent.click(screen.getByRole("button", { name: "Create experiment" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    const create = calls.find((c) => c.method === "POST" && c.path === "/api/experiments")!;
    const email = (create.json() as { tables: { columns: { name: string; faker_rule?: string }[] }[] }).tables[0].columns.find(
      (c) => c.name === "email",
    );
    expect(email).toBeDefined();
    expect(email!.faker_rule).toBeUndefined();
    expect(onCreated.mock.calls[0][0].inferences).toEqual([]);
  });

  test("shows parser errors at their line and column", async () => {
    mockApi({
      "POST /api/experiments/import-sql": () =>
        reply(422, {
          error: "validation_error",
          message: "cannot parse the DDL",
          details: [{ message: "Expecting )", line: 2, col: 14 }],
        }),
    });
    open({ tab: "sql", text: "CREATE TABLE t (\n  a INT NOT NUL,\n" });
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("cannot parse the DDL");
    const problems = screen.getByRole("list", { name: "Problems" });
    expect(within(problems).getByRole("button", { name: "line 2, column 14" })).toBeInTheDocument();
    expect(problems).toHaveTextContent("Expecting )");
    expect(screen.queryByRole("region", { name: "Import preview" })).not.toBeInTheDocument();
  });

  test("reads a picked file and suggests its name", async () => {
    mockApi({});
    open({ tab: "sql", text: "" });
    const file = new File([SALES_SQL], "sales-ddl.sql", { type: "application/sql" });
    await userEvent.upload(screen.getByLabelText("SQL file"), file);
    await waitFor(() => expect(screen.getByLabelText("Experiment name")).toHaveValue("sales_ddl"));
    expect((await screen.findByRole("textbox", { name: "CREATE TABLE statements" })).textContent).toContain("CREATE TABLE sales");
  });

  test("tabs switch with the arrow keys and keep what was typed", async () => {
    mockApi({});
    open({ tab: "schema", text: '{"name": "kept"}' });
    screen.getByRole("tab", { name: "Schema (JSON/YAML)" }).focus();
    await userEvent.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "SQL import" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tab", { name: "SQL import" })).toHaveFocus();
    await userEvent.keyboard("{ArrowLeft}");
    expect((await screen.findByRole("textbox", { name: "Schema" })).textContent).toContain('"kept"');
  });
});
