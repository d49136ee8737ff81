//! Digits for LeNet-5: drawings, held-out sets ([`crate::course::digits`]).

use js_sys::{Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// A drawing (`width × height` RGBA) → `{ digit: Float32Array (8x8, 0..16), input: Float32Array
/// [1, 32, 32], inkSide, tooSmall }` for LeNet-5, as scikit-learn's digits look (see
/// `digits::read_drawing`), or `null` for a blank canvas. `tooSmall`: the ink spans less than a
/// sixth of the canvas (`inkSide` pixels), too little to be read as a digit.
#[wasm_bindgen(js_name = digitFromDrawing)]
pub fn digit_from_drawing(rgba: JsValue, width: JsValue, height: JsValue) -> JsResult<JsValue> {
    let Some(drawing) = crate::course::digits::read_drawing(
        &bytes("rgba", &rgba)?,
        whole("width", &width)?,
        whole("height", &height)?,
    )
    .map_err(core_error)?
    else {
        return Ok(JsValue::NULL);
    };
    let input = crate::course::digits::lenet_input(&drawing.digit).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "digit", Float32Array::from(drawing.digit.as_slice()))?;
    set(&obj, "input", Float32Array::from(input.as_slice()))?;
    set(&obj, "inkSide", drawing.ink_side as f64)?;
    set(&obj, "tooSmall", drawing.too_small)?;
    Ok(obj.into())
}

/// An 8x8 digit (64 values, 0..16, as scikit-learn's) → LeNet-5's `[1, 32, 32]` input in 0..1.
#[wasm_bindgen(js_name = lenetInput)]
pub fn lenet_input(digit: JsValue) -> JsResult<Float32Array> {
    let input =
        crate::course::digits::lenet_input(&floats("digit", &digit)?).map_err(core_error)?;
    Ok(Float32Array::from(input.as_slice()))
}

/// A digit set file (`digits-heldout.bin`, see `digits::parse_digit_set`) → `{ count, labels:
/// Uint8Array, digits: Float32Array (count × 64, 0..16), inputs: Float32Array (count × [1, 32,
/// 32], LeNet-5's input) }`.
#[wasm_bindgen(js_name = digitSet)]
pub fn digit_set(file: JsValue) -> JsResult<js_sys::Object> {
    let d = crate::course::digits::digit_set(&bytes("file", &file)?).map_err(core_error)?;
    let obj = js_sys::Object::new();
    set(&obj, "count", d.labels.len() as f64)?;
    set(
        &obj,
        "labels",
        js_sys::Uint8Array::from(d.labels.as_slice()),
    )?;
    set(&obj, "digits", Float32Array::from(d.digits.as_slice()))?;
    set(&obj, "inputs", Float32Array::from(d.inputs.as_slice()))?;
    Ok(obj)
}
