//! The requests an actor sent and still awaits an answer to, each with its
//! deadline (`request.timeout.ms`), watched by a single timer.
//!
//! Kafka's `NetworkClient` keeps no timer per request: on every poll it looks
//! for in-flight requests past their deadline. A timer per request would cost
//! an event for every request ever sent, nearly all of them answered long
//! before: an idle consumer long-polls twice a second, so an hour of it means
//! 7,200 timers firing for nothing. Here the actor arms one timer for the
//! earliest deadline; when it fires, the requests past their deadline time out
//! and the timer is armed again for the next one. Each request still times
//! out at exactly its own deadline.

use std::collections::BTreeMap;

use super::{Ctx, Timer, WakeUp};
use crate::engine::{SimDuration, SimTime};
use crate::protocol::CorrelationId;

#[derive(Clone, Debug)]
pub struct InFlightRequests<T> {
    requests: BTreeMap<CorrelationId, (SimTime, T)>,
    /// The timer armed for the earliest deadline.
    alarm: WakeUp,
}

impl<T> Default for InFlightRequests<T> {
    fn default() -> Self {
        InFlightRequests { requests: BTreeMap::new(), alarm: WakeUp::default() }
    }
}

impl<T> InFlightRequests<T> {
    /// Records a request just sent that times out after `timeout`, arming
    /// the actor's deadline timer (`timer(at)`) if it is not armed early enough.
    pub fn track(
        &mut self,
        ctx: &mut Ctx<'_>,
        id: CorrelationId,
        timeout: SimDuration,
        request: T,
        timer: fn(SimTime) -> Timer,
    ) {
        if let Some(delay) = self.insert(ctx.now, id, timeout, request) {
            ctx.set_timer(delay, timer(ctx.now + delay));
        }
    }

    /// The deadline timer set for `at` (by `timer(at)`) fired: removes and
    /// returns the requests past their deadline, oldest first, and arms the
    /// timer for the next deadline.
    pub fn time_out(&mut self, ctx: &mut Ctx<'_>, at: SimTime, timer: fn(SimTime) -> Timer) -> Vec<(CorrelationId, T)> {
        let (expired, next) = self.expire(ctx.now, at);
        if let Some(delay) = next {
            ctx.set_timer(delay, timer(ctx.now + delay));
        }
        expired
    }

    /// Records a request sent at `now` that times out after `timeout`. Returns
    /// the delay of a timer to set, or `None` when the timer already armed
    /// fires at or before this request's deadline.
    #[must_use = "the returned delay is the timer that makes this request time out"]
    fn insert(&mut self, now: SimTime, id: CorrelationId, timeout: SimDuration, request: T) -> Option<SimDuration> {
        let deadline = now + timeout;
        self.requests.insert(id, (deadline, request));
        self.alarm.request(now, deadline)
    }

    /// The answer to `id` arrived (or the request failed otherwise).
    pub fn remove(&mut self, id: &CorrelationId) -> Option<T> {
        self.requests.remove(id).map(|(_, request)| request)
    }

    pub fn get(&self, id: &CorrelationId) -> Option<&T> {
        self.requests.get(id).map(|(_, request)| request)
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.requests.values().map(|(_, request)| request)
    }

    /// The requests in correlation id order (the order they were sent).
    pub fn iter(&self) -> impl Iterator<Item = (CorrelationId, &T)> {
        self.requests.iter().map(|(&id, (_, request))| (id, request))
    }

