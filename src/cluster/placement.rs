//! Where a new topic's replicas go: Kafka's rack-unaware assignment
//! (`AdminUtils.assignReplicasToBrokersRackUnaware`).
//!
//! Partition `p`'s first replica (its preferred leader) is broker
//! `(p + start) % n`; followers follow at a shifting distance so leaders and
//! followers spread evenly. Kafka picks `start` and the initial shift at random;
//! the simulator draws them from the scenario seed.
//!
//! Simplification: KRaft's `StripedReplicaPlacer` and racks are not modelled; the
//! classic algorithm gives the same spread on a rack-less cluster.

use crate::ids::BrokerId;

/// Replica lists for `partitions` partitions with `replication_factor` replicas
/// each over `brokers` (sorted by id).
pub fn assign_replicas(
    brokers: &[BrokerId],
    partitions: u32,
    replication_factor: u32,
    start_index: usize,
    initial_shift: usize,
) -> Vec<Vec<BrokerId>> {
    let n = brokers.len();
    assert!(n > 0 && replication_factor as usize <= n, "validated by the scenario loader");
    let mut shift = initial_shift;
    (0..partitions as usize)
        .map(|p| {
            if p > 0 && p % n == 0 {
                shift += 1;
            }
            let first = (p + start_index) % n;
            let mut replicas = vec![brokers[first]];
            for j in 0..replication_factor as usize - 1 {
                replicas.push(brokers[replica_index(first, shift, j, n)]);
            }
            replicas
        })
        .collect()
}

fn replica_index(first: usize, shift: usize, replica: usize, n: usize) -> usize {
    let step = 1 + (shift + replica) % (n - 1);
    (first + step) % n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|&b| BrokerId(b)).collect()
    }

    #[test]
    fn matches_kafkas_rack_unaware_layout() {
        // kafka-reference §3.7: brokers [1,2,3], start 0, shift 0.
        let got = assign_replicas(&ids(&[1, 2, 3]), 4, 3, 0, 0);
        assert_eq!(got, vec![ids(&[1, 2, 3]), ids(&[2, 3, 1]), ids(&[3, 1, 2]), ids(&[1, 3, 2])]);
    }

    #[test]
    fn leaders_spread_over_brokers() {
        // AdminUtilsTest-style: 5 brokers, 10 partitions, RF 3, start 0 shift 0.
        let got = assign_replicas(&ids(&[0, 1, 2, 3, 4]), 10, 3, 0, 0);
        let expected = [
            [0, 1, 2],
            [1, 2, 3],
            [2, 3, 4],
            [3, 4, 0],
            [4, 0, 1],
            [0, 2, 3],
            [1, 3, 4],
            [2, 4, 0],
            [3, 0, 1],
            [4, 1, 2],
        ];
        for (p, e) in expected.iter().enumerate() {
            assert_eq!(got[p], ids(e), "partition {p}");
        }
    }

    #[test]
    fn a_single_broker_holds_everything() {
        assert_eq!(assign_replicas(&ids(&[1]), 2, 1, 0, 0), vec![ids(&[1]), ids(&[1])]);
    }
}
