"""The Snowflake SQL API v2 (`/api/v2/statements`), served by `dw-sim serve`. A front end: statements run through
the service layer's statement registry (`dw_simulator.statements`); `encode` and `responses` write Snowflake's JSON.
"""

from dw_simulator.api.snowflake_sql.routes import router

__all__ = ["router"]
