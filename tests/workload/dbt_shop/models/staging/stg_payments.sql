select
    id as payment_id,
    order_id,
    payment_method,
    -- amount is stored in cents, convert it to dollars
    amount / 100.0 as amount
from {{ source('shop', 'raw_payments') }}
