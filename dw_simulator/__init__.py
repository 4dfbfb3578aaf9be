"""dw-sim: a local simulator of Amazon Redshift and Snowflake for data engineers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dw-sim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
