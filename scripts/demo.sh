#!/usr/bin/env bash
# The README's demo: the brief's ecommerce experiment generated, loaded and queried on the embedded warehouse.
set -euo pipefail
cd "$(dirname "$0")/.."
export DW_SIM_DATA_ROOT="${DW_SIM_DATA_ROOT:-$PWD/.dw-sim/demo}"
DW=.venv/bin/dw-sim
$DW experiment create dw_simulator/examples/ecommerce_experiment.json --replace
$DW experiment generate ecommerce_experiment --rows customers=1000 --rows orders=5000 --seed 42
$DW query "SELECT c.customer_id, c.email, COUNT(o.order_id) AS orders, ROUND(SUM(o.order_total), 2) AS total
           FROM customers c JOIN orders o ON o.customer_id = c.customer_id
           GROUP BY 1, 2 ORDER BY total DESC LIMIT 5" --experiment ecommerce_experiment
