-- TPC-H, the way a Redshift user's warehouse DDL usually looks: written for dw-sim's realism benchmark from the
-- table definitions of the public TPC-H specification (clause 1.4), with distribution and sort keys, primary keys
-- (informational in Redshift) and no foreign keys.
CREATE TABLE region (
    r_regionkey   INT4          NOT NULL,
    r_name        CHAR(25)      NOT NULL,
    r_comment     VARCHAR(152)  NOT NULL,
    PRIMARY KEY (r_regionkey)
)
DISTSTYLE ALL
SORTKEY (r_regionkey);

CREATE TABLE nation (
    n_nationkey   INT4          NOT NULL,
    n_name        CHAR(25)      NOT NULL,
    n_regionkey   INT4          NOT NULL,
    n_comment     VARCHAR(152)  NOT NULL,
    PRIMARY KEY (n_nationkey)
)
DISTSTYLE ALL
SORTKEY (n_nationkey);

CREATE TABLE part (
    p_partkey     INT4          NOT NULL,
    p_name        VARCHAR(55)   NOT NULL,
    p_mfgr        CHAR(25)      NOT NULL,
    p_brand       CHAR(10)      NOT NULL,
    p_type        VARCHAR(25)   NOT NULL,
    p_size        INT4          NOT NULL,
    p_container   CHAR(10)      NOT NULL,
    p_retailprice NUMERIC(12,2) NOT NULL,
    p_comment     VARCHAR(23)   NOT NULL,
    PRIMARY KEY (p_partkey)
)
DISTKEY (p_partkey)
SORTKEY (p_partkey);

CREATE TABLE supplier (
    s_suppkey     INT4          NOT NULL,
    s_name        CHAR(25)      NOT NULL,
    s_address     VARCHAR(40)   NOT NULL,
    s_nationkey   INT4          NOT NULL,
    s_phone       CHAR(15)      NOT NULL,
    s_acctbal     NUMERIC(12,2) NOT NULL,
    s_comment     VARCHAR(101)  NOT NULL,
    PRIMARY KEY (s_suppkey)
)
DISTKEY (s_suppkey)
SORTKEY (s_suppkey);

CREATE TABLE partsupp (
    ps_partkey    INT4          NOT NULL,
    ps_suppkey    INT4          NOT NULL,
    ps_availqty   INT4          NOT NULL,
    ps_supplycost NUMERIC(12,2) NOT NULL,
    ps_comment    VARCHAR(199)  NOT NULL,
    PRIMARY KEY (ps_partkey, ps_suppkey)
)
DISTKEY (ps_partkey)
SORTKEY (ps_partkey);

CREATE TABLE customer (
    c_custkey     INT4          NOT NULL,
    c_name        VARCHAR(25)   NOT NULL,
    c_address     VARCHAR(40)   NOT NULL,
    c_nationkey   INT4          NOT NULL,
    c_phone       CHAR(15)      NOT NULL,
    c_acctbal     NUMERIC(12,2) NOT NULL,
    c_mktsegment  CHAR(10)      NOT NULL,
    c_comment     VARCHAR(117)  NOT NULL,
    PRIMARY KEY (c_custkey)
)
DISTKEY (c_custkey)
SORTKEY (c_custkey);

CREATE TABLE orders (
    o_orderkey      INT8          NOT NULL,
    o_custkey       INT4          NOT NULL,
    o_orderstatus   CHAR(1)       NOT NULL,
    o_totalprice    NUMERIC(12,2) NOT NULL,
    o_orderdate     DATE          NOT NULL,
    o_orderpriority CHAR(15)      NOT NULL,
    o_clerk         CHAR(15)      NOT NULL,
    o_shippriority  INT4          NOT NULL,
    o_comment       VARCHAR(79)   NOT NULL,
    PRIMARY KEY (o_orderkey)
)
DISTKEY (o_orderkey)
SORTKEY (o_orderdate);

CREATE TABLE lineitem (
    l_orderkey      INT8          NOT NULL,
    l_partkey       INT4          NOT NULL,
    l_suppkey       INT4          NOT NULL,
    l_linenumber    INT4          NOT NULL,
    l_quantity      NUMERIC(12,2) NOT NULL,
    l_extendedprice NUMERIC(12,2) NOT NULL,
    l_discount      NUMERIC(12,2) NOT NULL,
    l_tax           NUMERIC(12,2) NOT NULL,
    l_returnflag    CHAR(1)       NOT NULL,
    l_linestatus    CHAR(1)       NOT NULL,
    l_shipdate      DATE          NOT NULL,
    l_commitdate    DATE          NOT NULL,
    l_receiptdate   DATE          NOT NULL,
    l_shipinstruct  CHAR(25)      NOT NULL,
    l_shipmode      CHAR(10)      NOT NULL,
    l_comment       VARCHAR(44)   NOT NULL,
    PRIMARY KEY (l_orderkey, l_linenumber)
)
DISTKEY (l_orderkey)
SORTKEY (l_shipdate, l_orderkey);
