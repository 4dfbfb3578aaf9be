// The design brief's example schemas, read from dw_simulator/examples at build time (one source for every front end).
import ecommerce from "../../dw_simulator/examples/ecommerce_experiment.json";
import retail from "../../dw_simulator/examples/retail_analytics.json";
import salesJson from "../../dw_simulator/examples/sales_experiment.json";
import salesSql from "../../dw_simulator/examples/sales.sql?raw";
import draftYaml from "../../dw_simulator/examples/draft_customers.yaml?raw";

export interface Example {
  id: string;
  title: string;
  summary: string;
  kind: "json" | "yaml" | "sql";
  text: string;
  /** Name to suggest for an SQL import. */
  name?: string;
}

export const EXAMPLES: Example[] = [
  {
    id: "ecommerce",
    title: "E-commerce",
    summary: ecommerce.description,
    kind: "json",
    text: JSON.stringify(ecommerce, null, 2),
  },
  {
    id: "retail",
    title: "Retail analytics",
    summary: retail.description,
    kind: "json",
    text: JSON.stringify(retail, null, 2),
  },
  {
    id: "sales-sql",
    title: "Sales DDL (composite key)",
    summary: "CREATE TABLE with a composite primary key, imported from SQL",
    kind: "sql",
    text: salesSql,
    name: "sales",
  },
  {
    id: "sales-json",
    title: "Sales (composite key)",
    summary: salesJson.description,
    kind: "json",
    text: JSON.stringify(salesJson, null, 2),
  },
  {
    id: "draft",
    title: "Draft YAML",
    summary: "The brief's draft YAML form: customers and orders with Faker generators and distributions",
    kind: "yaml",
    text: draftYaml,
  },
];
