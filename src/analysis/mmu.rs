//! Minimum mutator utilization: a port of Go 1.26's `internal/trace/gc.go` and `mud.go`
//! (the mutator utilization step function, the MMU curve with its banded lower bounds,
//! the worst windows and the utilization distribution) and of the plot and details that
//! `go tool trace` serves at `/mmu` (`internal/trace/traceviewer/mmu.go`).
//!
//! Floating-point operations are done in Go's order so that the figures are identical.

use rustc_hash::FxHashMap;

use super::{Consumer, gomath};
use crate::trace::event::{RangeName, metric_names};
use crate::trace::{Event, GoState, Kind, Resource};

/// Which time counts as GC (Go's `UtilFlags`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct UtilFlags(pub u8);

impl UtilFlags {
    /// Stop-the-world phases of the GC.
    pub const STW: UtilFlags = UtilFlags(1);
    /// Background mark workers.
    pub const BACKGROUND: UtilFlags = UtilFlags(2);
    /// Mark assists.
    pub const ASSIST: UtilFlags = UtilFlags(4);
    /// Incremental sweeping.
    pub const SWEEP: UtilFlags = UtilFlags(8);
    /// One series per P instead of one for the whole program.
    pub const PER_PROC: UtilFlags = UtilFlags(16);

    fn has(self, f: UtilFlags) -> bool {
        self.0 & f.0 != 0
    }

    /// Parses go tool trace's `flags` parameter (`stw|background|assist|sweep|perProc`;
    /// unknown names, such as `mut`, add nothing).
    pub fn parse(s: &str) -> UtilFlags {
        let mut f = 0;
        for name in s.split('|') {
            f |= match name {
                "stw" => 1,
                "background" => 2,
                "assist" => 4,
                "sweep" => 8,
                "perProc" => 16,
                _ => 0,
            };
        }
        UtilFlags(f)
    }
}

/// One step of the utilization function: from `time` on, utilization is `util`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MutatorUtil {
    /// Time, ns.
    pub time: i64,
    /// Fraction of the program (or the P) available to the mutator, 0..1.
    pub util: f64,
}

fn add_util(util: &mut Vec<MutatorUtil>, mu: MutatorUtil) {
    if let Some(last) = util.last_mut() {
        if mu.util == last.util {
            return;
        }
        if mu.time == last.time {
            if mu.util < last.util {
                *last = mu;
            }
            return;
        }
    }
    util.push(mu);
}

#[derive(Debug, Clone, Copy, Default)]
struct PerP {
    gc: i64,
    series: usize,
}

fn is_gc_stw(r: &RangeName<'_>) -> bool {
    matches!(r, RangeName::StopTheWorld(kind) if kind.windows(2).any(|w| w == b"GC"))
}

/// Builds the utilization step functions in one pass (Go's `MutatorUtilizationV2`).
#[derive(Debug, Default)]
pub struct UtilBuilder {
    flags: UtilFlags,
    out: Vec<Vec<MutatorUtil>>,
    stw: i64,
    ps: Vec<PerP>,
    in_gc: FxHashMap<i64, bool>,
    states: FxHashMap<i64, GoState>,
    bg_mark: FxHashMap<i64, bool>,
    procs: Vec<(i64, i64)>,
    n_sync: u64,
    last_time: Option<i64>,
    /// Whether the utilization may differ from the last step recorded: set by anything
    /// that changes the GC or STW state, cleared once the steps agree with it. Most
    /// events change nothing, and recomputing every P's state for each of them was a
    /// third of this consumer's time.
    dirty: bool,
}

impl UtilBuilder {
    /// A builder for `flags`.
    pub fn new(flags: UtilFlags) -> UtilBuilder {
        UtilBuilder {
            flags,
            ..UtilBuilder::default()
        }
    }

    fn p(&mut self, proc: i64) -> Option<&mut PerP> {
        usize::try_from(proc).ok().and_then(|i| self.ps.get_mut(i))
    }

