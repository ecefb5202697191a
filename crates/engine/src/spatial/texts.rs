//! Property texts shared between a layer's points: a census's components mostly say the same
//! few things (a class, a status), and each distinct text is held once, counted by the rows
//! that hold it, and forgotten with the last.

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

pub(super) fn hash(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

#[derive(Default)]
pub(super) struct SharedTexts {
    /// Every distinct text the rows hold, by its hash.
    texts: HashTable<Arc<str>>,
}

impl SharedTexts {
    /// The shared copy of a text.
    pub(super) fn intern(&mut self, text: String) -> Arc<str> {
        let h = hash(&text);
        if let Some(shared) = self.texts.find(h, |t| **t == *text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.texts.insert_unique(h, shared.clone(), |t| hash(t));
        shared
    }

    /// Lets go of a row's text, forgetting it when no other row holds it.
    pub(super) fn release(&mut self, text: Arc<str>) {
        // Held by this caller and by this table only.
        if Arc::strong_count(&text) == 2 {
            if let Ok(entry) = self
                .texts
                .find_entry(hash(&text), |t| Arc::ptr_eq(t, &text))
            {
                entry.remove();
            }
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.texts.len()
    }
}
