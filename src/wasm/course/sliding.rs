//! Lectures 25-26's comparison ([`crate::course::sliding`]): the naive loop over crops against the
//! one convolutional pass.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::course::sliding;
use crate::wasm::convert::*;
use crate::wasm::core::engine::JsModel;
use crate::wasm::{core_error, JsResult};

/// `performance.now()` of the page or worker, in milliseconds (0 where there is none).
fn now() -> f64 {
    let global = js_sys::global();
    Reflect::get(&global, &"performance".into())
        .ok()
        .and_then(|p| {
            let f: Function = Reflect::get(&p, &"now".into()).ok()?.dyn_into().ok()?;
            f.call0(&p).ok()?.as_f64()
        })
        .unwrap_or(0.0)
}

/// Runs `big` (the classifier at the image's size) once on `input` and `small` (the same network
/// at one window's size) on every window: `{ pass: { shape, data }, naive: { shape, data },
/// crops, window: [h, w], stride, largestDifference, passMs, naiveMs }`.
#[wasm_bindgen(js_name = compareSlidingWindows)]
pub fn compare_sliding_windows(small: &JsModel, big: &JsModel, input: JsValue) -> JsResult<Object> {
    let c = sliding::compare(
        &small.model,
        &big.model,
        &floats("input", &input)?,
        &mut now,
    )
    .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "pass", output(c.pass)?)?;
    set(&obj, "naive", output(c.naive)?)?;
    set(&obj, "crops", c.crops as f64)?;
    set(&obj, "window", usizes(&c.window))?;
    set(&obj, "stride", c.stride as f64)?;
    set(&obj, "largestDifference", c.largest_difference)?;
    set(&obj, "passMs", c.pass_ms)?;
    set(&obj, "naiveMs", c.naive_ms)?;
    Ok(obj)
}
