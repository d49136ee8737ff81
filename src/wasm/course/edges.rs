//! The edge lab's frame in one call ([`crate::course::edges`]).

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::core::ops::PoolMode;
use crate::wasm::convert::*;
use crate::wasm::{core_error, with_engine, JsResult};

/// The edge lab's frame in one call: the grey image of `rgba` (`Uint8ClampedArray` from a canvas)
/// or of `grey` (a `[1, height, width]` `Float32Array`), `width`, `height`, convolved by tract
/// with the `f × f` `kernel` (valid), optionally pooled (`pool`: `"max"` or `"avg"` with a 2x2
/// window at stride 2; default none) and coloured (`absolute`, default false).
///
/// Returns `{ rgba: Uint8ClampedArray, shape: [1, h'', w''], convShape: [1, h', w'], scale, min,
/// max }`: the drawn map, its shape after pooling, the convolution's shape, and the colour scale.
#[wasm_bindgen(js_name = edgeMap)]
pub fn edge_map(options: JsValue) -> JsResult<JsValue> {
    use crate::course::edges::{self, EdgeInput};
    options_object(&options, "edgeMap")?;
    let width = whole("width", &field(&options, "width"))?;
    let height = whole("height", &field(&options, "height"))?;
    let kernel = floats("kernel", &field(&options, "kernel"))?;
    let absolute = field(&options, "absolute").is_truthy();
    let pool = match field(&options, "pool") {
        v if is_missing(&v) || v.as_string().as_deref() == Some("none") => None,
        v => Some(
            PoolMode::parse(&v.as_string().unwrap_or_else(|| type_name(&v))).map_err(core_error)?,
        ),
    };
    let rgba = field(&options, "rgba");
    let (grey, bytes);
    let input = if is_missing(&rgba) {
        grey = floats("grey", &field(&options, "grey"))?;
        EdgeInput::Grey(&grey)
    } else {
        bytes = rgba
            .dyn_ref::<js_sys::Uint8ClampedArray>()
            .map(|a| a.to_vec())
            .or_else(|| rgba.dyn_ref::<js_sys::Uint8Array>().map(|a| a.to_vec()))
            .ok_or_else(|| {
                JsError::new(&format!(
                    "rgba must be a Uint8ClampedArray or Uint8Array, got {}",
                    type_name(&rgba)
                ))
            })?;
        EdgeInput::Rgba(&bytes)
    };
    let map = with_engine(|e| edges::edge_map(e, input, width, height, &kernel, absolute, pool))?;
    let obj = Object::new();
    set(
        &obj,
        "rgba",
        js_sys::Uint8ClampedArray::from(map.heatmap.rgba.as_slice()),
    )?;
    set(&obj, "shape", usizes(&map.shape))?;
    set(&obj, "convShape", usizes(&map.conv_shape))?;
    set(&obj, "scale", map.heatmap.scale)?;
    set(&obj, "min", map.heatmap.min)?;
    set(&obj, "max", map.heatmap.max)?;
    Ok(obj.into())
}
