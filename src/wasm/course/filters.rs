//! The course's named edge filters ([`crate::course::filters`]).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::course::filters;
use crate::wasm::convert::*;
use crate::wasm::JsResult;

/// The named filters: `[{ name, label, size, weights: Float32Array }]` (row-major `size × size`).
#[wasm_bindgen(js_name = filters)]
pub fn filter_list() -> JsResult<Array> {
    let list = Array::new();
    for f in filters::FILTERS {
        let obj = Object::new();
        set(&obj, "name", f.name)?;
        set(&obj, "label", f.label)?;
        set(&obj, "size", f.size as f64)?;
        set(&obj, "weights", Float32Array::from(f.weights))?;
        list.push(&obj);
    }
    Ok(list)
}
