//! The JavaScript API (wasm32 only): turns JS values into the core's slices and shapes, calls the
//! core, and turns results into plain JS objects and typed arrays.
//!
//! Nothing here computes anything. Every argument is checked before it reaches the core, every
//! core error becomes a JS `Error` with the core's message, and no code path here can panic, so the
//! module keeps working after any bad call.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::core::engine::Engine;

pub(crate) mod convert;
pub mod core;
pub mod course;

pub use self::core::{engine::*, geometry::*, image::*, ops::*};
pub use self::course::{
    architectures::*, augment::*, detect::*, digits::*, edges::*, embedding::*, ensemble::*,
    faces::*, filters::*, network::*, samples::*, scenes::*, sliding::*, style::*, transfer::*,
};

pub(crate) type JsResult<T> = Result<T, JsError>;

thread_local! {
    /// One engine (and plan cache) per wasm instance, shared by every widget on the page.
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

/// Installs the panic hook so that a bug, should one slip through, is reported on the console
/// with its message instead of an opaque `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// An `Error` whose message is the plain sentence and, after a line break, the technical details
/// if any ([`crate::core::error::explain`]): the page's error lines show the first line and hide
/// the rest behind "details".
pub(crate) fn core_error(e: anyhow::Error) -> JsError {
    match crate::core::error::explain(&e) {
        (plain, None) => JsError::new(&plain),
        (plain, Some(details)) => JsError::new(&format!("{plain}\n{details}")),
    }
}

pub(crate) fn with_engine<T>(f: impl FnOnce(&mut Engine) -> anyhow::Result<T>) -> JsResult<T> {
    ENGINE.with(|cell| {
        let mut engine = cell
            .try_borrow_mut()
            .map_err(|_| JsError::new("the engine is busy with another call"))?;
        f(&mut engine).map_err(core_error)
    })
}
