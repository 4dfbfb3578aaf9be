-- the finance team's view: completed orders of 2018 paid by card
select
    o.order_id,
    o.customer_id,
    o.order_date,
    p.amount
from {{ ref('stg_orders') }} o
join {{ ref('stg_payments') }} p on p.order_id = o.order_id
where o.status = 'completed'
  and o.order_date between '2018-01-01' and '2018-12-31'
  and p.payment_method = 'credit_card'
