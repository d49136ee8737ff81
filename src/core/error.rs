//! How an error reads: one or two plain sentences for the learner, and the technical chain (what
//! tract said) apart from them, for a "details" toggle.
//!
//! Errors are `anyhow` chains. Where a tract call fails, the engine wraps tract's error in
//! [`Details`] and puts a plain sentence above it ([`Plainly::plainly`]); [`explain`] splits a chain
//! there. Both parts are capped, so no internal dump reaches the page whole.

use std::fmt;

/// Longest plain text [`explain`] returns, in characters (a sentence or two).
pub const MAX_PLAIN: usize = 400;
/// Longest technical detail [`explain`] returns, in characters.
pub const MAX_DETAILS: usize = 2000;

/// The technical part of an error (tract's whole chain, flattened), shown behind "details".
#[derive(Debug)]
pub struct Details(pub String);

impl fmt::Display for Details {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Details {}

/// Puts a plain sentence above a technical error.
pub trait Plainly<T> {
    /// The error, if any, becomes [`Details`] under the sentence `plain()`.
    fn plainly<C>(self, plain: impl FnOnce() -> C) -> anyhow::Result<T>
    where
        C: fmt::Display + Send + Sync + 'static;
}

impl<T, E: Into<anyhow::Error>> Plainly<T> for Result<T, E> {
    fn plainly<C>(self, plain: impl FnOnce() -> C) -> anyhow::Result<T>
    where
        C: fmt::Display + Send + Sync + 'static,
    {
        self.map_err(|e| anyhow::Error::new(Details(format!("{:#}", e.into()))).context(plain()))
    }
}

/// `(plain, details)`: the chain's messages above the first [`Details`], joined by ": " (the
/// contexts that locate the problem, then the reason), and that [`Details`]' text if there is one.
/// Each is cut to [`MAX_PLAIN`] / [`MAX_DETAILS`] characters, with the number of characters left
/// out.
pub fn explain(error: &anyhow::Error) -> (String, Option<String>) {
    let mut plain = Vec::new();
    let mut details = None;
    for cause in error.chain() {
        if let Some(d) = cause.downcast_ref::<Details>() {
            details = Some(cap(&d.0, MAX_DETAILS));
            break;
        }
        plain.push(cause.to_string());
    }
    (cap(&plain.join(": "), MAX_PLAIN), details)
}

fn cap(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({} more characters)", count - max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::{anyhow, Context};

    #[test]
    fn the_plain_part_stops_at_the_details() {
        let tract: anyhow::Result<()> = Err(anyhow!("ModelPatch {{ … }}").context("codegen"));
        let e = tract
            .plainly(|| "tract cannot optimise this graph")
            .context("layer 3")
            .unwrap_err();
        assert_eq!(
            explain(&e),
            (
                "layer 3: tract cannot optimise this graph".to_string(),
                Some("codegen: ModelPatch { … }".to_string())
            )
        );
    }

    #[test]
    fn long_texts_are_cut_and_say_how_much_is_left_out() {
        let e = Err::<(), _>(anyhow!("x".repeat(5000)))
            .plainly(|| "y".repeat(450))
            .unwrap_err();
        let (plain, details) = explain(&e);
        assert_eq!(plain, format!("{}… (50 more characters)", "y".repeat(400)));
        assert_eq!(
            details.unwrap(),
            format!("{}… (3000 more characters)", "x".repeat(2000))
        );
        assert_eq!(explain(&anyhow!("short")), ("short".to_string(), None));
    }
}
