// Syntax-highlighting dialects for the two warehouses (lang-sql ships PostgreSQL, which Redshift is built on).
import { PostgreSQL, SQLDialect, StandardSQL } from "@codemirror/lang-sql";

const redshiftKeywords =
  "distkey diststyle sortkey compound interleaved encode identity backup unload copy iam_role manifest " +
  "credentials gzip bzip2 zstd lzo delimiter ignoreheader timeformat dateformat emptyasnull blanksasnull " +
  "spectrum external qualify pivot unpivot listagg approximate percentile_cont median nvl nvl2 decode " +
  "getdate sysdate dateadd datediff date_trunc convert_timezone";
const redshiftTypes = "super varbyte geometry geography hllsketch timetz timestamptz bpchar nchar nvarchar";

export const Redshift = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords: `${PostgreSQL.spec.keywords ?? ""} ${redshiftKeywords}`,
  types: `${PostgreSQL.spec.types ?? ""} ${redshiftTypes}`,
});

const snowflakeKeywords =
  "qualify lateral flatten ilike rlike regexp sample tablesample at before changes match_recognize pivot unpivot " +
  "cluster by copy into stage file_format pattern transient temporary volatile warehouse clone undrop " +
  "iff nvl nvl2 zeroifnull nullifzero div0 try_cast parse_json object_construct array_agg array_construct " +
  "dateadd datediff date_trunc to_date to_timestamp current_timestamp listagg within group autoincrement " +
  "identity start increment comment masking policy tag sequence stream task pipe result_scan last_query_id";
const snowflakeTypes =
  "number numeric int integer bigint smallint tinyint byteint float float4 float8 double real decimal " +
  "varchar char character string text binary varbinary boolean date datetime time timestamp timestamp_ltz " +
  "timestamp_ntz timestamp_tz variant object array geography geometry";

export const Snowflake = SQLDialect.define({
  ...StandardSQL.spec,
  keywords: `${StandardSQL.spec.keywords ?? ""} ${snowflakeKeywords}`,
  types: snowflakeTypes,
  identifierQuotes: '"',
  operatorChars: "*+-%<>!=&|~^/:",
  specialVar: "$",
  hashComments: false,
  slashComments: true,
  doubleDollarQuotedStrings: true,
});

export function dialectFor(name: string | undefined): SQLDialect {
  return name === "snowflake" ? Snowflake : Redshift;
}
