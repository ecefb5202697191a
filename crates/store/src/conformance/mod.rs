//! What every backend of the store must do, as the engine relies on it: one suite, generic
//! over [`Backend`], that SQLite runs in this crate's tests and a second backend runs unchanged
//! (`features = ["conformance"]`, then [`run`] with a function that opens a fresh, empty store
//! of its kind). Each check names itself when it fails. One file per concern.

mod accounts;
mod cases;
mod features;
mod media;
mod warnings;

use crate::Backend;
use accounts::*;
use cases::*;
use features::*;
use media::*;
use warnings::*;

/// Runs every check, each on a store `fresh` opens for it (named after the check).
pub async fn run<F, Fut>(fresh: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = Box<dyn Backend>>,
{
    features_are_kept_replaced_and_removed(fresh("features").await.as_ref()).await;
    history_answers_what_stood_when(fresh("history").await.as_ref()).await;
    warnings_persist_and_their_numbers_go_on(fresh("warnings").await.as_ref()).await;
    the_audit_log_is_a_chain_that_holds(fresh("audit").await.as_ref()).await;
    accounts_log_in_lock_out_and_end_sessions(fresh("accounts").await.as_ref()).await;
    cases_take_steps_only_from_where_they_stand(fresh("cases").await.as_ref()).await;
    photos_are_kept_by_their_bytes(fresh("media").await.as_ref()).await;
    layouts_are_saved_listed_and_deleted(fresh("layouts").await.as_ref()).await;
}
