//! Lectures 25-26's comparison ([`crate::course::sliding`]): the naive loop over crops against the
//! one convolutional pass; lecture 32's region proposals ([`crate::course::proposals`]), which
//! classify a few regions instead of every window.

use js_sys::{Array, Float32Array, Function, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::course::{proposals, sliding};
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

/// Lecture 32's region proposals ([`crate::course::proposals::propose`]) on an RGB `[3, height,
/// width]` image with `classifier` (lecture 26's network at its window, input `[1, 3, n, n]`):
/// `{ background: [r, g, b], labels: Uint32Array (one per pixel: 0 background, k + 1 blob k),
/// blobs: [{ box: [x1, y1, x2, y2], pixels }], proposals: [{ region: [x1, y1, x2, y2],
/// probabilities: Float32Array, class }], ms }` (boxes and regions in pixels; `ms` for the whole
/// pipeline, segmentation included).
#[wasm_bindgen(js_name = regionProposals)]
pub fn region_proposals(
    classifier: &JsModel,
    image: JsValue,
    height: JsValue,
    width: JsValue,
) -> JsResult<Object> {
    let image = floats("image", &image)?;
    let (h, w) = (whole("height", &height)?, whole("width", &width)?);
    let t0 = now();
    let (segmentation, proposals) =
        proposals::propose(&classifier.model, &image, [h, w]).map_err(core_error)?;
    let ms = now() - t0;
    let obj = Object::new();
    set(
        &obj,
        "background",
        numbers(segmentation.background.map(f64::from)),
    )?;
    set(
        &obj,
        "labels",
        Uint32Array::from(segmentation.labels.as_slice()),
    )?;
    let blobs = Array::new();
    for b in &segmentation.blobs {
        let o = Object::new();
        set(&o, "box", usizes(&b.bbox))?;
        set(&o, "pixels", b.pixels as f64)?;
        blobs.push(&o);
    }
    set(&obj, "blobs", blobs)?;
    let list = Array::new();
    for p in &proposals {
        let o = Object::new();
        set(&o, "region", numbers(p.region.map(f64::from)))?;
        set(
            &o,
            "probabilities",
            Float32Array::from(p.probabilities.as_slice()),
        )?;
        set(&o, "class", p.class as f64)?;
        list.push(&o);
    }
    set(&obj, "proposals", list)?;
    set(&obj, "ms", ms)?;
    Ok(obj)
}