    /// The step functions: one, or one per P.
    pub fn finish(mut self) -> Vec<Vec<MutatorUtil>> {
        let Some(t) = self.last_time else {
            return Vec::new();
        };
        let mu = MutatorUtil { time: t, util: 0.0 };
        for i in 0..self.ps.len() {
            let s = self.ps[i].series;
            add_util(&mut self.out[s], mu);
        }
        self.out
    }
}

impl Consumer for UtilBuilder {
    fn event(&mut self, ev: &Event<'_>) {
        let flags = self.flags;
        let per_proc = flags.has(UtilFlags::PER_PROC);
        self.last_time = Some(ev.time());
        if ev.kind() != Kind::StateTransition {
            // Ranges, labels and GOMAXPROCS change the state; they are rare.
            self.dirty = true;
        }
        match ev.kind() {
            Kind::Sync => {
                if let Some(s) = ev.sync_info() {
                    self.n_sync = s.n;
                }
            }
            Kind::Metric => {
                if let Some(m) = ev.metric()
                    && m.name == metric_names::GOMAXPROCS
                {
                    let n = m.value as usize;
                    if self.ps.len() > n {
                        if per_proc {
                            for p in &self.ps[n..] {
                                add_util(
                                    &mut self.out[p.series],
                                    MutatorUtil {
                                        time: ev.time(),
                                        util: 0.0,
                                    },
                                );
                            }
                        }
                        self.ps.truncate(n);
                    }
                    while self.ps.len() < n {
                        let mut series = 0;
                        if per_proc || self.out.is_empty() {
                            series = self.out.len();
                            self.out.push(vec![MutatorUtil {
                                time: ev.time(),
                                util: 1.0,
                            }]);
                        }
                        self.ps.push(PerP { gc: 0, series });
                    }
                    if self.procs.last().is_none_or(|&(_, c)| c != n as i64) {
                        self.procs.push((ev.time(), n as i64));
                    }
                }
            }
            _ => {}
        }
        if self.ps.is_empty() {
            return;
        }
        let handle_stw = |r: &RangeName<'_>| flags.has(UtilFlags::STW) && is_gc_stw(r);
        let handle_assist =
            |r: &RangeName<'_>| flags.has(UtilFlags::ASSIST) && *r == RangeName::GcMarkAssist;
        let handle_sweep =
            |r: &RangeName<'_>| flags.has(UtilFlags::SWEEP) && *r == RangeName::GcSweep;
        match ev.kind() {
            // Go ignores ranges already active at the start of later generations.
            Kind::RangeActive if self.n_sync > 1 => {}
            Kind::RangeActive | Kind::RangeBegin => {
                let Some(r) = ev.range() else { return };
                if ev.kind() == Kind::RangeActive {
                    // A range already running when the trace began: subtract its share
                    // from everything so far (aggregate mode only).
                    let assist_running = handle_assist(&r.name)
                        && self
                            .states
                            .get(&ev.goroutine())
                            .is_some_and(|s| s.executing());
                    if (assist_running || (!handle_assist(&r.name) && handle_sweep(&r.name)))
                        && !per_proc
                    {
                        let (mut mi, mut pi) = (0, 0);
                        let out0 = &mut self.out[0];
                        while mi < out0.len() {
                            if pi + 1 < self.procs.len() && self.procs[pi + 1].0 < out0[mi].time {
                                pi += 1;
                                continue;
                            }
                            out0[mi].util -= 1.0 / self.procs[pi].1 as f64;
                            if out0[mi].util < 0.0 {
                                out0[mi].util = 0.0;
                            }
                            mi += 1;
                        }
                    }
                }
                if handle_stw(&r.name) {
                    self.stw += 1;
                } else if handle_sweep(&r.name) {
                    if let Some(p) = self.p(ev.proc()) {
                        p.gc += 1;
                    }
                } else if handle_assist(&r.name) {
                    if let Some(p) = self.p(ev.proc()) {
                        p.gc += 1;
                    }
                    if let Resource::Goroutine(g) = r.scope
                        && g != -1
                    {
                        self.in_gc.insert(g, true);
                    }
                }
            }
            Kind::RangeEnd => {
                let Some(r) = ev.range() else { return };
                if handle_stw(&r.name) {
                    self.stw -= 1;
                } else if handle_sweep(&r.name) {
                    if let Some(p) = self.p(ev.proc()) {
                        p.gc -= 1;
                    }
                } else if handle_assist(&r.name) {
                    if let Some(p) = self.p(ev.proc()) {
                        p.gc -= 1;
                    }
                    if let Resource::Goroutine(g) = r.scope
                        && g != -1
                    {
                        self.in_gc.remove(&g);
                    }
                }
            }
            Kind::StateTransition => {
                if let Some(st) = ev.state_transition()
                    && let Resource::Goroutine(g) = st.resource
                    && let Some((old, new)) = st.goroutine()
                {
                    if self.in_gc.contains_key(&g) || self.bg_mark.contains_key(&g) {
                        self.dirty = true;
                        let proc = ev.proc();
                        if !old.executing() && new.executing() {
                            if let Some(p) = self.p(proc) {
                                p.gc += 1;
                            }
                        } else if old.executing()
                            && !new.executing()
                            && let Some(p) = self.p(proc)
                        {
                            p.gc -= 1;
                        }
                    }
                    // Only a RangeActive of the first generation reads these states (Go
                    // ignores later ones), so keeping them past it is wasted work: a map
                    // update for every transition of every goroutine.
                    if self.n_sync <= 1 {
                        self.states.insert(g, new);
                    } else if !self.states.is_empty() {
                        self.states = FxHashMap::default();
                    }
                }
            }
            Kind::Label => {
                if let Some(l) = ev.label()
                    && flags.has(UtilFlags::BACKGROUND)
                    && l.label.starts_with(b"GC ")
                    && l.label != b"GC (idle)"
                    && !(per_proc && l.label == b"GC (dedicated)")
                {
                    self.bg_mark.insert(ev.goroutine(), true);
                    if let Some(p) = self.p(ev.proc()) {
                        p.gc += 1;
                    }
                }
            }
            _ => {}
        }
        if !self.dirty {
            return;
        }
        if !per_proc {
            let gc_ps = if self.stw > 0 {
                self.ps.len()
            } else {
                self.ps.iter().filter(|p| p.gc > 0).count()
            };
            let mu = MutatorUtil {
                time: ev.time(),
                util: 1.0 - gc_ps as f64 / self.ps.len() as f64,
            };
            add_util(&mut self.out[0], mu);
            // A rise at the time of the last step is not recorded (add_util keeps the
            // lower value); the next event, later, must record it.
            self.dirty = self.out[0].last().is_none_or(|l| l.util != mu.util);
        } else {
            self.dirty = false;
            for i in 0..self.ps.len() {
                let p = self.ps[i];
                let util = if self.stw > 0 || p.gc > 0 { 0.0 } else { 1.0 };
                let series = &mut self.out[p.series];
                add_util(
                    series,
                    MutatorUtil {
                        time: ev.time(),
                        util,
                    },
                );
                self.dirty |= series.last().is_none_or(|l| l.util != util);
            }
        }
    }
}

