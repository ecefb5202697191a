//! A packed static point index: a KD-tree laid out in one flat array (no nodes, no pointers),
//! built once by recursive median selection. It serves layers that change rarely (cameras, city
//! components) and every zoom level of the cluster pyramid, where it is rebuilt, not updated.
//! Box, radius and k-nearest queries; distances are Euclidean in the coordinates given, so callers
//! pass projected coordinates where metres matter.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Leaves hold at most this many points; below it a query scans instead of descending.
const NODE_SIZE: usize = 64;

/// A query's pending nodes (left, right, axis), kept on the stack rather than the heap (a
/// million queries per cluster level made the allocations show): a depth-first walk holds at
/// most one entry per tree level plus one, and 48 levels is past 2^48 points.
struct Pending {
    nodes: [(usize, usize, usize); 48],
    len: usize,
}

impl Pending {
    fn new(n: usize) -> Pending {
        let mut p = Pending {
            nodes: [(0, 0, 0); 48],
            len: 0,
        };
        if n > 0 {
            p.push((0, n - 1, 0));
        }
        p
    }

    fn push(&mut self, node: (usize, usize, usize)) {
        if self.len < self.nodes.len() {
            self.nodes[self.len] = node;
            self.len += 1;
        }
    }

    fn pop(&mut self) -> Option<(usize, usize, usize)> {
        self.len = self.len.checked_sub(1)?;
        Some(self.nodes[self.len])
    }
}

#[derive(Debug, Clone, Copy)]
struct Item {
    x: f64,
    y: f64,
    id: u32,
}

#[derive(Debug, Clone, Default)]
pub struct PackedIndex {
    items: Vec<Item>,
}

impl PackedIndex {
    /// Builds the index; point `i` of `points` is reported as id `i`.
    pub fn build(points: impl IntoIterator<Item = [f64; 2]>) -> PackedIndex {
        let mut items: Vec<Item> = points
            .into_iter()
            .enumerate()
            .map(|(i, [x, y])| Item { x, y, id: i as u32 })
            .collect();
        sort_kd(&mut items, 0);
        PackedIndex { items }
    }

    /// Builds the index over points that carry their own ids (rows of a table with gaps).
    pub fn build_with_ids(points: impl IntoIterator<Item = ([f64; 2], u32)>) -> PackedIndex {
        let mut items: Vec<Item> = points
            .into_iter()
            .map(|([x, y], id)| Item { x, y, id })
            .collect();
        items.shrink_to_fit();
        sort_kd(&mut items, 0);
        PackedIndex { items }
    }

    /// The box of every point, as [west, south, east, north]; `None` when empty.
    pub fn extent(&self) -> Option<[f64; 4]> {
        self.items.iter().fold(None, |acc, it| {
            Some(match acc {
                None => [it.x, it.y, it.x, it.y],
                Some([w, s, e, n]) => [w.min(it.x), s.min(it.y), e.max(it.x), n.max(it.y)],
            })
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Calls `found` with the id of every point inside [min_x, max_x] × [min_y, max_y].
    pub fn range(&self, min: [f64; 2], max: [f64; 2], mut found: impl FnMut(u32)) {
        let items = &self.items;
        if items.is_empty() {
            return;
        }
        let inside =
            |it: &Item| it.x >= min[0] && it.x <= max[0] && it.y >= min[1] && it.y <= max[1];
        let mut stack = Pending::new(items.len());
        while let Some((left, right, axis)) = stack.pop() {
            if right - left <= NODE_SIZE {
                for it in &items[left..=right] {
                    if inside(it) {
                        found(it.id);
                    }
                }
                continue;
            }
            let m = (left + right) >> 1;
            let it = &items[m];
            if inside(it) {
                found(it.id);
            }
            let (v, lo, hi) = if axis == 0 {
                (it.x, min[0], max[0])
            } else {
                (it.y, min[1], max[1])
            };
            if lo <= v {
                stack.push((left, m - 1, 1 - axis));
            }
            if hi >= v {
                stack.push((m + 1, right, 1 - axis));
            }
        }
    }

    /// Calls `found` with the id of every point within `r` of (x, y).
    pub fn within(&self, x: f64, y: f64, r: f64, mut found: impl FnMut(u32)) {
        let items = &self.items;
        if items.is_empty() {
            return;
        }
        let r2 = r * r;
        let near = |it: &Item| {
            let (dx, dy) = (it.x - x, it.y - y);
            dx * dx + dy * dy <= r2
        };
        let mut stack = Pending::new(items.len());
        while let Some((left, right, axis)) = stack.pop() {
            if right - left <= NODE_SIZE {
                for it in &items[left..=right] {
                    if near(it) {
                        found(it.id);
                    }
                }
                continue;
            }
            let m = (left + right) >> 1;
            let it = &items[m];
            if near(it) {
                found(it.id);
            }
            let (v, c) = if axis == 0 { (it.x, x) } else { (it.y, y) };
            if c - r <= v {
                stack.push((left, m - 1, 1 - axis));
            }
            if c + r >= v {
                stack.push((m + 1, right, 1 - axis));
            }
        }
    }

    /// The `k` points nearest (x, y) that `accept` lets through, nearest first, with their
    /// squared distances.
    pub fn nearest(
        &self,
        x: f64,
        y: f64,
        k: usize,
        accept: impl Fn(u32) -> bool,
    ) -> Vec<(u32, f64)> {
        let mut best: BinaryHeap<Candidate> = BinaryHeap::with_capacity(k + 1);
        if k == 0 || self.items.is_empty() {
            return Vec::new();
        }
        let mut search = Nearest {
            items: &self.items,
            x,
            y,
            k,
            accept: &accept,
            best: &mut best,
        };
        search.descend(0, self.items.len() - 1, 0);
        let mut out: Vec<(u32, f64)> = best.into_iter().map(|c| (c.id, c.d2)).collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1));
        out
    }
}

/// A max-heap entry: the worst of the k best so far sits on top.
#[derive(PartialEq)]
struct Candidate {
    d2: f64,
    id: u32,
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.d2.total_cmp(&other.d2)
    }
}

