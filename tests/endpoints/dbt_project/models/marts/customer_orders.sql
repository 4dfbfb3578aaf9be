-- LISTAGG ... WITHIN GROUP, NVL over an aggregate
select
    c.customer_id,
    c.email,
    count(o.order_id) as order_count,
    NVL(sum(o.order_total), 0) as total_spent,
    LISTAGG(o.order_id::varchar, ',') WITHIN GROUP (ORDER BY o.order_id) as order_ids
from {{ source('shop', 'customers') }} as c
left join {{ ref('stg_orders') }} as o on o.customer_id = c.customer_id
group by 1, 2
