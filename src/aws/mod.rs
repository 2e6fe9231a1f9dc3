//! IAM and STS over the AWS SDK: the calls the flows need, and error classification.
