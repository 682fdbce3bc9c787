"""Storage ports and their adapters: SQLite for local runs, DynamoDB on AWS."""
