//! The member ids a group coordinator hands out (`ClassicGroup.generateMemberId`):
//! the member's `client.id`, or its `group.instance.id` when it is static, a
//! dash, and a random UUID as Java's `UUID.randomUUID()` prints it.
//!
//! The assignors sort members by member id, so when every member of a group
//! has the same client id (the Java client's default), these UUIDs decide
//! who gets which partition. They are drawn from the scenario's seed, from a
//! stream each broker keeps for nothing else.

use rand::RngExt;

use crate::engine::SimRng;

/// `clientId + "-" + UUID`, or `groupInstanceId + "-" + UUID` for a static member.
pub fn generate_member_id(client_id: &str, group_instance_id: Option<&str>, rng: &mut SimRng) -> String {
    format!("{}-{}", group_instance_id.unwrap_or(client_id), random_uuid(rng))
}

/// A random version-4 UUID, as Java's `UUID.randomUUID().toString()` prints it.
pub fn random_uuid(rng: &mut SimRng) -> String {
    let mut bytes: [u8; 16] = rng.random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn uuids_have_javas_version_4_form() {
        let mut rng = SimRng::seed_from_u64(7);
        for _ in 0..100 {
            let uuid = random_uuid(&mut rng);
            let parts: Vec<&str> = uuid.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12], "{uuid}");
            assert!(parts[2].starts_with('4'), "version 4: {uuid}");
            assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "IETF variant: {uuid}");
            assert!(uuid.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
    }

    /// `ClassicGroup.generateMemberId`: the client id, or the instance id of
    /// a static member, then a dash and the UUID.
    #[test]
    fn member_ids_start_with_the_client_or_instance_id() {
        let mut rng = SimRng::seed_from_u64(1);
        let dynamic = generate_member_id("consumer-g-1", None, &mut rng);
        assert!(dynamic.starts_with("consumer-g-1-") && dynamic.len() == "consumer-g-1-".len() + 36);
        let static_member = generate_member_id("consumer-g-pos-2", Some("pos-2"), &mut rng);
        assert!(static_member.starts_with("pos-2-") && static_member.len() == "pos-2-".len() + 36);
        assert_ne!(generate_member_id("c", None, &mut rng), generate_member_id("c", None, &mut rng));
    }
}