/// Go's `container/heap` over a slice with a "less" function.
mod goheap {
    pub fn up<T>(h: &mut [T], mut j: usize, less: &impl Fn(&T, &T) -> bool) {
        loop {
            let i = if j == 0 { 0 } else { (j - 1) / 2 };
            if i == j || !less(&h[j], &h[i]) {
                break;
            }
            h.swap(i, j);
            j = i;
        }
    }

    pub fn down<T>(h: &mut [T], i0: usize, n: usize, less: &impl Fn(&T, &T) -> bool) -> bool {
        let mut i = i0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            let j2 = j1 + 1;
            if j2 < n && less(&h[j2], &h[j1]) {
                j = j2;
            }
            if !less(&h[j], &h[i]) {
                break;
            }
            h.swap(i, j);
            i = j;
        }
        i > i0
    }

    pub fn init<T>(h: &mut [T], less: &impl Fn(&T, &T) -> bool) {
        let n = h.len();
        for i in (0..n / 2).rev() {
            down(h, i, n, less);
        }
    }

    pub fn push<T>(h: &mut Vec<T>, x: T, less: &impl Fn(&T, &T) -> bool) {
        h.push(x);
        let n = h.len() - 1;
        up(h, n, less);
    }

    pub fn pop<T>(h: &mut Vec<T>, less: &impl Fn(&T, &T) -> bool) -> Option<T> {
        let n = h.len().checked_sub(1)?;
        h.swap(0, n);
        down(h, 0, n, less);
        h.pop()
    }

    pub fn remove<T>(h: &mut Vec<T>, i: usize, less: &impl Fn(&T, &T) -> bool) -> Option<T> {
        let n = h.len().checked_sub(1)?;
        if n != i {
            h.swap(i, n);
            if !down(h, i, n, less) {
                up(h, i, less);
            }
        }
        h.pop()
    }
}

