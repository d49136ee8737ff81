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

#[wasm_bindgen_test]
fn lecture_02_tract_computes_the_course_example_in_the_browser() {
    let out = course_conv(0.into(), 1).unwrap();
    assert_eq!(shape_of(&out), vec![1., 4., 4.]);
    assert_eq!(data(&out), EXPECTED);
}

#[wasm_bindgen_test]
fn lecture_03_bright_left_gives_30_and_flipped_gives_minus_30() {
    let halves =
        |l: f32, r: f32| -> Vec<f32> { (0..36).map(|i| if i % 6 < 3 { l } else { r }).collect() };
    let out = vertical_conv(f32s(&halves(10., 0.)), 0.into(), 1).unwrap();
    assert_eq!(data(&out), [0., 30., 30., 0.].repeat(4));
    let out = vertical_conv(f32s(&halves(0., 10.)), 0.into(), 1).unwrap();
    assert_eq!(data(&out), [0., -30., -30., 0.].repeat(4));
}

#[wasm_bindgen_test]
fn lecture_04_same_padding_keeps_6x6_and_p1_equals_same() {
    let same = course_conv("same".into(), 1).unwrap();
    assert_eq!(shape_of(&same), vec![1., 6., 6.]);
    let p1 = course_conv(1.into(), 1).unwrap();
    assert_eq!(data(&same), data(&p1));
    // The top-left output sees only the 2x2 corner of the input: 3·0 + 0·-1 + 1·0 + 5·-1 = -5,
    // with the left column of the window in the padding.
    assert_eq!(data(&p1)[0], -5.0);
    assert_eq!(wasm::same_padding(3.into()).unwrap(), 1.0);
}

#[wasm_bindgen_test]
fn lecture_05_stride_2_on_7x7_gives_3x3() {
    let image: Vec<f32> = (0..49).map(|i| (i % 10) as f32).collect();
    let out = wasm::conv(opts(&[
        ("input", f32s(&image)),
        ("inputShape", shape(&[1, 7, 7])),
        ("weight", f32s(&VERTICAL)),
        ("weightShape", shape(&[1, 1, 3, 3])),
        ("stride", 2.into()),
    ]))
    .unwrap();
    assert_eq!(shape_of(&out), vec![1., 3., 3.]);
    let reference = wasm::conv_reference(opts(&[
        ("input", f32s(&image)),
        ("inputShape", shape(&[1, 7, 7])),
        ("weight", f32s(&VERTICAL)),
        ("weightShape", shape(&[1, 1, 3, 3])),
        ("stride", 2.into()),
    ]))
    .unwrap();
    assert_eq!(data(&out), data(&reference));
    assert_eq!(
        wasm::output_size(7.into(), 3.into(), 0.into(), 2.into()).unwrap(),
        3.0
    );
}

/// Lecture 06/07: a 6x6x3 input whose three channels are the lecture 02 image, 2x it and 3x it.
fn volume() -> Vec<f32> {
    [1.0f32, 2.0, 3.0]
        .iter()
        .flat_map(|m| IMAGE.iter().map(move |v| v * m))
        .collect()
}

#[wasm_bindgen_test]
fn lecture_06_volume_one_channel_all_channels_and_two_filters() {
    // Filter 1: the vertical edge on the red channel only; filter 2: on all three channels.
    let zeros = [0f32; 9];
    let mut weight = Vec::new();
    weight.extend(VERTICAL);
    weight.extend(zeros);
    weight.extend(zeros);
    for _ in 0..3 {
        weight.extend(VERTICAL);
    }
    let out = wasm::conv(opts(&[
        ("input", f32s(&volume())),
        ("inputShape", shape(&[3, 6, 6])),
        ("weight", f32s(&weight)),
        ("weightShape", shape(&[2, 3, 3, 3])),
    ]))
    .unwrap();
    assert_eq!(shape_of(&out), vec![2., 4., 4.]);
    let d = data(&out);
    assert_eq!(d[..16], EXPECTED);
    let six: Vec<f32> = EXPECTED.iter().map(|v| v * 6.0).collect();
    assert_eq!(d[16..], six[..]);
}

