//! Converting the SDK's timestamps into `time::OffsetDateTime`.

use aws_smithy_types::DateTime;
use time::OffsetDateTime;

/// The SDK timestamp as an `OffsetDateTime` (UTC), or `None` if it is out of range.
pub(crate) fn to_offset_date_time(value: &DateTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(value.as_nanos()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_seconds_and_nanos() {
        let converted = to_offset_date_time(&DateTime::from_secs_and_nanos(1_700_000_000, 5))
            .expect("in range");
        assert_eq!(converted.unix_timestamp(), 1_700_000_000);
        assert_eq!(converted.nanosecond(), 5);
    }
}