#[derive(Debug, Clone, Copy)]
struct Band {
    min_util: f64,
    cum_util: f64,
    /// The integrator's position at the band's start.
    pos: usize,
}

#[derive(Debug, Clone)]
struct Series {
    util: Vec<MutatorUtil>,
    sums: Vec<f64>,
    bands: Vec<Band>,
    band_dur: i64,
}

fn total_util_of(mean: f64, dur: i64) -> f64 {
    mean * dur as f64
}

/// Go's `integrator`: the integral of a series up to a time, with a moving position.
#[derive(Debug, Clone, Copy)]
struct Integrator {
    pos: usize,
}

impl Integrator {
    fn advance(&mut self, s: &Series, time: i64) -> f64 {
        let util = &s.util;
        let mut pos = self.pos;
        const MAX_SEQ: usize = 8;
        if pos + MAX_SEQ < util.len() && util[pos + MAX_SEQ].time > time {
            while pos + 1 < util.len() && util[pos + 1].time <= time {
                pos += 1;
            }
        } else {
            let (mut l, mut r) = (pos, util.len());
            while l < r {
                let h = (l + r) / 2;
                if util[h].time <= time {
                    l = h + 1;
                } else {
                    r = h;
                }
            }
            // Non-strict predecessor; Go's l-1 wraps for time before the first point,
            // which never happens for the times it asks about.
            pos = l.saturating_sub(1);
        }
        self.pos = pos;
        let partial = if time != util[pos].time {
            total_util_of(util[pos].util, time - util[pos].time)
        } else {
            0.0
        };
        s.sums[pos] + partial
    }

    fn next(&self, s: &Series, time: i64) -> i64 {
        s.util[self.pos..]
            .iter()
            .find(|u| u.time > time)
            .map_or(i64::MAX, |u| u.time)
    }
}

const BANDS_PER_SERIES: usize = 1000;

impl Series {
    fn new(util: Vec<MutatorUtil>) -> Series {
        let mut sums = Vec::with_capacity(util.len());
        let mut prev = MutatorUtil { time: 0, util: 0.0 };
        let mut sum = 0.0;
        for u in &util {
            sum += total_util_of(prev.util, u.time - prev.time);
            sums.push(sum);
            prev = *u;
        }
        let num_bands = BANDS_PER_SERIES.min(util.len());
        let dur = util[util.len() - 1].time - util[0].time;
        let band_dur = ((dur + num_bands as i64 - 1) / num_bands as i64).max(1);
        let mut s = Series {
            util,
            sums,
            bands: Vec::new(),
            band_dur,
        };
        let mut left = Integrator { pos: 0 };
        let mut bands = Vec::with_capacity(num_bands + 1);
        for i in 0..=num_bands {
            let (start, end) = s.band_time(i);
            let cum_util = left.advance(&s, start);
            let mut min_util = 1.0f64;
            let mut j = left.pos;
            while j < s.util.len() && s.util[j].time < end {
                min_util = min_util.min(s.util[j].util);
                j += 1;
            }
            bands.push(Band {
                min_util,
                cum_util,
                pos: left.pos,
            });
        }
        s.bands = bands;
        s
    }

