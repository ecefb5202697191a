//! Reading a config past its first mistake, so `check-config` names every problem in one run.
//! serde stops at the first key it does not know or cannot read; that key and its value are
//! blanked out of a working copy of the text (every byte but newlines turned to a space, so each
//! later line and byte offset stays where it was) and the text is read again, at most
//! [`MAX_ROUNDS`] times. A misspelt key is named with the nearest key that section knows.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml_edit::{ImDocument, Item, Table, Value};

/// How many mistakes one reading gets past.
const MAX_ROUNDS: usize = 64;

/// What reading found: the value once the text read through (the mistakes blanked out, every
/// line and offset where it was), and each mistake with where it is.
pub(super) struct Reading<T> {
    pub value: Option<T>,
    pub mistakes: Vec<(Range<usize>, String)>,
}

pub(super) fn read<T: DeserializeOwned>(text: &str) -> Reading<T> {
    let mut work = text.to_string();
    let mut mistakes = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let e = match toml::from_str::<T>(&work) {
            Ok(value) => {
                return Reading {
                    value: Some(value),
                    mistakes,
                }
            }
            Err(e) => e,
        };
        let span = e.span().unwrap_or(0..0);
        mistakes.push((span.clone(), explain(e.message())));
        // Only a key or a value serde refused can be set aside; a syntax error or a missing
        // field has nothing to blank, and reading stops there.
        let skippable = [
            "unknown field",
            "invalid type",
            "invalid value",
            "unknown variant",
        ]
        .iter()
        .any(|p| e.message().starts_with(p));
        let Some(next) = skippable
            .then(|| item_at(&work, span.start))
            .flatten()
            .map(|range| blanked(&work, range))
            .filter(|next| ImDocument::parse(next.as_str()).is_ok())
        else {
            break;
        };
        work = next;
    }
    Reading {
        value: None,
        mistakes,
    }
}

/// serde's sentence, with the nearest known key where it names an unknown one.
fn explain(message: &str) -> String {
    let message = message.trim().to_string();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message;
    };
    let Some((unknown, known)) = rest.split_once('`') else {
        return message;
    };
    let candidates: Vec<&str> = known.split('`').skip(1).step_by(2).collect();
    match candidates
        .iter()
        .map(|c| (distance(unknown, c), *c))
        .min()
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
    {
        Some((_, nearest)) => {
            format!("unknown key `{unknown}`: did you mean `{nearest}`? ({message})")
        }
        None => format!("unknown key `{unknown}` ({message})"),
    }
}

/// Edit distance (insertions, deletions, substitutions) between two keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `text` with `range` turned to spaces (newlines kept).
fn blanked(text: &str, range: Range<usize>) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for b in bytes.get_mut(range).into_iter().flatten() {
        if *b != b'\n' {
            *b = b' ';
        }
    }
    // Only ASCII spaces replaced whole characters' bytes: still UTF-8, but checked anyway.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// The innermost key-value (or table) around byte `offset`: what to blank. Inside an inline
/// table the comma beside it goes too, so what is left still reads.
fn item_at(text: &str, offset: usize) -> Option<Range<usize>> {
    let doc = ImDocument::parse(text).ok()?;
    let mut best: Option<Range<usize>> = None;
    table(doc.as_table(), offset, &mut best);
    let found = best?;
    Some(with_comma(text, found))
}

fn consider(best: &mut Option<Range<usize>>, candidate: Range<usize>, offset: usize) {
    if candidate.contains(&offset) && best.as_ref().is_none_or(|b| candidate.len() < b.len()) {
        *best = Some(candidate);
    }
}

fn table(t: &Table, offset: usize, best: &mut Option<Range<usize>>) {
    for (name, _) in t.iter() {
        let Some((key, item)) = t.get_key_value(name) else {
            continue;
        };
        let key_span = key.span();
        match item {
            Item::Value(v) => {
                if let (Some(k), Some(end)) = (key_span, extent_of_value(v)) {
                    consider(best, k.start..end, offset);
                }
                value(v, offset, best);
            }
            Item::Table(sub) => {
                if let Some(whole) = extent_of_table(sub) {
                    consider(best, whole, offset);
                }
                table(sub, offset, best);
            }
            Item::ArrayOfTables(tables) => {
                for sub in tables.iter() {
                    if let Some(whole) = extent_of_table(sub) {
                        consider(best, whole, offset);
                    }
                    table(sub, offset, best);
                }
            }
            Item::None => {}
        }
    }
}