struct Nearest<'a, F: Fn(u32) -> bool> {
    items: &'a [Item],
    x: f64,
    y: f64,
    k: usize,
    accept: &'a F,
    best: &'a mut BinaryHeap<Candidate>,
}

impl<F: Fn(u32) -> bool> Nearest<'_, F> {
    fn worst(&self) -> f64 {
        if self.best.len() < self.k {
            f64::INFINITY
        } else {
            self.best.peek().map(|c| c.d2).unwrap_or(f64::INFINITY)
        }
    }

    fn offer(&mut self, it: Item) {
        let (dx, dy) = (it.x - self.x, it.y - self.y);
        let d2 = dx * dx + dy * dy;
        if d2 < self.worst() && (self.accept)(it.id) {
            self.best.push(Candidate { d2, id: it.id });
            if self.best.len() > self.k {
                self.best.pop();
            }
        }
    }

    fn descend(&mut self, left: usize, right: usize, axis: usize) {
        if right - left <= NODE_SIZE {
            for i in left..=right {
                self.offer(self.items[i]);
            }
            return;
        }
        let m = (left + right) >> 1;
        let it = self.items[m];
        self.offer(it);
        let diff = if axis == 0 {
            self.x - it.x
        } else {
            self.y - it.y
        };
        let (near, far) = if diff < 0.0 {
            ((left, m - 1), (m + 1, right))
        } else {
            ((m + 1, right), (left, m - 1))
        };
        self.descend(near.0, near.1, 1 - axis);
        if diff * diff < self.worst() {
            self.descend(far.0, far.1, 1 - axis);
        }
    }
}

/// Orders `items` so that each node's median splits its range on alternating axes.
fn sort_kd(items: &mut [Item], axis: usize) {
    if items.len() <= NODE_SIZE + 1 {
        return;
    }
    let m = (items.len() - 1) >> 1;
    if axis == 0 {
        items.select_nth_unstable_by(m, |a, b| a.x.total_cmp(&b.x));
    } else {
        items.select_nth_unstable_by(m, |a, b| a.y.total_cmp(&b.y));
    }
    let (lower, upper) = items.split_at_mut(m);
    // The two halves are independent: big ones sort on two threads.
    if lower.len() > PARALLEL_ABOVE {
        std::thread::scope(|scope| {
            scope.spawn(|| sort_kd(lower, 1 - axis));
            sort_kd(&mut upper[1..], 1 - axis);
        });
    } else {
        sort_kd(lower, 1 - axis);
        sort_kd(&mut upper[1..], 1 - axis);
    }
}

/// Halves bigger than this are sorted on a thread of their own (only near the top of a big
/// tree, so a build starts a handful of threads at most).
const PARALLEL_ABOVE: usize = 131_072;

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Vec<[f64; 2]> {
        (0..10_000)
            .map(|i| [(i % 100) as f64, (i / 100) as f64])
            .collect()
    }

    #[test]
    fn range_within_and_nearest_agree_with_a_scan() {
        let points = grid();
        let index = PackedIndex::build(points.iter().copied());
        let mut found = Vec::new();
        index.range([10.0, 20.0], [19.5, 24.0], |id| found.push(id));
        let mut expected: Vec<u32> = (0..points.len() as u32)
            .filter(|&i| {
                let [x, y] = points[i as usize];
                (10.0..=19.5).contains(&x) && (20.0..=24.0).contains(&y)
            })
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected);
        assert_eq!(found.len(), 50);

        let mut near = 0;
        index.within(50.0, 50.0, 2.0, |_| near += 1);
        assert_eq!(near, 13);

        let best = index.nearest(50.2, 50.1, 3, |_| true);
        let ids: Vec<u32> = best.iter().map(|b| b.0).collect();
        assert_eq!(ids[0], 5050);
        assert_eq!(ids.len(), 3);
        // The filter skips points without widening the answer past k.
        let odd = index.nearest(50.2, 50.1, 2, |id| id % 2 == 1);
        assert!(odd.iter().all(|(id, _)| id % 2 == 1));
        assert_eq!(odd.len(), 2);
        assert!(PackedIndex::build([])
            .nearest(0.0, 0.0, 3, |_| true)
            .is_empty());
    }
}
