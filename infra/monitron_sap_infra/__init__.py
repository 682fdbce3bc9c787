"""The CDK app that deploys monitron-sap: queues, tables, the Lambda and its triggers."""
