-- one row per order that has payments; cross-database helpers for dates, strings and casts
with payments as (
    select * from {{ ref('stg_payments') }}
),

methods as (
    select * from {{ ref('payment_methods') }}
),

per_order as (
    select
        p.order_id,
        count(*) as payment_count,
        sum(p.amount) as amount_paid,
        min(p.paid_at) as first_paid_at,
        max(p.paid_at) as last_paid_at,
        sum(case when m.is_cash_like then p.amount else 0 end) as cash_like_amount
    from payments as p
    left join methods as m on m.payment_method = p.payment_method
    group by 1
)

select
    o.order_id,
    o.customer_id,
    per_order.payment_count,
    per_order.amount_paid,
    per_order.cash_like_amount,
    {{ dbt.datediff('per_order.first_paid_at', 'per_order.last_paid_at', 'day') }} as days_between_payments,
    {{ dbt.dateadd('day', 30, 'per_order.first_paid_at') }} as due_at,
    {{ dbt.concat(["'order-'", dbt.safe_cast('o.order_id', dbt.type_string())]) }} as order_label
from {{ ref('stg_orders') }} as o
inner join per_order on per_order.order_id = o.order_id
