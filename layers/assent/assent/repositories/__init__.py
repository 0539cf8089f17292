"""One repository per DynamoDB table; conditions live here and surface as domain errors."""
