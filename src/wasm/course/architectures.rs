//! The classic architectures, the bottleneck and the residual block
//! ([`crate::course::architectures`]).

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::engine;
use crate::wasm::convert::*;
use crate::wasm::core::engine::layer_list;
use crate::wasm::{core_error, with_engine, JsResult};

/// The classic architectures: `[{ name, label }]` (LeNet-5, AlexNet, VGG-16, ResNet-34, an
/// Inception module, GoogLeNet).
#[wasm_bindgen(js_name = architectures)]
pub fn architectures() -> JsResult<Array> {
    let list = Array::new();
    for (name, label) in crate::course::architectures::ARCHITECTURES {
        let obj = Object::new();
        set(&obj, "name", *name)?;
        set(&obj, "label", *label)?;
        list.push(&obj);
    }
    Ok(list)
}

/// Architecture `name` built as an ONNX graph whose weights are declared by shape only, analysed
/// by tract: its layer table as `Model.layers()` gives it, without allocating the weights.
#[wasm_bindgen(js_name = analyseArchitecture)]
pub fn analyse_architecture(name: JsValue) -> JsResult<Array> {
    let Some(name) = name.as_string() else {
        return Err(JsError::new("name must be a string"));
    };
    let bytes = crate::course::architectures::build(&name).map_err(core_error)?;
    layer_list(&engine::analyse(&bytes).map_err(core_error)?)
}

/// Lecture 17's cost of a same `f × f` convolution to `filters` channels on `h × w × cIn`, direct
/// or through a 1×1 bottleneck of `reduce` channels: `{ direct, reduce, conv, total }`
/// multiplications.
#[wasm_bindgen(js_name = bottleneckCost)]
pub fn bottleneck_cost(
    h: JsValue,
    w: JsValue,
    c_in: JsValue,
    f: JsValue,
    filters: JsValue,
    reduce: JsValue,
) -> JsResult<JsValue> {
    let cost = crate::course::network::bottleneck_cost(
        crate::wasm::convert::whole("h", &h)?,
        crate::wasm::convert::whole("w", &w)?,
        crate::wasm::convert::whole("cIn", &c_in)?,
        crate::wasm::convert::whole("f", &f)?,
        crate::wasm::convert::whole("filters", &filters)?,
        crate::wasm::convert::whole("reduce", &reduce)?,
    )
    .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "direct", cost.direct as f64)?;
    set(&obj, "reduce", cost.reduce as f64)?;
    set(&obj, "conv", cost.conv as f64)?;
    set(&obj, "total", cost.total as f64)?;
    Ok(obj.into())
}

/// Lecture 15's residual block run by tract on `input` (`[1, c, h, w]` given by `shape`) with its
/// weights scaled by `scale` (0: the block is the identity): `{ shape, data }` of `a[l+2]`.
#[wasm_bindgen(js_name = residualBlock)]
pub fn residual_block(input: JsValue, shape: JsValue, scale: JsValue) -> JsResult<JsValue> {
    let [n, c, h, w] = crate::wasm::convert::shape::<4>("shape", &shape, "[1, c, h, w]")?;
    let input = floats("input", &input)?;
    let scale = crate::wasm::convert::number("scale", &scale)?;
    let bytes = crate::course::architectures::residual_block(c, h, w, scale).map_err(core_error)?;
    output(with_engine(|e| e.run(&bytes, &input, &[n, c, h, w]))?)
}
