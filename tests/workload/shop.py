"""A small shop in warehouse DDL (no foreign keys, a join column no name rule can link) and a query file with
equality, IN, NOT IN, LIKE, ranges, EXTRACT, interval arithmetic, CASE, CTEs, aliases, schema prefixes, HAVING and
joins: what the tests fit and then expect to find rows for."""

DDL = """
CREATE TABLE customers (
    customer_id INTEGER NOT NULL PRIMARY KEY,
    full_name   VARCHAR(60),
    segment     VARCHAR(20),
    region      VARCHAR(20),
    signup_date DATE
) DISTSTYLE ALL;

CREATE TABLE orders (
    order_id    BIGINT NOT NULL PRIMARY KEY,
    cust_ref    INTEGER NOT NULL,
    status      VARCHAR(12),
    promo_code  VARCHAR(16),
    order_date  DATE,
    amount      DECIMAL(10,2),
    priority    SMALLINT
) DISTKEY (cust_ref) SORTKEY (order_date);
"""

QUERIES = """
-- name: shipped_books
SELECT c.segment, count(*) AS n
FROM shop.orders o
JOIN customers c ON o.cust_ref = c.customer_id
WHERE o.status = 'shipped' AND c.segment IN ('Books', 'Music')
GROUP BY c.segment;

-- name: promo_1995
SELECT order_id, amount FROM orders
WHERE promo_code LIKE 'PROMO%' AND order_date BETWEEN '1995-01-01' AND '1995-12-31';

-- name: big_recent
WITH recent AS (
    SELECT cust_ref AS who, amount AS total FROM orders
    WHERE order_date >= DATE '1996-03-15' - INTERVAL '3 months'
)
SELECT who, total FROM recent WHERE total > 500 AND total <= 2000;

-- name: year_and_status
SELECT count(*) FROM orders
WHERE EXTRACT(YEAR FROM order_date) = 1996 AND status NOT IN ('cancelled', 'returned') AND priority < 3;

-- name: regions
SELECT CASE WHEN region = 'EMEA' THEN 'europe' ELSE 'rest' END AS area, count(*)
FROM customers x WHERE x.full_name ILIKE '%smith%' GROUP BY 1;

-- name: loyal
SELECT cust_ref, count(*) FROM orders GROUP BY cust_ref HAVING count(*) > 5;
"""
