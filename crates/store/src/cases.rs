//! The incident loop's cases and steps in the store: each change of a case is written with its
//! step and its audit row in one transaction, so the case, its timeline and the audit log never
//! disagree.

use sqlx::{query, Row};

use super::audit::{append, AuditEntry};
use super::{DbConnection, SqliteStore, StoreError};
pub use crate::values::SourceCase;
use citywall_model::cases::{Case, CaseState, CaseSummary, Step};

/// The cases half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! case_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::CaseStore for $store {
            /// Writes a new case (its id assigned here) with its first step and audit row.
            async fn create_case(
                &self,
                mut case: Case,
                step: Step,
                audit: &AuditEntry,
                audit_at: i64,
            ) -> Result<Case, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                case.id = Self::next_case_id(&mut tx).await?;
                Self::write_case(&mut tx, &case, true).await?;
                Self::write_step(&mut tx, &case.id, &step).await?;
                let mut audit = audit.clone();
                audit.target = case.id.clone();
                append(&mut tx, &self.audit_key, audit_at, &audit).await?;
                tx.commit().await?;
                Ok(case)
            }

            /// Writes a case's step, applied to the case as it stood when read: `read` is the state and
            /// the last change's time it had then. `Ok(false)`, and nothing written, when the case moved
            /// on since (another step landed first).
            async fn update_case(
                &self,
                case: &Case,
                read: (CaseState, i64),
                step: &Step,
                audit: &AuditEntry,
                audit_at: i64,
            ) -> Result<bool, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                let current = query("SELECT state, updated_at FROM cases WHERE id = ?")
                    .bind(&case.id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let unchanged = current.is_some_and(|row| {
                    row.try_get::<String, _>(0).ok().as_deref() == Some(read.0.as_str())
                        && row.try_get::<i64, _>(1).ok() == Some(read.1)
                });
                if !unchanged {
                    return Ok(false);
                }
                Self::write_case(&mut tx, case, false).await?;
                Self::write_step(&mut tx, &case.id, step).await?;
                append(&mut tx, &self.audit_key, audit_at, audit).await?;
                tx.commit().await?;
                Ok(true)
            }

            /// One case and its steps, oldest first.
            async fn case(&self, id: &str) -> Result<Option<(Case, Vec<Step>)>, StoreError> {
                let Some(row) = query("SELECT body FROM cases WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                let Ok(case) = serde_json::from_str::<Case>(&row.get::<String, _>(0)) else {
                    return Ok(None);
                };
                let steps = query("SELECT body FROM case_steps WHERE case_id = ? ORDER BY seq")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .filter_map(|r| serde_json::from_str::<Step>(&r.get::<String, _>(0)).ok())
                    .collect();
                Ok(Some((case, steps)))
            }

            /// Cases, newest first: those in `states` (all without), at most `limit`.
            async fn cases(&self, states: &[CaseState], limit: u32) -> Result<Vec<Case>, StoreError> {
                self.cases_of(Whose::All, states, limit).await
            }

            /// The cases `reporter` opened, as [`$store::cases`].
            async fn cases_reported_by(
                &self,
                reporter: &str,
                states: &[CaseState],
                limit: u32,
            ) -> Result<Vec<Case>, StoreError> {
                self.cases_of(Whose::Reporter(reporter), states, limit)
                    .await
            }

            /// The cases the `centres` own.
            async fn cases_owned_by(
                &self,
                centres: &[String],
                states: &[CaseState],
                limit: u32,
            ) -> Result<Vec<Case>, StoreError> {
                self.cases_of(Whose::Centres(centres), states, limit).await
            }

            /// The loop's numbers straight from the store: 办结率 = closed / received, 按期结案率 =
            /// closed on time / closed; `now` (data clock) decides what is overdue.
            async fn case_summary(&self, now: i64) -> Result<CaseSummary, StoreError> {
                self.summary_of(Whose::All, now).await
            }

            async fn case_summary_owned_by(
                &self,
                centres: &[String],
                now: i64,
            ) -> Result<CaseSummary, StoreError> {
                self.summary_of(Whose::Centres(centres), now).await
            }

            /// Brings a source's cases into the loop in one transaction: a new one is opened in the
            /// state its source gives, a changed state is a step taken by the source; the deadline runs
            /// from the report by the category's limit, and a case closing is on time when it closes
            /// within it. Returns how many cases changed.
            async fn sync_source_cases(
                &self,
                source: &str,
                items: &[SourceCase],
                now: i64,
            ) -> Result<usize, StoreError> {
                if items.is_empty() {
                    return Ok(0);
                }
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                let mut changed = 0;
                for item in items {
                    let existing = query("SELECT body FROM cases WHERE id = ?")
                        .bind(&item.id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .and_then(|r| serde_json::from_str::<Case>(&r.get::<String, _>(0)).ok());
                    let new = existing.is_none();
                    let mut case = match existing {
                        Some(c) if c.state == item.state => continue,
                        Some(c) => c,
                        None => {
                            let created = item.reported_at.unwrap_or(now);
                            Case {
                                id: item.id.clone(),
                                origin: source.to_string(),
                                reported_by: source.to_string(),
                                centre: item.centre.clone(),
                                category: item.category.clone(),
                                urgent: item.urgent,
                                title: item.title.clone(),
                                description: String::new(),
                                address: String::new(),
                                lon: item.lon,
                                lat: item.lat,
                                reporter: String::new(),
                                media: Vec::new(),
                                state: CaseState::Received,
                                department: None,
                                limit_h: Some(item.limit_h),
                                deadline_at: Some(created + (item.limit_h * 3_600_000.0) as i64),
                                remaining_ms: None,
                                pending: None,
                                urged: None,
                                handover: None,
                                created_at: created,
                                updated_at: now,
                                closed_at: None,
                                on_time: None,
                            }
                        }
                    };
                    let from = (!new).then_some(case.state);
                    case.state = item.state;
                    case.updated_at = now;
                    // A case seen closing is judged by when it closed; one first seen already closed
                    // (the source's feed reaches back before the wall started) closed at a time nobody
                    // saw, so it counts as closed but is judged neither on time nor late.
                    if item.state == CaseState::Closed && case.closed_at.is_none() && !new {
                        case.closed_at = Some(now);
                        case.on_time = Some(case.deadline_at.is_none_or(|d| now <= d));
                    }
                    Self::write_case(&mut tx, &case, new).await?;
                    let step = Step {
                        seq: 0,
                        at: now,
                        actor: source.to_string(),
                        action: format!("source:{}", item.status),
                        from,
                        to: case.state,
                        note: String::new(),
                        media: Vec::new(),
                    };
                    Self::write_step(&mut tx, &case.id, &step).await?;
                    changed += 1;
                }
                tx.commit().await?;
                Ok(changed)
            }
        }

        impl $store {
            /// The next case number's id, e.g. `AJ000042`.
            async fn next_case_id(conn: &mut DbConnection) -> Result<String, StoreError> {
                let n: i64 = query("SELECT COALESCE(MAX(n), 0) + 1 FROM cases")
                    .fetch_one(&mut *conn)
                    .await?
                    .get(0);
                Ok(format!("AJ{n:06}"))
            }

            async fn write_case(
                conn: &mut DbConnection,
                case: &Case,
                new: bool,
            ) -> Result<(), StoreError> {
                let body = serde_json::to_string(case).unwrap_or_else(|_| "{}".into());
                let sql = if new {
                    "INSERT INTO cases (state, created_at, updated_at, deadline_at, closed_at, on_time, body, id) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                } else {
                    "UPDATE cases SET state = ?, created_at = ?, updated_at = ?, deadline_at = ?, closed_at = ?, \
                     on_time = ?, body = ? WHERE id = ?"
                };
                query(sql)
                    .bind(case.state.as_str())
                    .bind(case.created_at)
                    .bind(case.updated_at)
                    .bind(case.deadline_at)
                    .bind(case.closed_at)
                    .bind(case.on_time.map(i64::from))
                    .bind(&body)
                    .bind(&case.id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            async fn write_step(
                conn: &mut DbConnection,
                case_id: &str,
                step: &Step,
            ) -> Result<(), StoreError> {
                let seq: i64 =
                    query("SELECT COALESCE(MAX(seq), 0) + 1 FROM case_steps WHERE case_id = ?")
                        .bind(case_id)
                        .fetch_one(&mut *conn)
                        .await?
                        .get(0);
                let mut step = step.clone();
                step.seq = seq;
                query("INSERT INTO case_steps (case_id, seq, at, body) VALUES (?, ?, ?, ?)")
                    .bind(case_id)
                    .bind(seq)
                    .bind(step.at)
                    .bind(serde_json::to_string(&step).unwrap_or_else(|_| "{}".into()))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// The loop's numbers over `whose` cases.
            async fn summary_of(&self, whose: Whose<'_>, now: i64) -> Result<CaseSummary, StoreError> {
                let (filter, owners) = match whose {
                    Whose::Centres(centres) => {
                        let (test, owners) = owned_by(centres);
                        (format!(" WHERE {test}"), owners)
                    }
                    _ => (String::new(), Vec::new()),
                };
                let sql = format!(
                    "SELECT COUNT(*), \
                    COUNT(CASE WHEN state = 'closed' THEN 1 END), \
                    COUNT(CASE WHEN state = 'closed' AND on_time = 1 THEN 1 END), \
                    COUNT(CASE WHEN state = 'refused' THEN 1 END), \
                    COUNT(CASE WHEN state NOT IN ('closed', 'refused') THEN 1 END), \
                    COUNT(CASE WHEN state IN ('dispatched', 'handling') AND deadline_at IS NOT NULL AND deadline_at < ? THEN 1 END), \
                    CAST(AVG(CASE WHEN state = 'closed' THEN closed_at - created_at END) AS DOUBLE PRECISION), \
                    COUNT(CASE WHEN state = 'closed' AND on_time IS NOT NULL THEN 1 END) \
             FROM cases{filter}"
                );
                let mut query = query(&sql).bind(now);
                for owner in owners {
                    query = query.bind(owner);
                }
                let row = query.fetch_one(&self.pool).await?;
                let n = |i: usize| row.get::<Option<i64>, _>(i).unwrap_or(0) as u64;
                let (received, closed, on_time) = (n(0), n(1), n(2));
                let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
                Ok(CaseSummary {
                    received,
                    closed,
                    closed_on_time: on_time,
                    refused: n(3),
                    open: n(4),
                    overdue: n(5),
                    rate_closed: ratio(closed, received),
                    // Judged over the closes whose time is known.
                    rate_on_time: ratio(on_time, n(7)),
                    mean_hours_to_close: row
                        .get::<Option<f64>, _>(6)
                        .map(|ms| (ms / 3_600_000.0 * 10.0).round() / 10.0),
                })
            }

            async fn cases_of(
                &self,
                whose: Whose<'_>,
                states: &[CaseState],
                limit: u32,
            ) -> Result<Vec<Case>, StoreError> {
                // The states are filtered by SQLite (indexed): the rules ask every 5 s for the few cases
                // whose clock runs among all the loop ever held.
                let wanted: Vec<&str> = if states.is_empty() {
                    CaseState::ALL.iter().map(|s| s.as_str()).collect()
                } else {
                    states.iter().map(|s| s.as_str()).collect()
                };
                let marks = vec!["?"; wanted.len()].join(", ");
                let by = match whose {
                    Whose::All => String::new(),
                    Whose::Reporter(_) => " AND reported_by = ?".into(),
                    Whose::Centres(centres) => format!(" AND {}", owned_by(centres).0),
                };
                let sql =
                    format!("SELECT body FROM cases WHERE state IN ({marks}){by} ORDER BY n DESC LIMIT ?");
                let mut query = query(&sql);
                for state in &wanted {
                    query = query.bind(*state);
                }
                match whose {
                    Whose::All => {}
                    Whose::Reporter(reporter) => query = query.bind(reporter),
                    Whose::Centres(centres) => {
                        for owner in owned_by(centres).1 {
                            query = query.bind(owner);
                        }
                    }
                }
                let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await?;
                Ok(rows
                    .iter()
                    .filter_map(|r| serde_json::from_str::<Case>(&r.get::<String, _>(0)).ok())
                    .collect())
            }
        }
    };
}
pub(crate) use case_store;

case_store!(SqliteStore);

/// Whose cases a listing reads.
#[derive(Clone, Copy)]
pub(crate) enum Whose<'a> {
    All,
    /// Those an account or token reported.
    Reporter(&'a str),
    /// Those these centres own.
    Centres(&'a [String]),
}

/// The test that a case is one the `centres` own, and the values it binds in order. No centre
/// binds a name none can have (ids have no spaces): nothing matches.
pub(crate) fn owned_by(centres: &[String]) -> (String, Vec<&str>) {
    let owners: Vec<&str> = if centres.is_empty() {
        vec![" "]
    } else {
        centres.iter().map(String::as_str).collect()
    };
    let marks = vec!["?"; owners.len()].join(", ");
    (format!("centre IN ({marks})"), owners)
}
