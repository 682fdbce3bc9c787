"""The SAP side: OData V2 session, maintenance notification API and service profiles."""
