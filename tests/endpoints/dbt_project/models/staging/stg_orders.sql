{{ config(materialized='view') }}
-- Redshift functions: NVL, DATEADD, GETDATE
select
    order_id,
    customer_id,
    NVL(order_total, 0) as order_total,
    DATEADD(day, order_id % 30, '2024-01-01'::date) as ordered_at,
    GETDATE() as loaded_at
from {{ source('shop', 'orders') }}