    pub fn len(&self) -> usize {
        self.requests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Forgets every request (the process restarted; its timers are gone).
    pub fn clear(&mut self) {
        self.requests.clear();
        self.alarm.clear();
    }

    /// The timer armed for `at` fired at `now`: removes and returns the
    /// requests past their deadline, oldest first, and the delay of the timer
    /// to set for the next deadline, if any.
    fn expire(&mut self, now: SimTime, at: SimTime) -> (Vec<(CorrelationId, T)>, Option<SimDuration>) {
        self.alarm.fired(at);
        let due: Vec<CorrelationId> =
            self.requests.iter().filter(|(_, (deadline, _))| *deadline <= now).map(|(&id, _)| id).collect();
        let expired = due.into_iter().filter_map(|id| self.requests.remove(&id).map(|(_, r)| (id, r))).collect();
        let next = self.requests.values().map(|&(deadline, _)| deadline).min();
        (expired, next.and_then(|deadline| self.alarm.request(now, deadline)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: SimDuration = SimDuration::from_millis(30_000);

    fn at(ms: u64) -> SimTime {
        SimTime::from_millis(ms)
    }

    #[test]
    fn answered_requests_do_not_arm_timers() {
        let mut requests = InFlightRequests::default();
        assert_eq!(requests.insert(at(0), 1, TIMEOUT, "fetch"), Some(TIMEOUT), "the first request arms the timer");
        // A long-poll loop: each answered within a second, the next sent at once.
        for id in 2..60 {
            assert_eq!(requests.remove(&(id - 1)), Some("fetch"));
            assert_eq!(requests.insert(at(id * 500), id, TIMEOUT, "fetch"), None, "the armed timer comes first");
        }
        // The timer fires at 30 s: nothing is due; it is armed for the request in flight.
        let (expired, next) = requests.expire(at(30_000), at(30_000));
        assert!(expired.is_empty());
        assert_eq!(next, Some(SimDuration::from_millis(59 * 500)), "re-armed for request 59's deadline");
    }

    #[test]
    fn each_request_times_out_at_its_own_deadline() {
        let mut requests = InFlightRequests::default();
        let timer = requests.insert(at(0), 1, TIMEOUT, "a").unwrap();
        assert_eq!(requests.insert(at(100), 2, TIMEOUT, "b"), None);
        assert_eq!(
            requests.insert(at(200), 3, SimDuration::from_millis(5_000), "join"),
            Some(SimDuration::from_millis(5_000))
        );
        let (expired, next) = requests.expire(at(5_200), at(5_200));
        assert_eq!(expired, vec![(3, "join")]);
        assert_eq!(next, Some(SimDuration::from_millis(24_800)), "armed again for request 1's deadline");
        let (expired, next) = requests.expire(at(0) + timer, at(0) + timer);
        assert_eq!(expired, vec![(1, "a")]);
        assert_eq!(next, Some(SimDuration::from_millis(100)));
        // The timer armed at the start for 30 s fires too, superseded: nothing changes.
        assert_eq!(requests.expire(at(30_000), at(30_000)), (vec![], None));
        let (expired, next) = requests.expire(at(30_100), at(30_100));
        assert_eq!(expired, vec![(2, "b")]);
        assert_eq!(next, None);
        assert!(requests.is_empty());
    }

    #[test]
    fn the_actor_gets_one_timer_for_the_earliest_deadline() {
        use crate::actor::{ConsumerTimer, Effects};
        use crate::ids::{ClientIdx, NodeId};
        let timer = |at| Timer::Consumer(ConsumerTimer::RequestTimeout(at));
        let me = NodeId::Consumer(ClientIdx(0));
        let mut effects = Effects::default();
        let mut requests = InFlightRequests::default();
        requests.track(&mut Ctx::new(at(0), me, &mut effects), 1, TIMEOUT, "fetch", timer);
        requests.track(&mut Ctx::new(at(10), me, &mut effects), 2, TIMEOUT, "fetch", timer);
        assert_eq!(effects.timers, vec![(at(30_000), me, timer(at(30_000)))], "one timer, for the first deadline");
        effects.clear();
        let expired = requests.time_out(&mut Ctx::new(at(30_000), me, &mut effects), at(30_000), timer);
        assert_eq!(expired, vec![(1, "fetch")]);
        assert_eq!(effects.timers, vec![(at(30_010), me, timer(at(30_010)))], "armed again for request 2");
    }

    #[test]
    fn clearing_forgets_the_armed_timer() {
        let mut requests = InFlightRequests::default();
        assert!(requests.insert(at(0), 1, TIMEOUT, ()).is_some());
        requests.clear();
        assert!(requests.insert(at(10), 2, TIMEOUT, ()).is_some(), "after a restart the old timer is gone");
    }
}
