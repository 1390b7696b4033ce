"""Rebuild of an empirical study of recurrent networks: datasets, population models,
training, tables and figures. No Snakemake imports: the workflow calls into this package."""
