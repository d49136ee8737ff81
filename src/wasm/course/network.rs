//! Shapes and parameters of a stack of layers ([`crate::course::network`]).

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::ops::PoolMode;
use crate::course::network;
use crate::course::network::Layer;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

fn layer(i: usize, v: &JsValue) -> JsResult<Layer> {
    let name = |key: &str| format!("layers[{i}].{key}");
    let num = |key: &str| whole(&name(key), &field(v, key));
    let kind = field(v, "type").as_string().unwrap_or_default();
    Ok(match kind.as_str() {
        "conv" => Layer::Conv {
            f: num("f")?,
            stride: num("s")?,
            padding: num("p")?,
            filters: num("filters")?,
        },
        "pool" => {
            let mode = field(v, "mode").as_string().unwrap_or_else(|| "max".into());
            Layer::Pool {
                mode: PoolMode::parse(&mode).map_err(core_error)?,
                f: num("f")?,
                stride: num("s")?,
            }
        }
        "flatten" => Layer::Flatten,
        "dense" => Layer::Dense {
            units: num("units")?,
        },
        other => {
            return Err(JsError::new(&format!(
            "layers[{i}].type must be \"conv\", \"pool\", \"flatten\" or \"dense\", got {other:?}"
        )))
        }
    })
}

/// Activation shapes and parameter counts of a stack of layers on an input `[c, h, w]`.
///
/// `layers` is an array of `{type: "conv", f, s, p, filters}`, `{type: "pool", mode, f, s}`,
/// `{type: "flatten"}` or `{type: "dense", units}`. Returns `{ layers: [{ output: number[], params
/// }], totalParams }`, one entry per layer; conv parameters are `(f·f·c + 1)·filters`, dense
/// `(n + 1)·units`.
#[wasm_bindgen(js_name = networkShapes)]
pub fn network_shapes(input_shape: JsValue, layers: JsValue) -> JsResult<JsValue> {
    let input = shape("inputShape", &input_shape, "[c, h, w]")?;
    if !Array::is_array(&layers) {
        return Err(JsError::new(&format!(
            "layers must be an array, got {}",
            type_name(&layers)
        )));
    }
    let parsed = items("layers", &layers)?
        .iter()
        .enumerate()
        .map(|(i, v)| layer(i, v))
        .collect::<JsResult<Vec<_>>>()?;
    let steps = network::shapes(input, &parsed).map_err(core_error)?;
    let total = network::total_params(&steps).map_err(core_error)?;
    let list = Array::new();
    for step in steps {
        let obj = Object::new();
        set(
            &obj,
            "output",
            numbers(step.output.iter().map(|&d| d as f64)),
        )?;
        set(&obj, "params", step.params as f64)?;
        list.push(&obj);
    }
    let result = Object::new();
    set(&result, "layers", list)?;
    set(&result, "totalParams", total as f64)?;
    Ok(result.into())
}

/// Parameters of a fully connected layer between activations `from` and `to` (`[c, h, w]`):
/// `(c·h·w + 1)·(c'·h'·w')` — lecture 11's comparison with a convolution.
#[wasm_bindgen(js_name = denseParamsBetween)]
pub fn dense_params_between(from: JsValue, to: JsValue) -> JsResult<f64> {
    let from = shape("from", &from, "[c, h, w]")?;
    let to = shape("to", &to, "[c, h, w]")?;
    network::dense_params_between(from, to)
        .map(|n| n as f64)
        .map_err(core_error)
}
