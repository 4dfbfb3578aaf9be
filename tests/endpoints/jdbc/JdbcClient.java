// A pgjdbc client for the Redshift endpoint's tests (tests/endpoints/test_jdbc.py): run by `java` as a single source
// file with Debian's libpostgresql-jdbc-java on the class path, with the driver's defaults (no preferQueryMode, no
// other flags). Each scenario prints `name<TAB>value` lines; the test asserts them. A scenario that throws prints
// `name<TAB>ERROR <sqlstate> <message>` and the program goes on with the next one.

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class JdbcClient {
    interface Scenario {
        String run(Connection c) throws Exception;
    }

    static String url;
    static Properties props = new Properties();
    static String table;
    static String schema;

    public static void main(String[] args) throws Exception {
        url = args[0];
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        table = args[3];
        schema = args[4];
        String only = args.length > 5 ? args[5] : "";
        try (Connection c = DriverManager.getConnection(url, props)) {
            Scenario[] scenarios = {
                JdbcClient::placeholders, JdbcClient::afterError, JdbcClient::rollbackAfterError,
                JdbcClient::typedParameters, JdbcClient::batch, JdbcClient::binaryTransfer, JdbcClient::fetchSize,
                JdbcClient::metadata,
            };
            String[] names = {
                "placeholders", "after_error", "rollback_after_error", "typed_parameters", "batch",
                "binary_transfer", "fetch_size", "metadata",
            };
            for (int i = 0; i < scenarios.length; i++) {
                if (!only.isEmpty() && !only.equals(names[i])) {
                    continue;
                }
                String out;
                try {
                    c.setAutoCommit(true);
                    out = scenarios[i].run(c);
                } catch (SQLException e) {
                    out = "ERROR " + e.getSQLState() + " " + e.getMessage().replace('\n', ' ');
                    try {
                        if (!c.getAutoCommit()) {
                            c.rollback();
                        }
                    } catch (SQLException ignored) {
                        // the connection is gone: the next scenario reports it
                    }
                }
                System.out.println(names[i] + "\t" + out);
            }
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    static String placeholders(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select ?,?, ?+?")) {
            p.setInt(1, 1);
            p.setString(2, "a");
            p.setInt(3, 2);
            p.setInt(4, 3);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1) + "|" + r.getString(2) + "|" + r.getInt(3);
            }
        }
    }

    /** An error, then an INSERT: the INSERT must run (it used to be swallowed). */
    static String afterError(Connection c) throws SQLException {
        exec(c, "drop table if exists " + table);
        exec(c, "create table " + table + " (id integer, label varchar(20))");
        String failed;
        try (PreparedStatement p = c.prepareStatement("select * from no_such_table_here where id = ?")) {
            p.setInt(1, 1);
            p.executeQuery();
            failed = "no error";
        } catch (SQLException e) {
            failed = e.getSQLState();
        }
        int n;
        try (PreparedStatement p = c.prepareStatement("insert into " + table + " values (?,?)")) {
            p.setInt(1, 1);
            p.setString(2, "after");
            n = p.executeUpdate();
        }
        return failed + "|" + n + "|" + one(c, "select count(*) from " + table);
    }

    /** Inside a transaction: an error, ROLLBACK, then a committed INSERT. */
    static String rollbackAfterError(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("insert into " + table + " values (?,?)")) {
            p.setInt(1, 2);
            p.setString(2, "rolled back");
            p.executeUpdate();
        }
        String failed;
        try (Statement s = c.createStatement()) {
            s.executeQuery("select * from no_such_table_here");
            failed = "no error";
        } catch (SQLException e) {
            failed = e.getSQLState();
        }
        c.rollback();
        try (PreparedStatement p = c.prepareStatement("insert into " + table + " values (?,?)")) {
            p.setInt(1, 3);
            p.setString(2, "committed");
            p.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
        return failed + "|" + one(c, "select listagg(id, ',') within group (order by id) from " + table);
    }

    static String typedParameters(Connection c) throws SQLException {
        String t = table + "_typed";
        exec(c, "drop table if exists " + t);
        exec(c, "create table " + t + " (amount numeric(12,2), d date, ts timestamp, tm varchar(20), f float8,"
                + " b boolean, big bigint)");
        try (PreparedStatement p = c.prepareStatement("insert into " + t + " values (?,?,?,?,?,?,?)")) {
            p.setBigDecimal(1, new BigDecimal("1234.56"));
            p.setDate(2, Date.valueOf("2024-02-29"));
            p.setTimestamp(3, Timestamp.valueOf("2024-03-01 12:34:56.789"));
            p.setTime(4, Time.valueOf("07:08:09"));
            p.setDouble(5, 2.5);
            p.setBoolean(6, true);
            p.setLong(7, 9007199254740993L);
            p.executeUpdate();
        }
        StringBuilder out = new StringBuilder();
        try (PreparedStatement p = c.prepareStatement(
                "select amount, d, ts, f, b, big from " + t + " where amount = ? and d = ? and ts >= ?")) {
            p.setBigDecimal(1, new BigDecimal("1234.56"));
            p.setDate(2, Date.valueOf("2024-02-29"));
            p.setTimestamp(3, Timestamp.valueOf("2024-03-01 00:00:00"));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.append(r.getBigDecimal(1)).append('|').append(r.getDate(2)).append('|')
                        .append(r.getTimestamp(3)).append('|').append(r.getDouble(4)).append('|')
                        .append(r.getBoolean(5)).append('|').append(r.getLong(6));
                }
            }
        }
        return out.toString();
    }

    static String batch(Connection c) throws SQLException {
        String t = table + "_batch";
        exec(c, "drop table if exists " + t);
        exec(c, "create table " + t + " (id integer, label varchar(20))");
        try (PreparedStatement p = c.prepareStatement("insert into " + t + " (id,label) values (?,?)")) {
            for (int i = 0; i < 50; i++) {
                p.setInt(1, i);
                p.setString(2, "row" + i);
                p.addBatch();
            }
            int[] counts = p.executeBatch();
            int sum = 0;
            for (int n : counts) {
                sum += Math.max(n, 0);
            }
            return counts.length + "|" + one(c, "select count(*) || '|' || sum(id) from " + t);
        }
    }

    /** The same prepared query run 8 times: from the 5th on pgjdbc prepares it on the server and reads binary. */
    static String binaryTransfer(Connection c) throws SQLException {
        List<String> answers = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(
                "select ?::integer as i, ?::bigint as b, cast(? as numeric(10,3)) as n, ?::date as d,"
                + " ?::timestamp as ts, ?::float8 as f, ?::boolean as ok, ?::varchar as s")) {
            for (int run = 0; run < 8; run++) {
                p.setInt(1, 42 + run);
                p.setLong(2, -5L);
                p.setBigDecimal(3, new BigDecimal("-12.345"));
                p.setDate(4, Date.valueOf("1999-12-31"));
                p.setTimestamp(5, Timestamp.valueOf("2024-01-02 03:04:05.5"));
                p.setDouble(6, 0.25);
                p.setBoolean(7, false);
                p.setString(8, "x");
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    answers.add((r.getInt(1) - run) + "," + r.getLong(2) + "," + r.getBigDecimal(3) + ","
                        + r.getDate(4) + "," + r.getTimestamp(5) + "," + r.getDouble(6) + "," + r.getBoolean(7)
                        + "," + r.getString(8));
                }
            }
        }
        return String.join("|", new java.util.LinkedHashSet<>(answers));
    }

    /** A cursor-style read: fetch size 100 with autocommit off (Execute with a row limit, portal suspended). */
    static String fetchSize(Connection c) throws SQLException {
        c.setAutoCommit(false);
        long rows = 0;
        long sum = 0;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(100);
            try (ResultSet r = s.executeQuery("select order_id from orders order by order_id")) {
                while (r.next()) {
                    rows++;
                    sum += r.getLong(1);
                }
            }
        }
        c.commit();
        return rows + "|" + sum;
    }

    static String metadata(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        List<String> tables = new ArrayList<>();
        try (ResultSet r = md.getTables(null, schema, "order%",
                new String[] {"TABLE"})) {
            while (r.next()) {
                tables.add(r.getString("TABLE_NAME"));
            }
        }
        List<String> columns = new ArrayList<>();
        try (ResultSet r = md.getColumns(null, schema, "orders", "%")) {
            while (r.next()) {
                columns.add(r.getString("COLUMN_NAME"));
            }
        }
        int schemas = 0;
        try (ResultSet r = md.getSchemas()) {
            while (r.next()) {
                schemas++;
            }
        }
        return String.join(",", tables) + "|" + String.join(",", columns) + "|" + (schemas > 0) + "|"
            + md.getDatabaseProductName();
    }
}