fn value(v: &Value, offset: usize, best: &mut Option<Range<usize>>) {
    match v {
        Value::InlineTable(inline) => {
            for (name, _) in inline.iter() {
                let Some((key, Item::Value(inner))) = inline.get_key_value(name) else {
                    continue;
                };
                if let (Some(k), Some(end)) = (key.span(), extent_of_value(inner)) {
                    consider(best, k.start..end, offset);
                }
                value(inner, offset, best);
            }
        }
        Value::Array(array) => {
            for inner in array.iter() {
                value(inner, offset, best);
            }
        }
        _ => {}
    }
}

fn extent_of_value(v: &Value) -> Option<usize> {
    v.span().map(|s| s.end)
}

/// A table from its header to its last value.
fn extent_of_table(t: &Table) -> Option<Range<usize>> {
    let start = t.span()?.start;
    let mut end = t.span()?.end;
    for (name, _) in t.iter() {
        match t.get(name) {
            Some(Item::Value(v)) => end = end.max(extent_of_value(v).unwrap_or(end)),
            Some(Item::Table(sub)) => {
                end = end.max(extent_of_table(sub).map_or(end, |r| r.end));
            }
            _ => {}
        }
    }
    Some(start..end)
}

/// Grows `range` over the comma after it (or else before it) when it sits in an inline table
/// or array, so `{ a = 1, b = 2 }` less `a = 1` is `{ b = 2 }`, not `{ , b = 2 }`.
fn with_comma(text: &str, range: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut end = range.end;
    while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
        end += 1;
    }
    if bytes.get(end) == Some(&b',') {
        return range.start..end + 1;
    }
    let mut start = range.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    if start > 0 && bytes[start - 1] == b',' {
        return start - 1..range.end;
    }
    range
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Style {
        color: Option<String>,
        color_by: Option<String>,
        radius: Option<f64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Layer {
        id: String,
        title_zh: Option<String>,
        style: Option<Style>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        layer: Vec<Layer>,
    }

    #[test]
    fn every_unknown_key_is_named_with_its_nearest_and_lines_stay() {
        let text = "[[layer]]\nid = \"a\"\ntitel_zh = \"甲\"\nstyle = { colour_by = \"x\", radius = 7 }\n\n[[layer]]\nid = \"b\"\nstyle = { radius = \"big\" }\n";
        let r = read::<Doc>(text);
        let lines: Vec<(usize, &str)> = r
            .mistakes
            .iter()
            .map(|(s, m)| (text[..s.start].matches('\n').count() + 1, m.as_str()))
            .collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(lines[0].0, 3);
        assert!(lines[0].1.contains("did you mean `title_zh`"), "{lines:#?}");
        assert_eq!(lines[1].0, 4);
        assert!(lines[1].1.contains("did you mean `color_by`"), "{lines:#?}");
        assert_eq!(lines[2].0, 8);
        let doc = r.value.expect("read once the mistakes are set aside");
        assert_eq!(
            doc.layer[0].style.as_ref().and_then(|s| s.radius),
            Some(7.0)
        );
    }

    #[test]
    fn a_syntax_error_stops_the_reading_with_its_place() {
        let r = read::<Doc>("[[layer]\nid = 1\n");
        assert!(r.value.is_none());
        assert_eq!(r.mistakes.len(), 1);
    }

    proptest::proptest! {
        /// Whatever text a centre writes, reading it past its mistakes never panics and keeps
        /// every line where it was.
        #[test]
        fn any_text_reads_without_panicking(text in "(\\[\\[layer\\]\\]\n|id = \"a\"\n|titel = 1\n|style = \\{ colour = 1, radius = 2 \\}\n|[a-z_ =\"{},\\[\\]0-9\n]{0,12}){0,12}") {
            let r = read::<Doc>(&text);
            for (span, _) in &r.mistakes {
                proptest::prop_assert!(span.end <= text.len());
            }
        }

        /// Blanking keeps every byte offset and every line where it was.
        #[test]
        fn blanking_keeps_lines_and_offsets(text in "[a-z =\n甲乙,{}]{0,40}", from in 0usize..48, len in 0usize..48) {
            let out = blanked(&text, from..from + len);
            proptest::prop_assert_eq!(out.len(), text.len());
            proptest::prop_assert_eq!(out.matches('\n').count(), text.matches('\n').count());
        }
    }

    #[test]
    fn distances_are_edits() {
        assert_eq!(distance("colour_by", "color_by"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
