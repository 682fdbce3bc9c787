"""Turn Amazon Monitron machine-health events into SAP Plant Maintenance notifications."""

__version__ = "0.1.0"
