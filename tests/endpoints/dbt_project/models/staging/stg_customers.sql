select
    customer_id,
    email,
    {{ dbt.split_part('email', "'@'", 2) }} as email_domain
from {{ source('shop', 'customers') }}