    fn band_time(&self, i: usize) -> (i64, i64) {
        let start = i as i64 * self.band_dur + self.util[0].time;
        (start, start + self.band_dur)
    }

    fn mk_band_util(&self, series: usize, window: i64) -> Vec<BandUtil> {
        let min_bands = ((window + self.band_dur - 1) / self.band_dur) as usize;
        let max_bands = ((window + 2 * (self.band_dur - 1)) / self.band_dur) as usize;
        let tail_dur = window % self.band_dur;
        let n = (self.bands.len() + 1).saturating_sub(max_bands);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let mut util = 0.0;
            let l = self.bands[i].min_util;
            let r1 = self.bands[i + min_bands - 1].min_util;
            let r2 = self.bands[i + max_bands - 1].min_util;
            let min_band = l.min(r1.min(r2));
            if min_bands == 1 {
                util += total_util_of(min_band, window);
            } else {
                util += total_util_of(min_band, self.band_dur);
                let mid = if min_band == l {
                    r1.min(r2)
                } else if min_band == r1 {
                    l.min(r2)
                } else if min_band == r2 {
                    l.min(r1)
                } else {
                    0.0
                };
                util += total_util_of(mid, tail_dur);
            }
            if min_bands > 2 {
                util += self.bands[i + min_bands - 1].cum_util - self.bands[i + 1].cum_util;
            }
            out.push(BandUtil {
                series,
                i,
                bound: util / window as f64,
            });
        }
        out
    }

    fn band_mmu(&self, band: usize, window: i64, acc: &mut Accumulator) {
        let util = &self.util;
        let mut left = Integrator {
            pos: self.bands[band].pos,
        };
        let mut right = left;
        let (mut time, mut end_time) = self.band_time(band);
        let util_end = util[util.len() - 1].time - window;
        if util_end < end_time {
            end_time = util_end;
        }
        acc.reset_time();
        loop {
            let mu =
                (right.advance(self, time + window) - left.advance(self, time)) / window as f64;
            if acc.add_mu(time, mu, window) {
                break;
            }
            if time == end_time {
                break;
            }
            let min_time = time + ((mu - acc.bound) * window as f64) as i64;
            let t1 = left.next(self, time);
            let t2 = right.next(self, time + window).wrapping_sub(window);
            time = if t1 < t2 { t1 } else { t2 };
            if time < min_time {
                time = min_time;
            }
            if time >= end_time {
                time = end_time;
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct BandUtil {
    series: usize,
    i: usize,
    bound: f64,
}

/// A window and the mean mutator utilization inside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UtilWindow {
    /// Start time, ns.
    pub time: i64,
    /// Mean utilization over the window.
    pub mutator_util: f64,
}

fn util_heap_less(a: &UtilWindow, b: &UtilWindow) -> bool {
    if a.mutator_util != b.mutator_util {
        return a.mutator_util > b.mutator_util;
    }
    a.time > b.time
}

/// Go's `mud`: the mutator utilization distribution.
#[derive(Debug, Clone)]
struct Mud {
    sorted: Vec<(f64, f64, f64)>,
    unsorted: Vec<(f64, f64, f64)>,
    track_mass: f64,
    track_bucket: usize,
    track_sum: f64,
    hist: Vec<f64>,
}

const MUD_DEGREE: usize = 1024;

impl Mud {
    fn new() -> Mud {
        Mud {
            sorted: Vec::new(),
            unsorted: Vec::new(),
            track_mass: 0.0,
            track_bucket: 0,
            track_sum: 0.0,
            hist: vec![0.0; MUD_DEGREE],
        }
    }

    fn add(&mut self, l: f64, r: f64, area: f64) {
        if area == 0.0 {
            return;
        }
        let (l, r) = if r < l { (r, l) } else { (l, r) };
        if l == r {
            self.unsorted.push((l, 0.0, area));
        } else {
            let delta = area / (r - l);
            self.unsorted.push((l, delta, 0.0));
            self.unsorted.push((r, -delta, 0.0));
        }
        let modf = |x: f64| (x.trunc(), x - x.trunc());
        let (lb_f, mut lf) = modf(l * MUD_DEGREE as f64);
        let mut lb = lb_f as usize;
        if lb >= MUD_DEGREE {
            lb = MUD_DEGREE - 1;
            lf = 1.0;
        }
        if l == r {
            self.hist[lb] += area;
        } else {
            let (rb_f, mut rf) = modf(r * MUD_DEGREE as f64);
            let mut rb = rb_f as usize;
            if rb >= MUD_DEGREE {
                rb = MUD_DEGREE - 1;
                rf = 1.0;
            }
            if lb == rb {
                self.hist[lb] += area;
            } else {
                let per_bucket = area / (r - l) / MUD_DEGREE as f64;
                self.hist[lb] += per_bucket * (1.0 - lf);
                self.hist[rb] += per_bucket * rf;
                for i in lb + 1..rb {
                    self.hist[i] += per_bucket;
                }
            }
        }
        let thresh = self.track_bucket as f64 / MUD_DEGREE as f64;
        if l < thresh {
            if r < thresh {
                self.track_sum += area;
            } else {
                self.track_sum += area * (thresh - l) / (r - l);
            }
            if self.track_sum >= self.track_mass {
                self.set_track_mass(self.track_mass);
            }
        }
    }

    fn set_track_mass(&mut self, mass: f64) {
        self.track_mass = mass;
        let mut sum = 0.0;
        for (i, &v) in self.hist.iter().enumerate() {
            let new_sum = sum + v;
            if new_sum > mass {
                self.track_bucket = i;
                self.track_sum = sum;
                return;
            }
            sum = new_sum;
        }
        self.track_bucket = self.hist.len();
        self.track_sum = sum;
    }

    fn approx_inv_cumulative_sum(&self) -> Option<(f64, f64)> {
        if self.track_bucket == self.hist.len() {
            return None;
        }
        Some((
            self.track_bucket as f64 / MUD_DEGREE as f64,
            (self.track_bucket + 1) as f64 / MUD_DEGREE as f64,
        ))
    }

    fn inv_cumulative_sum(&mut self, y: f64) -> (f64, bool) {
        if self.sorted.is_empty() && self.unsorted.is_empty() {
            return (f64::NAN, false);
        }
        let mut edges = std::mem::take(&mut self.unsorted);
        crate::trace::gofmt::sort_func(&mut edges, |a, b| {
            a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal)
        });
        if self.sorted.is_empty() {
            self.sorted = edges;
        } else {
            let old = std::mem::take(&mut self.sorted);
            let mut merged = Vec::with_capacity(old.len() + edges.len());
            let (mut i, mut j) = (0, 0);
            while i < old.len() || j < edges.len() {
                if i >= old.len() {
                    merged.extend_from_slice(&edges[j..]);
                    break;
                } else if j >= edges.len() {
                    merged.extend_from_slice(&old[i..]);
                    break;
                } else if old[i].0 < edges[j].0 {
                    merged.push(old[i]);
                    i += 1;
                } else {
                    merged.push(edges[j]);
                    j += 1;
                }
            }
            self.sorted = merged;
        }
        let (mut csum, mut rate, mut prev_x) = (0.0, 0.0, 0.0);
        for &(x, delta, dirac) in &self.sorted {
            let mut new_csum = csum + (x - prev_x) * rate;
            if new_csum >= y {
                if rate == 0.0 {
                    return (x, true);
                }
                return ((y - csum) / rate + prev_x, true);
            }
            new_csum += dirac;
            if new_csum >= y {
                return (x, true);
            }
            csum = new_csum;
            prev_x = x;
            rate += delta;
        }
        (prev_x, false)
    }
}

struct Accumulator {
    mmu: f64,
    bound: f64,
    n_worst: usize,
    w_heap: Vec<UtilWindow>,
    mud: Option<Mud>,
    last_time: i64,
    last_mu: f64,
}

impl Accumulator {
    fn new(n_worst: usize, mud: Option<Mud>) -> Accumulator {
        Accumulator {
            mmu: 1.0,
            bound: 1.0,
            n_worst,
            w_heap: Vec::new(),
            mud,
            last_time: i64::MAX,
            last_mu: 0.0,
        }
    }

    fn reset_time(&mut self) {
        self.last_time = i64::MAX;
    }

    fn add_mu(&mut self, time: i64, mu: f64, window: i64) -> bool {
        if mu < self.mmu {
            self.mmu = mu;
        }
        self.bound = self.mmu;
        if self.n_worst == 0 {
            return mu == 0.0;
        }
        if self.w_heap.len() < self.n_worst || mu < self.w_heap[0].mutator_util {
            let mut keep = false;
            let mut remove = None;
            for (i, ui) in self.w_heap.iter().enumerate() {
                if time + window > ui.time && ui.time + window > time {
                    if ui.mutator_util <= mu {
                        keep = true;
                    } else {
                        remove = Some(i);
                    }
                    break;
                }
            }
            if !keep {
                if let Some(i) = remove {
                    goheap::remove(&mut self.w_heap, i, &util_heap_less);
                }
                goheap::push(
                    &mut self.w_heap,
                    UtilWindow {
                        time,
                        mutator_util: mu,
                    },
                    &util_heap_less,
                );
                if self.w_heap.len() > self.n_worst {
                    goheap::pop(&mut self.w_heap, &util_heap_less);
                }
            }
        }
        if self.w_heap.len() < self.n_worst {
            self.bound = 1.0;
        } else {
            self.bound = self.bound.max(self.w_heap[0].mutator_util);
        }
        if let Some(mud) = self.mud.as_mut() {
            if self.last_time != i64::MAX {
                mud.add(self.last_mu, mu, (time - self.last_time) as f64);
            }
            self.last_time = time;
            self.last_mu = mu;
            match mud.approx_inv_cumulative_sum() {
                Some((_, b)) => self.bound = self.bound.max(b),
                None => self.bound = 1.0,
            }
            return false;
        }
        self.w_heap.len() == self.n_worst && self.w_heap[0].mutator_util == 0.0
    }
}

/// The MMU curve of one or more utilization series (Go's `MMUCurve`).
#[derive(Debug, Clone)]
pub struct MmuCurve {
    series: Vec<Series>,
}

impl MmuCurve {
    /// Precomputes the bands of every series.
    pub fn new(utils: Vec<Vec<MutatorUtil>>) -> MmuCurve {
        MmuCurve {
            series: utils
                .into_iter()
                .filter(|u| !u.is_empty())
                .map(Series::new)
                .collect(),
        }
    }

    fn run(&self, window: i64, acc: &mut Accumulator) {
        if window <= 0 {
            acc.mmu = 0.0;
            return;
        }
        let mut band_u: Vec<BandUtil> = Vec::new();
        let mut windows = Vec::with_capacity(self.series.len());
        for (i, s) in self.series.iter().enumerate() {
            let max = s.util[s.util.len() - 1].time - s.util[0].time;
            let w = window.min(max);
            windows.push(w);
            band_u.extend(s.mk_band_util(i, w));
        }
        let less = |a: &BandUtil, b: &BandUtil| a.bound < b.bound;
        goheap::init(&mut band_u, &less);
        while let Some(top) = band_u.first().copied() {
            if top.bound >= acc.bound {
                break;
            }
            self.series[top.series].band_mmu(top.i, windows[top.series], acc);
            goheap::pop(&mut band_u, &less);
        }
    }

    /// The minimum mutator utilization over all windows of `window` ns.
    pub fn mmu(&self, window: i64) -> f64 {
        let mut acc = Accumulator::new(0, None);
        self.run(window, &mut acc);
        acc.mmu
    }

    /// The `n` worst disjoint windows of `window` ns, worst first.
    pub fn examples(&self, window: i64, n: usize) -> Vec<UtilWindow> {
        let mut acc = Accumulator::new(n, None);
        self.run(window, &mut acc);
        let mut w = acc.w_heap;
        // Go: sort.Sort(sort.Reverse(heap)).
        crate::trace::gofmt::sort_func(&mut w, |a, b| {
            if util_heap_less(b, a) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        });
        w
    }

    /// Quantiles of the mutator utilization distribution for windows of `window` ns.
    pub fn mud(&self, window: i64, quantiles: &[f64]) -> Vec<f64> {
        if quantiles.is_empty() {
            return Vec::new();
        }
        let max_q = quantiles.iter().copied().fold(quantiles[0], f64::max);
        let mut duration = 0i64;
        for s in &self.series {
            let d = s.util[s.util.len() - 1].time - s.util[0].time;
            if d >= window {
                duration += d - window;
            }
        }
        let q_mass = duration as f64 * max_q;
        let mut mud = Mud::new();
        mud.set_track_mass(q_mass);
        let mut acc = Accumulator::new(0, Some(mud));
        self.run(window, &mut acc);
        let mmu = acc.mmu;
        let mut mud = acc.mud.expect("set above");
        quantiles
            .iter()
            .map(|q| {
                let (mu, _) = mud.inv_cumulative_sum(duration as f64 * q);
                if mu.is_nan() { mmu } else { mu }
            })
            .collect()
    }
}

/// The curve go tool trace plots: 100 log-spaced windows between `x_min` and `x_max`,
/// each with its MMU (or its MUD quantiles).
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// Smallest window, ns.
    pub x_min: i64,
    /// Largest window, ns.
    pub x_max: i64,
    /// Quantiles plotted instead of the MMU, if any.
    pub quantiles: Option<Vec<f64>>,
    /// Rows: window (ns) then the MMU, or the quantiles.
    pub curve: Vec<Vec<f64>>,
}

