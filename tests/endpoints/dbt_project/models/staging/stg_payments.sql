with source as (
    select * from {{ ref('raw_payments') }}
),

renamed as (
    select
        payment_id,
        order_id,
        lower(payment_method) as payment_method,
        {{ cents_to_dollars('amount_cents') }} as amount,
        cast(paid_at as {{ dbt.type_timestamp() }}) as paid_at,
        {{ dbt.date_trunc('month', 'paid_at') }} as paid_month
    from source
)

select * from renamed
