//! The JavaScript facade in real Chromium: tract inside the wasm module, called the way the page
//! calls it. Run by `wasm-pack test --headless --chrome` (scripts/test.sh checks that these tests
//! were counted, since browser-only tests are silently skipped under `--node`).
#![cfg(target_arch = "wasm32")]

use cnn_playground::wasm;
use js_sys::{Array, Float32Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

/// `conv2d` of the vertical-edge filter over `input` (meant to be 6x6) with `padding`, `stride`.
fn vertical_conv(
    input: JsValue,
    padding: JsValue,
    stride: u32,
) -> Result<JsValue, wasm_bindgen::JsError> {
    wasm::conv2d(
        input,
        shape(&[1, 6, 6]),
        f32s(&VERTICAL),
        shape(&[1, 1, 3, 3]),
        JsValue::NULL,
        padding,
        stride.into(),
    )
}

fn course_conv(padding: JsValue, stride: u32) -> Result<JsValue, wasm_bindgen::JsError> {
    vertical_conv(f32s(&IMAGE), padding, stride)
}

#[wasm_bindgen_test]
fn tract_computes_the_course_example_in_the_browser() {
    let out = course_conv(0.into(), 1).unwrap();
    assert_eq!(shape_of(&out), vec![1., 4., 4.]);
    assert_eq!(data(&out), EXPECTED);
}

#[wasm_bindgen_test]
fn reference_agrees_and_plain_arrays_are_accepted() {
    let image: Array = IMAGE.iter().map(|&v| JsValue::from(v)).collect();
    let out = wasm::conv2d_reference(
        image.into(),
        Float32Array::from(&[1f32, 6., 6.][..]).into(),
        f32s(&VERTICAL),
        shape(&[1, 1, 3, 3]),
        JsValue::UNDEFINED,
        "valid".into(),
        1.into(),
    )
    .unwrap();
    assert_eq!(data(&out), EXPECTED);
}

#[wasm_bindgen_test]
fn explain_conv_traces_a_cell() {
    let t = wasm::explain_conv(
        f32s(&IMAGE),
        shape(&[1, 6, 6]),
        f32s(&VERTICAL),
        shape(&[1, 1, 3, 3]),
        1.into(),
        1.into(),
        0.into(),
        0.into(),
    )
    .unwrap();
    let window = get(&t, "window");
    assert_eq!(get(&window, "top").as_f64(), Some(-1.0));
    let filter = Array::from(&get(&t, "filters")).get(0);
    assert_eq!(get(&filter, "sum").as_f64(), Some(-5.0));
    let first = Array::from(&get(&filter, "terms")).get(0);
    assert_eq!(get(&first, "padding").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn pooling_and_geometry() {
    let out = wasm::pool2d(
        f32s(&POOL_INPUT),
        shape(&[1, 4, 4]),
        "max".into(),
        2.into(),
        2.into(),
    )
    .unwrap();
    assert_eq!(data(&out), [9., 2., 6., 3.]);
    assert_eq!(
        wasm::output_size(7.into(), 3.into(), 0.into(), 2.into()).unwrap(),
        3.0
    );
}

#[wasm_bindgen_test]
fn bad_arguments_throw_errors_and_the_module_keeps_working() {
    assert_eq!(
        message(course_conv(0.into(), 0)),
        "stride must be at least 1, got 0"
    );
    assert_eq!(
        message(course_conv(JsValue::from("full"), 1)),
        "padding must be \"valid\", \"same\" or a whole number, got \"full\""
    );
    assert_eq!(
        message(course_conv(JsValue::from(1.5), 1)),
        "padding must be a whole number ≥ 0, got 1.5"
    );
    let mut nan = IMAGE;
    nan[3] = f32::NAN;
    let err = vertical_conv(f32s(&nan), 0.into(), 1);
    assert_eq!(
        message(err),
        "input value at index 3 is NaN (only finite numbers are allowed)"
    );
    let err = vertical_conv(f32s(&IMAGE[..35]), 0.into(), 1);
    assert_eq!(
        message(err),
        "input has 35 values but shape [1, 6, 6] needs 36"
    );
    let err = vertical_conv(JsValue::from("pixels"), 0.into(), 1);
    assert_eq!(
        message(err),
        "input must be a Float32Array or an array of numbers, got string"
    );
    assert_eq!(
        message(wasm::pool2d(
            f32s(&IMAGE),
            shape(&[1, 6, 6]),
            "median".into(),
            2.into(),
            2.into()
        )),
        "unknown pooling mode \"median\": use \"max\" or \"avg\""
    );
    assert_eq!(
        message(wasm::output_size(2.into(), 5.into(), 1.into(), 1.into())),
        "kernel 5 larger than padded input 4 (input 2 + padding 1 + 1)"
    );
    // After all of that, tract still answers.
    assert_eq!(data(&course_conv(0.into(), 1).unwrap()), EXPECTED);
}

#[wasm_bindgen_test]
fn filters_explain_pool_formula_and_plan_cache() {
    let list = wasm::filter_list().unwrap();
    let first = list.get(0);
    assert_eq!(get(&first, "name").as_string().as_deref(), Some("vertical"));
    assert_eq!(
        get(&first, "weights")
            .dyn_into::<Float32Array>()
            .unwrap()
            .to_vec(),
        VERTICAL
    );

    let t = wasm::explain_pool(
        f32s(&POOL_INPUT),
        shape(&[1, 4, 4]),
        "max".into(),
        2.into(),
        2.into(),
        0.into(),
        1.into(),
        0.into(),
    )
    .unwrap();
    assert_eq!(get(&t, "output").as_f64(), Some(6.0));
    let argmax: Vec<f64> = Array::from(&get(&t, "argmax"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(argmax, [3.0, 1.0]);

    assert_eq!(wasm::same_padding(5.into()).unwrap(), 2.0);
    assert_eq!(
        wasm::output_size_formula(6.into(), 3.into(), 0.into(), 1.into()).unwrap(),
        "⌊(6 + 2·0 − 3) / 1⌋ + 1 = ⌊3 / 1⌋ + 1 = 4"
    );
    assert_eq!(
        wasm::max_abs_diff(f32s(&[1., 2.]), f32s(&[1., 2.5])).unwrap(),
        0.5
    );

    // New pixels through the same layer reuse the cached tract plan.
    course_conv(0.into(), 1).unwrap();
    let before = wasm::cached_plans().unwrap();
    let dark: Vec<f32> = IMAGE.iter().map(|v| v * 0.5).collect();
    let out = vertical_conv(f32s(&dark), 0.into(), 1).unwrap();
    assert_eq!(data(&out)[0], -2.5);
    assert_eq!(wasm::cached_plans().unwrap(), before);
}

#[wasm_bindgen_test]
fn network_shapes_from_js_layer_objects() {
    let layers = js_sys::JSON::parse(
        r#"[{"type":"conv","f":3,"s":1,"p":0,"filters":10},
            {"type":"conv","f":5,"s":2,"p":0,"filters":20},
            {"type":"conv","f":5,"s":2,"p":0,"filters":40},
            {"type":"flatten"}]"#,
    )
    .unwrap();
    let result = wasm::network_shapes(shape(&[3, 39, 39]), layers).unwrap();
    let steps = Array::from(&get(&result, "layers"));
    let last: Vec<f64> = Array::from(&get(&steps.get(3), "output"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(last, [1960.0]);
    assert_eq!(get(&steps.get(0), "params").as_f64(), Some(280.0));
    assert_eq!(
        get(&result, "totalParams").as_f64(),
        Some(280.0 + 5020.0 + 20040.0)
    );
    assert_eq!(
        wasm::dense_params_between(shape(&[3, 32, 32]), shape(&[6, 28, 28])).unwrap(),
        14_455_392.0
    );

    let bad = js_sys::JSON::parse(r#"[{"type":"lstm"}]"#).unwrap();
    assert_eq!(
        message(wasm::network_shapes(shape(&[3, 8, 8]), bad)),
        "layers[0].type must be \"conv\", \"pool\", \"flatten\" or \"dense\", got \"lstm\""
    );
    let missing = js_sys::JSON::parse(r#"[{"type":"dense"}]"#).unwrap();
    assert_eq!(
        message(wasm::network_shapes(shape(&[3, 8, 8]), missing)),
        "layers[0].units must be a number, got undefined"
    );
}
