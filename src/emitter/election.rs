//! The election, as the emitter runs it: candidates in order, bind or dial, taking over as hub,
//! the link coming up, crashing on purpose, and a hub on a less preferred candidate stepping
//! down. It must not send events or handle frames; the link does the socket work.
use super::*;

impl Emitter {
    /// Runs the election over the candidates, most preferred first.
    pub(super) fn elect(&mut self, ctx: &mut Context<Self>) {
        Stats::add(&self.shared.stats.elections, 1);
        self.failed_candidates = 0;
        self.try_candidate(0, ctx);
    }

    /// Binds candidate `index` (hub) or dials it (client); if no hub answers the dial in time,
    /// the next candidate is tried, and after the last the election starts over.
    pub(super) fn try_candidate(&mut self, index: usize, ctx: &mut Context<Self>) {
        self.generation += 1;
        self.candidate = index;
        self.link = None;
        let generation = self.generation;
        let address = self.config.candidates[index].clone();
        let to = ctx.address().recipient();
        match Link::open(&self.config, &address, generation, to, self.shared.stats.clone()) {
            Ok(link) => {
                let role = link.role();
                self.link = Some(link);
                info!(%address, ?role, generation, node = %membership::hex(self.node), "election step");
                if role == Role::Hub {
                    self.become_hub();
                    self.link_up(ctx);
                } else {
                    if !self.ever_linked {
                        // A first-time client starts where the first hub hello it gets says,
                        // which may come before its own `PeerUp`: hold events until then.
                        self.before_hub_hello = Some(Vec::new());
                    }
                    ctx.run_later(self.config.election_timeout, move |act, ctx| {
                        if act.generation == generation && !act.linked {
                            warn!(%address, "no hub answered");
                            act.next_candidate(index, ctx);
                        }
                    });
                }
            }
            Err(error) => {
                self.failed_candidates += 1;
                if self.failed_candidates == self.config.candidates.len() {
                    error!(%error, "election failed");
                    self.state.send_replace(LinkState::Failed(error));
                } else {
                    warn!(%error, "candidate unusable");
                    self.next_candidate(index, ctx);
                }
            }
        }
    }

    pub(super) fn next_candidate(&mut self, index: usize, ctx: &mut Context<Self>) {
        if index + 1 < self.config.candidates.len() {
            self.try_candidate(index + 1, ctx);
        } else {
            self.crash(ctx, "no candidate answered, electing again");
        }
    }

    /// A hub on a less preferred candidate asks whether a more preferred one can be had; if so
    /// it steps down, and the election (of everyone) lands there.
    pub(super) fn probe_preferred(&mut self, ctx: &mut Context<Self>) {
        if self.hub.is_none() || self.candidate == 0 || self.probing {
            return;
        }
        self.probing = true;
        let (generation, addr) = (self.generation, ctx.address());
        for index in 0..self.candidate {
            let addr = addr.clone();
            let address = self.config.candidates[index].clone();
            probe(address, self.config.election_timeout, move |live| {
                addr.do_send(Preferred { generation, index, live });
            });
        }
    }

    /// Takes over as hub: a new epoch, and the members of the previous cluster are awaited.
    pub(super) fn become_hub(&mut self) {
        self.epoch += 1;
        let old_hub = self.membership.hub();
        let awaited: HashSet<u64> =
            self.membership.nodes().filter(|n| Some(*n) != old_hub).collect();
        if let Some(old_hub) = old_hub {
            self.peer_left(old_hub, LeftReason::Closed);
        }
        let now = Instant::now();
        // Members of the cluster this node was in (known to it or not, the old hub too if it
        // only stepped down) rejoin within a few reconnect intervals: hold acks that long.
        let hold = if self.ever_linked { self.config.election_timeout / 4 } else { Duration::ZERO };
        let grace = self.config.election_timeout * 2;
        info!(epoch = self.epoch, awaited = awaited.len(), "this node is the hub");
        self.hub = Some(Hub::new(self.node, self.config.window, awaited, now + hold, grace));
        let change = self.membership.this_node_is_hub(self.node, &self.config.service);
        self.member_change(change);
    }

    pub(super) fn link_up(&mut self, ctx: &mut Context<Self>) {
        let Some(role) = self.link.as_ref().map(Link::role) else {
            return;
        };
        let joining = if self.ever_linked { Joining::Again } else { Joining::Fresh };
        self.announced = None;
        self.interests_complete = role == Role::Hub;
        self.linked = true;
        self.ever_linked = true;
        self.last_from_hub = Instant::now();
        self.linked_at = Instant::now();
        let address = self.config.candidates[self.candidate].clone();
        self.state.send_replace(LinkState::Up(role, address));
        info!(?role, "link up");
        self.send_hello(joining);
        // Whatever the previous hub did not see acknowledged by everyone goes out again.
        self.resend_from(0);
        self.schedule_work(ctx);
    }

    /// The link is beyond repair: crash, and let the supervisor restart the election.
    pub(super) fn crash(&mut self, ctx: &mut Context<Self>, why: &str) {
        warn!(address = %self.config.candidates[self.candidate], why, "restarting the link");
        ctx.stop();
    }
}

/// The answer of a probe of a more preferred candidate.
#[derive(Message)]
#[rtype(result = "()")]
struct Preferred {
    generation: u64,
    index: usize,
    live: bool,
}

impl Handler<Preferred> for Emitter {
    type Result = ();

    fn handle(&mut self, answer: Preferred, ctx: &mut Context<Self>) {
        if answer.generation != self.generation {
            return;
        }
        self.probing = false;
        if answer.live && self.hub.is_some() && answer.index < self.candidate {
            let address = &self.config.candidates[answer.index];
            info!(%address, "a more preferred candidate can be had, stepping down");
            self.crash(ctx, "a more preferred candidate is live");
        }
    }
}
