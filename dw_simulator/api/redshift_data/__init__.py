"""The Amazon Redshift Data API (service `redshift-data`, JSON 1.1 protocol), served by `dw-sim serve` at
`/redshift-data`: boto3's `client("redshift-data", endpoint_url="http://127.0.0.1:8000/redshift-data")` works
unchanged. A front end: statements run through the service layer's statement registry (`dw_simulator.statements`),
on the same Redshift layer as `dw-sim query`.
"""

from dw_simulator.api.redshift_data.protocol import PATH, router

__all__ = ["PATH", "router"]
