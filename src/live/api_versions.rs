//! Which APIs and versions live mode speaks: what an ApiVersions response
//! advertises, as a Kafka 4.0 broker would for the APIs it models.
//!
//! A client picks, per API, the highest version both sides know, and some
//! clients also read the broker's release from these ranges (kafka-python
//! takes ListOffsets v10 as "Kafka 4.0"). Each range below is Kafka 4.0.0's
//! `validVersions`, from `clients/src/main/resources/common/message/*Request.json`
//! at the 4.0.0 tag: the versions KIP-896 removed in 4.0 are gone from the
//! bottom (Produce 0-2, Fetch 0-3, ListOffsets 0, OffsetCommit 0-1,
//! OffsetFetch 0, CreateTopics 0-1, DeleteTopics 0), and the top is what 4.0 added (Produce 12, ListOffsets 10,
//! Metadata 13 with KIP-1102's top-level error code; DescribeGroups 6 came
//! with 4.1). An API not listed is
//! not modelled: a client that sends it anyway is closed, as Kafka closes a
//! connection that sends an API its listener does not enable
//! (`RequestChannel`: "not enabled").

use kafka_protocol::messages::ApiKey;
use kafka_protocol::messages::api_versions_response::{ApiVersion, ApiVersionsResponse};

use super::error_code::UNSUPPORTED_VERSION;

/// `(api, min version, max version)` as Kafka 4.0 serves them.
pub const SUPPORTED: &[(ApiKey, i16, i16)] = &[
    (ApiKey::Produce, 3, 12),
    (ApiKey::Fetch, 4, 17),
    (ApiKey::ListOffsets, 1, 10),
    (ApiKey::Metadata, 0, 13),
    (ApiKey::OffsetCommit, 2, 9),
    (ApiKey::OffsetFetch, 1, 9),
    (ApiKey::FindCoordinator, 0, 6),
    (ApiKey::JoinGroup, 0, 9),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 5),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::DescribeGroups, 0, 5),
    (ApiKey::ListGroups, 0, 5),
    (ApiKey::ApiVersions, 0, 4),
    (ApiKey::InitProducerId, 0, 5),
    (ApiKey::CreateTopics, 2, 7),
    (ApiKey::DeleteTopics, 1, 6),
];

/// The versions of `api` live mode serves, or `None` when it is not modelled.
pub fn supported(api: ApiKey) -> Option<(i16, i16)> {
    SUPPORTED.iter().find(|(a, _, _)| *a == api).map(|&(_, min, max)| {
        let codec = api.valid_versions();
        (min.max(codec.min), max.min(codec.max))
    })
}

/// Whether a request of `api` at `version` can be served.
pub fn is_supported(api: ApiKey, version: i16) -> bool {
    supported(api).is_some_and(|(min, max)| (min..=max).contains(&version))
}

/// The ApiVersions answer: every modelled API with its range.
pub fn response() -> ApiVersionsResponse {
    let mut response = ApiVersionsResponse::default();
    response.api_keys = SUPPORTED
        .iter()
        .filter_map(|&(api, _, _)| {
            let (min, max) = supported(api)?;
            let mut version = ApiVersion::default();
            version.api_key = api as i16;
            version.min_version = min;
            version.max_version = max;
            Some(version)
        })
        .collect();
    response
}

/// What Kafka answers an ApiVersions request of a version it does not know
/// (KIP-511): `UNSUPPORTED_VERSION` in a version-0 response that still lists
/// the APIs, so the client can retry with one both know.
pub fn unsupported_version_response() -> ApiVersionsResponse {
    let mut response = response();
    response.error_code = UNSUPPORTED_VERSION;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka 4.0.0's `validVersions` for every API served, read from
    /// `clients/src/main/resources/common/message/<Api>Request.json` at the
    /// 4.0.0 tag; the codec (generated from 4.1) encodes all of them.
    #[test]
    fn advertised_ranges_are_kafka_4_0s() {
        let kafka_4_0: &[(&str, i16, i16)] = &[
            ("Produce", 3, 12),
            ("Fetch", 4, 17),
            ("ListOffsets", 1, 10),
            ("Metadata", 0, 13),
            ("OffsetCommit", 2, 9),
            ("OffsetFetch", 1, 9),
            ("FindCoordinator", 0, 6),
            ("JoinGroup", 0, 9),
            ("Heartbeat", 0, 4),
            ("LeaveGroup", 0, 5),
            ("SyncGroup", 0, 5),
            ("DescribeGroups", 0, 5),
            ("ListGroups", 0, 5),
            ("ApiVersions", 0, 4),
            ("InitProducerId", 0, 5),
            ("CreateTopics", 2, 7),
            ("DeleteTopics", 1, 6),
        ];
        let advertised: Vec<(String, i16, i16)> = response()
            .api_keys
            .iter()
            .map(|v| {
                let api = ApiKey::try_from(v.api_key).unwrap();
                (format!("{api:?}"), v.min_version, v.max_version)
            })
            .collect();
        let expected: Vec<(String, i16, i16)> = kafka_4_0.iter().map(|&(n, lo, hi)| (n.to_string(), lo, hi)).collect();
        assert_eq!(advertised, expected);
        assert!(!is_supported(ApiKey::Produce, 2), "Produce v0-2 were removed in 4.0 (KIP-896)");
        assert!(!is_supported(ApiKey::OffsetCommit, 1), "OffsetCommit v0-1 were removed in 4.0 (KIP-896)");
    }

    #[test]
    fn every_advertised_range_is_one_the_codec_encodes() {
        for &(api, min, max) in SUPPORTED {
            let (lo, hi) = supported(api).unwrap();
            assert!(lo <= hi, "{api:?}: empty range");
            assert_eq!((lo, hi), (min, max), "{api:?}: Kafka 4.0's range fits the codec's");
        }
        assert!(!is_supported(ApiKey::Produce, 13), "Produce v13 came with Kafka 4.1");
        assert!(!is_supported(ApiKey::CreateAcls, 3), "not modelled");
    }
}
