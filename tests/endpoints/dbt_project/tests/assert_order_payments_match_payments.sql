-- singular test: the mart keeps every dollar of the staged payments (returns the rows that disagree)
select
    staged.total as staged_total,
    mart.total as mart_total
from (select sum(amount) as total from {{ ref('stg_payments') }} where order_id in (select order_id from {{ ref('stg_orders') }})) as staged
cross join (select sum(amount_paid) as total from {{ ref('order_payments') }}) as mart
where staged.total <> mart.total