#[wasm_bindgen_test]
fn lecture_07_one_layer_adds_bias_and_relu() {
    let weight: Vec<f32> = (0..3).flat_map(|_| VERTICAL).collect();
    let options = opts(&[
        ("input", f32s(&volume())),
        ("inputShape", shape(&[3, 6, 6])),
        ("weight", f32s(&weight)),
        ("weightShape", shape(&[1, 3, 3, 3])),
        ("bias", f32s(&[12.0])),
        ("relu", true.into()),
    ]);
    let out = wasm::conv(options.clone()).unwrap();
    let expected: Vec<f32> = EXPECTED.iter().map(|v| (6.0 * v + 12.0).max(0.0)).collect();
    assert_eq!(data(&out), expected);
    let t = wasm::explain_conv(options, shape(&[0, 0])).unwrap();
    let filter = Array::from(&get(&t, "filters")).get(0);
    assert_eq!(get(&filter, "sum").as_f64(), Some(-18.0));
    assert_eq!(get(&filter, "output").as_f64(), Some(0.0));
    assert_eq!(Array::from(&get(&filter, "terms")).length(), 27);
    // Ten 3x3x3 filters: (3·3·3 + 1)·10 = 280 parameters, whatever the image size.
    for side in [6, 64, 1000] {
        let layers =
            js_sys::JSON::parse(r#"[{"type":"conv","f":3,"s":1,"p":0,"filters":10}]"#).unwrap();
        let result = wasm::network_shapes(shape(&[3, side, side]), layers).unwrap();
        assert_eq!(get(&result, "totalParams").as_f64(), Some(280.0));
    }
}

#[wasm_bindgen_test]
fn reference_agrees_and_plain_arrays_are_accepted() {
    let image: Array = IMAGE.iter().map(|&v| JsValue::from(v)).collect();
    let out = wasm::conv_reference(opts(&[
        ("input", image.into()),
        ("inputShape", Float32Array::from(&[1f32, 6., 6.][..]).into()),
        ("weight", f32s(&VERTICAL)),
        ("weightShape", shape(&[1, 1, 3, 3])),
        ("padding", "valid".into()),
    ]))
    .unwrap();
    assert_eq!(data(&out), EXPECTED);
}

#[wasm_bindgen_test]
fn explain_conv_traces_a_cell() {
    let t =
        wasm::explain_conv(vertical_options(f32s(&IMAGE), 1.into(), 1), shape(&[0, 0])).unwrap();
    let window = get(&t, "window");
    assert_eq!(numbers_of(&get(&window, "start")), [-1.0, -1.0]);
    assert_eq!(numbers_of(&get(&window, "size")), [3.0, 3.0]);
    let filter = Array::from(&get(&t, "filters")).get(0);
    assert_eq!(get(&filter, "sum").as_f64(), Some(-5.0));
    let first = Array::from(&get(&filter, "terms")).get(0);
    assert_eq!(get(&first, "padding").as_bool(), Some(true));
    assert_eq!(numbers_of(&get(&first, "at")), [-1.0, -1.0]);
}

fn pool_options(mode: &str, padding: JsValue) -> JsValue {
    opts(&[
        ("input", f32s(&POOL_INPUT)),
        ("inputShape", shape(&[1, 4, 4])),
        ("mode", mode.into()),
        ("size", 2.into()),
        ("padding", padding),
    ])
}

#[wasm_bindgen_test]
fn lecture_09_pooling_padding_and_global_average() {
    let out = wasm::pool(pool_options("max", JsValue::UNDEFINED)).unwrap();
    assert_eq!(data(&out), [9., 2., 6., 3.]);
    let avg = wasm::pool(pool_options("avg", JsValue::UNDEFINED)).unwrap();
    assert_eq!(data(&avg), [3.75, 1.25, 3.75, 2.0]);
    // Padding 1 with stride 2: 3x3 windows of which the border ones are partly padding.
    let padded = wasm::pool(pool_options("max", 1.into())).unwrap();
    assert_eq!(shape_of(&padded), vec![1., 3., 3.]);
    assert_eq!(data(&padded), [1., 3., 1., 2., 9., 3., 5., 6., 2.]);
    // Global average pooling, 7x7x1000 → 1x1x1000: each channel's mean.
    let input: Vec<f32> = (0..1000 * 49)
        .map(|i| (i % 49) as f32 + (i / 49) as f32)
        .collect();
    let global = wasm::pool(opts(&[
        ("input", f32s(&input)),
        ("inputShape", shape(&[1000, 7, 7])),
        ("mode", "avg".into()),
        ("size", 7.into()),
    ]))
    .unwrap();
    assert_eq!(shape_of(&global), vec![1000., 1., 1.]);
    let means = data(&global);
    assert_eq!((means[0], means[999]), (24.0, 1023.0));
}

#[wasm_bindgen_test]
fn lecture_43_convolution_in_1d_and_3d() {
    let signal: Vec<f32> = (0..14).map(|i| ((i * 5) % 7) as f32).collect();
    let filter = [1f32, 2., 0., -2., -1.];
    let one_d = |f: fn(JsValue) -> Result<JsValue, wasm_bindgen::JsError>| {
        f(opts(&[
            ("input", f32s(&signal)),
            ("inputShape", shape(&[1, 14])),
            ("weight", f32s(&filter)),
            ("weightShape", shape(&[1, 1, 5])),
        ]))
        .unwrap()
    };
    let out = one_d(wasm::conv);
    assert_eq!(shape_of(&out), vec![1., 10.]);
    assert_eq!(data(&out), data(&one_d(wasm::conv_reference)));
    // y[0] = 0·1 + 5·2 + 3·0 + 1·-2 + 6·-1 = 2
    assert_eq!(data(&out)[0], 2.0);

    let volume: Vec<f32> = (0..14 * 14 * 14).map(|i| ((i * 7) % 11) as f32).collect();
    let cube = [1f32; 125];
    let three_d = |f: fn(JsValue) -> Result<JsValue, wasm_bindgen::JsError>| {
        f(opts(&[
            ("input", f32s(&volume)),
            ("inputShape", shape(&[1, 14, 14, 14])),
            ("weight", f32s(&cube)),
            ("weightShape", shape(&[1, 1, 5, 5, 5])),
        ]))
        .unwrap()
    };
    let out = three_d(wasm::conv);
    assert_eq!(shape_of(&out), vec![1., 10., 10., 10.]);
    assert_eq!(data(&out), data(&three_d(wasm::conv_reference)));
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
        message(wasm::conv(JsValue::from(3))),
        "conv takes one options object, got number"
    );
    assert_eq!(
        message(wasm::conv(opts(&[
            ("input", f32s(&IMAGE)),
            ("inputShape", shape(&[1, 6, 6])),
            ("weight", f32s(&VERTICAL)),
            ("weightShape", shape(&[1, 1, 9])),
        ]))),
        "weight shape [1, 1, 9] must be [k, c, f_h, f_w] for an input of shape [1, 6, 6]"
    );
    assert_eq!(
        message(wasm::pool(pool_options("median", JsValue::UNDEFINED))),
        "unknown pooling mode \"median\": use \"max\" or \"avg\""
    );
    assert_eq!(
        message(wasm::pool(pool_options("max", 2.into()))),
        "pooling padding 2+2 must be smaller than the window 2"
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
        pool_options("max", JsValue::UNDEFINED),
        0.into(),
        shape(&[1, 0]),
    )
    .unwrap();
    assert_eq!(get(&t, "output").as_f64(), Some(6.0));
    assert_eq!(numbers_of(&get(&t, "argmax")), [3.0, 1.0]);
    assert_eq!(Array::from(&get(&t, "values")).length(), 4);

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
fn lectures_08_10_11_network_shapes_from_js_layer_objects() {
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

    // Lecture 10: 32x32x3 → 28x28x6 → 14x14x6 → 10x10x16 → 5x5x16 → 400 → 120 → 84 → 10.
    let lenet = js_sys::JSON::parse(
        r#"[{"type":"conv","f":5,"s":1,"p":0,"filters":6},
            {"type":"pool","mode":"max","f":2,"s":2},
            {"type":"conv","f":5,"s":1,"p":0,"filters":16},
            {"type":"pool","mode":"max","f":2,"s":2},
            {"type":"flatten"},
            {"type":"dense","units":120},
            {"type":"dense","units":84},
            {"type":"dense","units":10}]"#,
    )
    .unwrap();
    let result = wasm::network_shapes(shape(&[3, 32, 32]), lenet).unwrap();
    let outputs: Vec<Vec<f64>> = Array::from(&get(&result, "layers"))
        .iter()
        .map(|step| numbers_of(&get(&step, "output")))
        .collect();
    assert_eq!(
        outputs,
        [
            vec![6., 28., 28.],
            vec![6., 14., 14.],
            vec![16., 10., 10.],
            vec![16., 5., 5.],
            vec![400.],
            vec![120.],
            vec![84.],
            vec![10.],
        ]
    );
    assert_eq!(get(&result, "totalParams").as_f64(), Some(62_006.0));

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

fn u32s(v: &JsValue) -> Vec<u32> {
    v.clone()
        .dyn_into::<js_sys::Uint32Array>()
        .unwrap()
        .to_vec()
}

#[wasm_bindgen_test]
fn lectures_28_29_iou_and_non_max_suppression_in_the_browser() {
    let a = f32s(&[2., 1., 4., 3.]);
    let b = f32s(&[1., 2., 3., 4.]);
    assert_eq!(wasm::iou(a.clone(), b.clone()).unwrap(), 1.0 / 7.0);
    let parts = wasm::iou_parts(a, b).unwrap();
    assert_eq!(get(&parts, "union").as_f64(), Some(7.0));
    assert_eq!(
        wasm::iou(f32s(&[0., 0., 1., 1.]), f32s(&[1., 1., 2., 2.])).unwrap(),
        0.0
    );
    let boxes = f32s(&[
        0., 0., 10., 10., 1., 1., 11., 11., 50., 50., 60., 60., 0., 0., 10., 10.,
    ]);
    let scores = f32s(&[0.7, 0.9, 0.8, f32::NAN]);
    let kept =
        wasm::non_max_suppression(boxes.clone(), scores.clone(), 0.6.into(), 0.5.into()).unwrap();
    assert_eq!(kept.to_vec(), [1, 2]);
    let kept = wasm::non_max_suppression_per_class(
        boxes.clone(),
        scores.clone(),
        shape(&[0, 1, 0, 0]),
        0.6.into(),
        0.5.into(),
    )
    .unwrap();
    assert_eq!(kept.to_vec(), [1, 2, 0]);
    let steps = wasm::nms_steps(boxes, scores, JsValue::NULL, 0.6.into(), 0.5.into()).unwrap();
    assert_eq!(u32s(&get(&steps, "belowThreshold")), [3]);
    let first = Array::from(&get(&steps, "steps")).get(0);
    let gone = Array::from(&get(&first, "suppressed")).get(0);
    assert_eq!(get(&gone, "index").as_f64(), Some(0.0));
    assert_eq!(
        message(wasm::non_max_suppression(
            f32s(&[0., 0., 1.]),
            f32s(&[0.5]),
            0.5.into(),
            0.5.into()
        )),
        "boxes must hold 4 numbers per box (x1, y1, x2, y2), got 3 numbers"
    );
    assert_eq!(
        message(wasm::iou(f32s(&[2., 0., 1., 1.]), f32s(&[0., 0., 1., 1.]))),
        "box (2, 0, 1, 1) has x2 < x1 or y2 < y1"
    );
}

#[wasm_bindgen_test]
fn lectures_23_27_30_31_targets_and_decoding_in_the_browser() {
    let y = wasm::localization_target(f32s(&[0.3, 0.6, 0.7, 0.9]), 1.into(), 3.into()).unwrap();
    assert_eq!(y.length(), 8);
    assert_eq!(y.get(0).as_f64(), Some(1.0));
    let none = wasm::localization_target(JsValue::NULL, 0.into(), 3.into()).unwrap();
    assert!(none.get(1).is_null());
    let loss = wasm::localization_loss(f32s(&[0.5; 8]), none.into()).unwrap();
    assert_eq!(loss, 0.25);

    let options = js_sys::JSON::parse(
        r#"{"grid": 3, "anchors": [[0.5, 1.5], [1.5, 0.5]], "classes": 3,
            "objects": [{"box": [0.425, 0.275, 0.575, 0.725], "class": 0},
                        {"box": [0.295, 0.445, 0.745, 0.595], "class": 1}]}"#,
    )
    .unwrap();
    let t = wasm::yolo_target(options).unwrap();
    assert_eq!(shape_of(&t), vec![3., 3., 2., 8.]);
    let assignments = Array::from(&get(&t, "assignments"));
    let anchors: Vec<f64> = assignments
        .iter()
        .map(|a| get(&a, "anchor").as_f64().unwrap())
        .collect();
    assert_eq!(anchors, [0.0, 1.0]);
    assert_eq!(Array::from(&get(&t, "conflicts")).length(), 0);

    // Decoding a hand-made 1x1 grid output with one anchor and no classes: σ(0) = 0.5 centre.
    let spec = js_sys::JSON::parse(r#"{"grid": 1, "anchors": [[1, 1]], "classes": 0}"#).unwrap();
    let d = wasm::yolo_decode(
        f32s(&[0., 0., 0., 0., 2.]),
        shape(&[1, 5, 1, 1]),
        spec.clone(),
    )
    .unwrap();
    assert_eq!(
        get(&d, "boxes")
            .dyn_into::<Float32Array>()
            .unwrap()
            .to_vec(),
        [0., 0., 1., 1.]
    );
    let score = get(&d, "scores")
        .dyn_into::<Float32Array>()
        .unwrap()
        .to_vec()[0];
    assert!((score - 0.880797).abs() < 1e-5);
    assert_eq!(
        message(wasm::yolo_decode(f32s(&[0.; 6]), shape(&[1, 6, 1, 1]), spec)),
        "the model's output has shape [1, 6, 1, 1] but a 1x1 grid with 1 anchors and 0 classes needs [5, 1, 1] (1·(5 + 0) channels)"
    );
}

#[wasm_bindgen_test]
fn trained_models_load_and_run_in_the_browser() {
    // The face detector (converted by examples/convert_face_detector.rs).
    let face = wasm::load_model(
        include_bytes!("../www/models/face-detector.onnx"),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let input_shape: Vec<f64> = face
        .input_shape()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(input_shape, [1., 3., 416., 416.]);
    let out = face
        .run(f32s(&vec![0.5; 3 * 416 * 416]), shape(&[1, 3, 416, 416]))
        .unwrap();
    assert_eq!(shape_of(&out), vec![1., 25., 13., 13.]);
    assert_eq!(
        message(face.run(f32s(&[0.5; 3 * 4 * 4]), shape(&[1, 3, 4, 4]))),
        "the model was loaded for input shape [1, 3, 416, 416] but was given [1, 3, 4, 4]; call loadModel(bytes, [1, 3, 4, 4]) for that shape"
    );
    // Lecture 26's classifier at three input sizes: 1x1x4, 2x2x4, 8x8x4.
    let sliding = include_bytes!("../www/models/sliding-windows.onnx");
    for (n, cells) in [(14, 1.), (16, 2.), (28, 8.)] {
        let model = wasm::load_model(sliding, shape(&[1, 3, n, n])).unwrap();
        let out = model
            .run(f32s(&vec![0.2; (3 * n * n) as usize]), JsValue::UNDEFINED)
            .unwrap();
        assert_eq!(shape_of(&out), vec![1., 4., cells, cells]);
    }
    assert_eq!(
        message(wasm::load_model(sliding, shape(&[1, 1, 14, 14]))),
        "input shape [1, 1, 14, 14] does not fit the model's input 1,3,height,width"
    );
    let err = message(wasm::load_model(b"not a model", JsValue::UNDEFINED));
    assert!(
        err.starts_with("cannot read an ONNX model from these 11 bytes"),
        "{err}"
    );
    // The window of output cell (3, 5) of the lecture 26 network: rows 6-19, columns 10-23.
    let layers = js_sys::JSON::parse("[[5,1,0],[2,2,0],[5,1,0],[1,1,0],[1,1,0]]").unwrap();
    let w = wasm::stacked_window(layers, shape(&[3, 5])).unwrap();
    assert_eq!(numbers_of(&get(&w, "start")), [6., 10.]);
    assert_eq!(numbers_of(&get(&w, "size")), [14., 14.]);
    let mosaic = wasm::patch_mosaic(1.into()).unwrap();
    let tensor = get(&mosaic, "tensor");
    let crop = wasm::crop_tensor(tensor, shape(&[3, 28, 28]), shape(&[14, 14, 14, 14])).unwrap();
    assert_eq!(crop.length(), 3 * 14 * 14);
    let boxed = wasm::letterbox(&[255u8; 8 * 4 * 4], 8.into(), 4.into(), 4.into()).unwrap();
    assert_eq!(boxed.to_vec()[..8], [1.0; 8]);
    assert_eq!(boxed.to_vec()[8..16], [0.0; 8]);
}

/// Lecture 39 through the JS API: the held-out digits parsed by `digitSet`, and LeNet-5's
/// strongest second-pool activations with their 16x16 receptive fields and patches.
#[wasm_bindgen_test]
fn top_activations_over_the_held_out_digits() {
    let set = wasm::digit_set(include_bytes!("../www/models/digits-heldout.bin")).unwrap();
    assert_eq!(get(&set, "count").as_f64(), Some(360.));
    let inputs = Float32Array::from(get(&set, "inputs"));
    assert_eq!(inputs.length(), 360 * 1024);
    let lenet = wasm::load_model(
        include_bytes!("../www/models/lenet5-digits.onnx"),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let few = inputs.subarray(0, 40 * 1024);
    let top = lenet
        .top_activations(few.into(), 5.into(), 0.into(), 4.into())
        .unwrap();
    assert_eq!(top.length(), 4);
    let values: Vec<f64> = top
        .iter()
        .map(|t| get(&t, "value").as_f64().unwrap())
        .collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    for t in top.iter() {
        let window = get(&t, "window");
        assert_eq!(numbers_of(&get(&window, "size")), [16., 16.]);
        let patch = get(&t, "patch");
        assert_eq!(get(&patch, "width").as_f64(), Some(16.));
        assert_eq!(
            js_sys::Uint8ClampedArray::from(get(&patch, "rgba")).length(),
            16 * 16 * 4
        );
    }
    assert_eq!(
        message(lenet.top_activations(f32s(&[0.; 1024]), 5.into(), 16.into(), 4.into())),
        "channel 16 does not exist; layer 5 (/MaxPool_1) has 16 channels"
    );
    assert_eq!(
        message(wasm::digit_set(b"DIG2")),
        "a digit set starts with the bytes DIG1"
    );
}

/// Lecture 20 through the JS API: generated letters, LeNet-5's frozen pool2 features, a softmax
/// trained in the browser, its learning curve, and the errors a page can cause.
#[wasm_bindgen_test]
fn transfer_learning_in_the_browser() {
    let train = wasm::letter_set(5.into(), 1.into()).unwrap();
    let test = wasm::letter_set(10.into(), 2.into()).unwrap();
    assert_eq!(get(&train, "count").as_f64(), Some(20.));
    let lenet = wasm::load_model(
        include_bytes!("../www/models/lenet5-digits.onnx"),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let features = |set: &js_sys::Object| {
        let f = lenet.features(get(set, "inputs"), 5.into()).unwrap();
        assert_eq!(get(&f, "dim").as_f64(), Some(400.));
        get(&f, "data")
    };
    let (train_f, test_f) = (features(&train), features(&test));
    let options = js_sys::Object::new();
    let put = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&options, &k.into(), v).unwrap();
    };
    put("features", &train_f);
    put("labels", &get(&train, "labels"));
    put("classes", &4.into());
    let layer = wasm::train_softmax(options.clone().into()).unwrap();
    assert_eq!(layer.dim(), 400);
    let accuracy = layer
        .accuracy(test_f.clone(), get(&test, "labels"))
        .unwrap();
    assert!(accuracy >= 0.8, "{accuracy}");
    let p = layer
        .probabilities(Float32Array::from(test_f.clone()).subarray(0, 400).into())
        .unwrap();
    assert!((p.to_vec().iter().sum::<f32>() - 1.0).abs() < 1e-5);

    let curve_options = js_sys::Object::new();
    for (k, v) in [
        ("train", train_f),
        ("trainLabels", get(&train, "labels")),
        ("test", test_f),
        ("testLabels", get(&test, "labels")),
        ("classes", 4.into()),
        ("sizes", shape(&[1, 5])),
    ] {
        js_sys::Reflect::set(&curve_options, &k.into(), &v).unwrap();
    }
    let curve = wasm::learning_curve(curve_options.clone().into()).unwrap();
    assert_eq!(curve.length(), 2);
    assert_eq!(
        get(&curve.get(1), "accuracy").as_f64(),
        Some(accuracy as f64)
    );
    js_sys::Reflect::set(&curve_options, &"sizes".into(), &shape(&[6])).unwrap();
    assert_eq!(
        message(wasm::learning_curve(curve_options.into())),
        "class 0 has 5 training examples, fewer than 6"
    );
    put("labels", &js_sys::JSON::parse("[0, 1, 2, 3.5]").unwrap());
    assert_eq!(
        message(wasm::train_softmax(options.into())),
        "labels[3] is 3.5, not a class index"
    );
    assert_eq!(
        message(wasm::letter_set(0.into(), 1.into())),
        "a letter set has 1 to 1000 letters per class, not 0"
    );
}

/// Lectures 34-37 through the JS API: the triplet loss and its kind, recognition, the
/// verification accuracy, the pair classifier, and their errors.
#[wasm_bindgen_test]
fn face_verification_mathematics_in_the_browser() {
    let t = wasm::triplet_loss(
        f32s(&[0., 0.]),
        f32s(&[1., 0.]),
        f32s(&[0., 1.2]),
        1.0.into(),
    )
    .unwrap();
    assert_eq!(get(&t, "kind").as_string().as_deref(), Some("semi-hard"));
    assert!((get(&t, "loss").as_f64().unwrap() - 0.56).abs() < 1e-6);
    let r = wasm::recognise(
        f32s(&[9., 1.]),
        f32s(&[0., 0., 10., 0.]),
        2.into(),
        4.0.into(),
    )
    .unwrap();
    assert_eq!(get(&r, "nearest").as_f64(), Some(1.));
    assert_eq!(get(&r, "recognised").as_bool(), Some(true));
    let v = wasm::verification_accuracy(
        f32s(&[0., 0., 0.1, 0., 5., 5., 5., 5.1]),
        2.into(),
        f32s(&[0., 0., 1., 1.]),
    )
    .unwrap();
    assert_eq!(get(&v, "balancedAccuracy").as_f64(), Some(1.));
    assert_eq!(
        message(wasm::triplet_loss(
            f32s(&[0., 0.]),
            f32s(&[1.]),
            f32s(&[0., 1.]),
            1.0.into()
        )),
        "encodings of 2 and 1 values cannot be compared"
    );
    assert_eq!(
        message(wasm::verification_accuracy(
            f32s(&[0., 1.]),
            2.into(),
            f32s(&[0.5])
        )),
        "labels[0] is 0.5, not an identity"
    );
    let x = wasm::extreme_triplets(
        f32s(&[0., 1., 0.8, 5.]),
        1.into(),
        f32s(&[0., 0., 1., 1.]),
        0.5.into(),
    )
    .unwrap();
    assert_eq!(numbers_of(&get(&get(&x, "hard"), "indices")), [2., 3., 1.]);
    assert_eq!(
        get(&get(&x, "easy"), "kind").as_string().as_deref(),
        Some("easy")
    );
    assert!(
        wasm::extreme_triplets(f32s(&[0., 1.]), 1.into(), f32s(&[0., 1.]), 0.5.into())
            .unwrap()
            .is_null()
    );
}
