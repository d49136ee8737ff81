//! Generated signals, volumes, activations and the 1D/3D filters ([`crate::course::samples`]).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::course::samples;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// A synthetic heartbeat trace of `n` samples (two beats in 14 samples): `Float32Array`.
#[wasm_bindgen(js_name = heartbeat)]
pub fn heartbeat(n: JsValue) -> JsResult<Float32Array> {
    let data = samples::heartbeat(whole("n", &n)?).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// An `n × n × n` volume (depth, height, width) holding a ball of ones: `Float32Array`.
#[wasm_bindgen(js_name = ballVolume)]
pub fn ball_volume(n: JsValue) -> JsResult<Float32Array> {
    let data = samples::ball(whole("n", &n)?).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// `c·h·w` fixed pseudo-random activations in 0..10, `[c, h, w]` row-major: `Float32Array`.
#[wasm_bindgen(js_name = activations)]
pub fn activations(c: JsValue, h: JsValue, w: JsValue) -> JsResult<Float32Array> {
    let data = samples::activations(whole("c", &c)?, whole("h", &h)?, whole("w", &w)?)
        .map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// The 1D (`dims = 1`) or 3D (`dims = 3`) filters: `[{ name, label, shape, weights }]`.
#[wasm_bindgen(js_name = ndFilters)]
pub fn nd_filters(dims: JsValue) -> JsResult<Array> {
    let list = match whole("dims", &dims)? {
        1 => samples::FILTERS_1D,
        3 => samples::FILTERS_3D,
        other => {
            return Err(JsError::new(&format!(
                "dims must be 1 or 3 (2D filters come from filters()), got {other}"
            )))
        }
    };
    let out = Array::new();
    for f in list {
        let obj = Object::new();
        set(&obj, "name", f.name)?;
        set(&obj, "label", f.label)?;
        set(&obj, "shape", usizes(f.shape))?;
        let weights = samples::nd_filter(f.name).map_err(core_error)?;
        set(&obj, "weights", Float32Array::from(weights.as_slice()))?;
        out.push(&obj);
    }
    Ok(out)
}

/// A picture (`width × height` RGBA bytes) as the input of a model whose input is `shape` `[1, c,
/// h, w]` (values 0..1, resized; one channel is the luma): what the model explorer runs a model on
/// when the learner picks a photo or an image of their own.
#[wasm_bindgen(js_name = modelInputFromImage)]
pub fn model_input_from_image(
    rgba: JsValue,
    width: JsValue,
    height: JsValue,
    shape: JsValue,
) -> JsResult<Float32Array> {
    let shape = crate::wasm::convert::shape::<4>("shape", &shape, "[1, c, h, w]")?;
    let data = samples::model_input_from_rgba(
        &bytes("rgba", &rgba)?,
        whole("width", &width)?,
        whole("height", &height)?,
        shape,
    )
    .map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// A sample input for a model whose input is `shape` `[1, c, h, w]` (values 0..1): for one
/// channel a generated circle, for three a generated shapes scene resized to `h × w`. What the
/// model explorer runs a model on before the user picks anything.
#[wasm_bindgen(js_name = sampleInput)]
pub fn sample_input(shape: JsValue) -> JsResult<Float32Array> {
    let shape = crate::wasm::convert::shape::<4>("shape", &shape, "[1, c, h, w]")?;
    let data = samples::model_input(shape).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}
