//! In-memory intervals of one batch of events: the open helper rows loaded from the database
//! plus the rows the batch opens and closes, written back in a few statements.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Utc};

/// What decides that a row opened at the instant another one was closed takes its place
/// (CloudStack's unique keys include the start time, so such a pair cannot both exist).
pub(crate) trait Slot {
    /// Whether `self` and `other` would share a unique key if they started at the same time.
    fn same_slot(&self, other: &Self) -> bool;
}

/// One helper row: when it started and ended, and whether the database has it.
#[derive(Debug, Clone)]
pub(crate) struct Interval<K, R> {
    pub owner: K,
    pub db_id: Option<i64>,
    pub row: R,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    loaded_end: Option<DateTime<Utc>>,
    rewritten: bool,
}

/// The intervals of one helper table touched by a batch, grouped by owner.
pub(crate) struct Intervals<K, R> {
    items: Vec<Interval<K, R>>,
    by_owner: HashMap<K, Vec<usize>>,
}

/// What a batch changes in one helper table.
pub(crate) struct IntervalChanges<K, R> {
    /// Rows to insert (possibly already closed).
    pub inserts: Vec<Interval<K, R>>,
    /// Existing rows whose end changed: (id, new end).
    pub ends: Vec<(i64, Option<DateTime<Utc>>)>,
    /// Existing rows replaced by a row opened at their start instant.
    pub rewrites: Vec<Interval<K, R>>,
}

impl<K: Hash + Eq + Clone, R: Slot> Intervals<K, R> {
    pub fn new() -> Self {
        Self {
            items: Vec::new(),
            by_owner: HashMap::new(),
        }
    }

    /// Registers an open row read from the database.
    pub fn load(&mut self, owner: K, db_id: i64, row: R, start: DateTime<Utc>) {
        self.push(Interval {
            owner,
            db_id: Some(db_id),
            row,
            start,
            end: None,
            loaded_end: None,
            rewritten: false,
        });
    }

    fn push(&mut self, interval: Interval<K, R>) {
        self.by_owner
            .entry(interval.owner.clone())
            .or_default()
            .push(self.items.len());
        self.items.push(interval);
    }

    /// The open rows of `owner` that `which` selects.
    pub fn open_rows<'a>(
        &'a self,
        owner: &K,
        which: impl Fn(&R) -> bool + 'a,
    ) -> impl Iterator<Item = &'a R> + 'a {
        self.by_owner
            .get(owner)
            .into_iter()
            .flatten()
            .map(|&i| &self.items[i])
            .filter(move |it| it.end.is_none() && which(&it.row))
            .map(|it| &it.row)
    }

    /// Ends, at `at`, every open row of `owner` that `which` selects; returns how many.
    pub fn close(&mut self, owner: &K, at: DateTime<Utc>, which: impl Fn(&R) -> bool) -> usize {
        let Some(indexes) = self.by_owner.get(owner) else {
            return 0;
        };
        let mut closed = 0;
        for &i in indexes {
            let it = &mut self.items[i];
            if it.end.is_none() && which(&it.row) {
                it.end = Some(at);
                closed += 1;
            }
        }
        closed
    }

    /// Opens a row for `owner` at `at`; a row of the same slot that started and ended at `at`
    /// is reused instead (it had no duration).
    pub fn open(&mut self, owner: K, row: R, at: DateTime<Utc>) {
        if let Some(indexes) = self.by_owner.get(&owner) {
            for &i in indexes {
                let it = &mut self.items[i];
                if it.start == at && it.end == Some(at) && it.row.same_slot(&row) {
                    it.row = row;
                    it.end = None;
                    it.rewritten = it.db_id.is_some();
                    return;
                }
            }
        }
        self.push(Interval {
            owner,
            db_id: None,
            row,
            start: at,
            end: None,
            loaded_end: None,
            rewritten: false,
        });
    }

    /// What to write back.
    pub fn into_changes(self) -> IntervalChanges<K, R> {
        let mut changes = IntervalChanges {
            inserts: Vec::new(),
            ends: Vec::new(),
            rewrites: Vec::new(),
        };
        for it in self.items {
            match it.db_id {
                None => changes.inserts.push(it),
                Some(_) if it.rewritten => changes.rewrites.push(it),
                Some(id) if it.end != it.loaded_end => changes.ends.push((id, it.end)),
                Some(_) => {}
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Debug, Clone, PartialEq)]
    struct Row(u32);
    impl Slot for Row {
        fn same_slot(&self, other: &Self) -> bool {
            self.0 / 10 == other.0 / 10
        }
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, 0, 0).unwrap()
    }

    #[test]
    fn closes_loaded_rows_and_inserts_new_ones() {
        let mut set = Intervals::new();
        set.load("vm", 7, Row(10), at(1));
        assert_eq!(set.close(&"vm", at(2), |r| r.0 == 10), 1);
        set.open("vm", Row(20), at(2));
        assert_eq!(set.open_rows(&"vm", |_| true).count(), 1);
        let changes = set.into_changes();
        assert_eq!(changes.ends, vec![(7, Some(at(2)))]);
        assert_eq!(changes.inserts.len(), 1);
        assert_eq!(
            (changes.inserts[0].start, changes.inserts[0].end),
            (at(2), None)
        );
    }

    #[test]
    fn a_row_reopened_at_its_start_instant_is_reused() {
        let mut set = Intervals::new();
        set.open("vm", Row(10), at(3));
        set.close(&"vm", at(3), |_| true);
        set.open("vm", Row(11), at(3));
        let changes = set.into_changes();
        assert_eq!(changes.inserts.len(), 1);
        assert_eq!(changes.inserts[0].row, Row(11));
        assert_eq!(changes.inserts[0].end, None);
    }
}
