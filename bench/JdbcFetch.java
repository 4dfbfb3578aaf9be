// Fetches a query's rows with pgjdbc and prints "<seconds> <rows> <checksum>" for bench/jdbc_formats.py.
// Arguments: url user password sql rounds binary(true|false). Binary: prepareThreshold=-1 (server-prepared from the
// first run) with binaryTransfer=true; text: binaryTransfer=false. The best of the rounds is printed.

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Properties;

public class JdbcFetch {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        boolean binary = Boolean.parseBoolean(args[5]);
        props.setProperty("binaryTransfer", String.valueOf(binary));
        props.setProperty("prepareThreshold", binary ? "-1" : "5");
        int rounds = Integer.parseInt(args[4]);
        double best = Double.MAX_VALUE;
        long rows = 0;
        double checksum = 0;
        try (Connection c = DriverManager.getConnection(args[0], props)) {
            c.setAutoCommit(false);
            for (int round = 0; round < rounds; round++) {
                long started = System.nanoTime();
                rows = 0;
                checksum = 0;
                try (PreparedStatement p = c.prepareStatement(args[3])) {
                    p.setFetchSize(10000);
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) {
                            rows++;
                            checksum += r.getLong(1) + r.getBigDecimal(3).doubleValue();
                            r.getString(2);
                            r.getTimestamp(4);
                        }
                    }
                }
                c.commit();
                best = Math.min(best, (System.nanoTime() - started) / 1e9);
            }
        }
        System.out.println(best + " " + rows + " " + checksum);
    }
}
