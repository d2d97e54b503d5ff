//! Which APIs and versions live mode speaks: what an ApiVersions response
//! advertises, as a Kafka 4.0 broker would for the APIs it models.
//!
//! A client picks, per API, the highest version both sides know. Each range
//! below is Kafka 4.0's (`clients/src/main/resources/common/message/*Request.json`,
//! `validVersions`), cut to what the kafka-protocol codec also encodes. An
//! API not listed is not modelled: a client that sends it anyway is closed,
//! as Kafka closes a connection that sends a disabled API.

use kafka_protocol::messages::ApiKey;
use kafka_protocol::messages::api_versions_response::{ApiVersion, ApiVersionsResponse};

use super::error_code::UNSUPPORTED_VERSION;

/// `(api, min version, max version)` as Kafka 4.0 serves them.
pub const SUPPORTED: &[(ApiKey, i16, i16)] = &[
    (ApiKey::Produce, 3, 12),
    (ApiKey::Fetch, 4, 17),
    (ApiKey::ListOffsets, 1, 9),
    (ApiKey::Metadata, 0, 12),
    (ApiKey::ApiVersions, 0, 4),
    (ApiKey::InitProducerId, 0, 5),
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