/// The quantiles go tool trace plots with the `mut` flag.
pub const MUD_QUANTILES: [f64; 4] = [0.0, 1.0 - 0.999, 1.0 - 0.99, 1.0 - 0.95];

/// Go's `HandlePlot`.
pub fn plot(utils: &[Vec<MutatorUtil>], curve: &MmuCurve, quantiles: Option<&[f64]>) -> Plot {
    let mut x_min: i64 = 1_000_000_000;
    while x_min > 1 {
        if curve.mmu(x_min) < 0.0001 {
            break;
        }
        x_min /= 1000;
    }
    let mut x_max = x_min.saturating_mul(1_000_000);
    let series: Vec<&Vec<MutatorUtil>> = utils.iter().filter(|u| !u.is_empty()).collect();
    if let (Some(first), Some(last)) = (
        series.iter().map(|u| u[0].time).min(),
        series.iter().map(|u| u[u.len() - 1].time).max(),
    ) && x_max > last - first
    {
        x_max = last - first;
    }
    let (log_min, log_max) = (gomath::log(x_min as f64), gomath::log(x_max as f64));
    const SAMPLES: usize = 100;
    let rows = (0..SAMPLES)
        .map(|i| {
            let w = crate::trace::tables::go_f64_to_i64(gomath::exp(
                i as f64 / (SAMPLES - 1) as f64 * (log_max - log_min) + log_min,
            ));
            let mut row = vec![w as f64];
            match quantiles {
                None => row.push(curve.mmu(w)),
                Some(q) => row.extend(curve.mud(w, q)),
            }
            row
        })
        .collect();
    Plot {
        x_min,
        x_max,
        quantiles: quantiles.map(<[f64]>::to_vec),
        curve: rows,
    }
}
