{% snapshot customers_snapshot %}
{{
    config(
      target_schema=target.schema ~ '_snapshots',
      unique_key='customer_id',
      strategy='check',
      check_cols=['email'],
    )
}}
select customer_id, email from {{ source('shop', 'customers') }}
{% endsnapshot %}
