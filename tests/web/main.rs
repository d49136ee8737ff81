//! The JavaScript facade in real browsers: tract inside the wasm module, called the way the page
//! calls it, by week of the course (week1.rs … week4.rs); the helpers below are shared. Run by
//! `wasm-pack test --headless --chrome` (scripts/test.sh checks that these tests were counted,
//! since browser-only tests are silently skipped under `--node`).
#![cfg(target_arch = "wasm32")]

use cnn_playground::wasm;
use js_sys::{Array, Float32Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../native/common.rs"]
#[macro_use]
mod common;
mod differential;
mod robustness;
mod week1;
mod week2;
mod week3;
mod week4;

/// Lecture 02's 6x6 image and vertical-edge output (course notes, "Edge Detection Example").
const IMAGE: [f32; 36] = [
    3., 0., 1., 2., 7., 4., 1., 5., 8., 9., 3., 1., 2., 7., 2., 5., 1., 3., 0., 1., 3., 1., 7., 8.,
    4., 2., 1., 6., 2., 8., 2., 4., 5., 2., 3., 9.,
];
const EXPECTED: [f32; 16] = [
    -5., -4., 0., 8., -10., -2., 2., 3., 0., -2., -4., -7., -3., -2., -3., -16.,
];
const VERTICAL: [f32; 9] = [1., 0., -1., 1., 0., -1., 1., 0., -1.];
/// Lecture 09's max-pooling input.
const POOL_INPUT: [f32; 16] = [
    1., 3., 2., 1., 2., 9., 1., 1., 1., 3., 2., 3., 5., 6., 1., 2.,
];

fn f32s(v: &[f32]) -> JsValue {
    Float32Array::from(v).into()
}

fn u8s(v: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(v).into()
}

fn shape(dims: &[u32]) -> JsValue {
    dims.iter()
        .map(|&d| JsValue::from(d))
        .collect::<Array>()
        .into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap()
}

fn data(obj: &JsValue) -> Vec<f32> {
    get(obj, "data")
        .dyn_into::<Float32Array>()
        .unwrap()
        .to_vec()
}

fn shape_of(obj: &JsValue) -> Vec<f64> {
    Array::from(&get(obj, "shape"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// The `Error` message a failed call throws.
fn message(result: Result<impl std::fmt::Debug, wasm_bindgen::JsError>) -> String {
    let err: JsValue = result.unwrap_err().into();
    err.dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .into()
}

/// A JS options object from `(key, value)` pairs.
fn opts(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&obj, &(*k).into(), v).unwrap();
    }
    obj.into()
}

/// Options for the vertical-edge filter over `input` (meant to be 6x6) with `padding`, `stride`.
fn vertical_options(input: JsValue, padding: JsValue, stride: u32) -> JsValue {
    opts(&[
        ("input", input),
        ("inputShape", shape(&[1, 6, 6])),
        ("weight", f32s(&VERTICAL)),
        ("weightShape", shape(&[1, 1, 3, 3])),
        ("padding", padding),
        ("stride", stride.into()),
    ])
}

fn vertical_conv(
    input: JsValue,
    padding: JsValue,
    stride: u32,
) -> Result<JsValue, wasm_bindgen::JsError> {
    wasm::conv(vertical_options(input, padding, stride))
}

fn course_conv(padding: JsValue, stride: u32) -> Result<JsValue, wasm_bindgen::JsError> {
    vertical_conv(f32s(&IMAGE), padding, stride)
}

fn numbers_of(v: &JsValue) -> Vec<f64> {
    Array::from(v).iter().map(|v| v.as_f64().unwrap()).collect()
}

fn u32s(v: &JsValue) -> Vec<u32> {
    v.clone()
        .dyn_into::<js_sys::Uint32Array>()
        .unwrap()
        .to_vec()
}
