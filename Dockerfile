# The synthetic-data-generator service: dw-sim with its PostgreSQL (Redshift), S3 and API extras.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dw_simulator ./dw_simulator
# The extras to install; the scale-out image (Dask scheduler and workers, docs/scale-out.md) adds dask:
#   docker build --build-arg EXTRAS=postgres,s3,api,dask -t dw-sim:dask .
ARG EXTRAS=postgres,s3,api
RUN pip install ".[${EXTRAS}]" && useradd --create-home --uid 10001 dwsim && mkdir /data && chown dwsim /data
USER dwsim
ENV DW_SIM_DATA_ROOT=/data
VOLUME ["/data"]
EXPOSE 8000
# Binding beyond loopback needs DW_SIM_API_TOKEN (set it in .env); see `dw-sim serve --help`.
CMD ["dw-sim", "serve", "--host", "0.0.0.0", "--port", "8000"]
