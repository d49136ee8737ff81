//! Week 1 (lectures 01-11) through the JavaScript API: the worked examples of every lecture exact,
//! convolution over volume, pooling, 1D and 3D, network shapes, and errors that leave the module
//! working.

use super::*;

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
    let options = opts(&[
        ("input", f32s(&image)),
        ("inputShape", shape(&[1, 7, 7])),
        ("weight", f32s(&VERTICAL)),
        ("weightShape", shape(&[1, 1, 3, 3])),
        ("stride", 2.into()),
    ]);
    let out = wasm::conv(options.clone()).unwrap();
    assert_eq!(shape_of(&out), vec![1., 3., 3.]);
    let reference = wasm::conv_reference(options).unwrap();
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
        "input value at row 1, column 4 is NaN: type a finite number there"
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

/// tract 0.23.9 picks its wasm-only blocked convolution for kernels one column wide and ignores
/// their width padding; in the browser these two convolutions failed to optimise before the
/// engine's work-around (`engine::optimize`). Both must now equal the reference.
#[wasm_bindgen_test]
fn one_column_kernels_with_padding_run_in_the_browser() {
    let input: Vec<f32> = (0..2 * 18 * 13).map(|i| (i % 7) as f32 - 3.0).collect();
    for (weight, weight_shape, padding) in [
        (vec![1., -1., 0.5, 2., -0.5, 1.5, 3., 0.25], [4, 2, 1, 1], 1),
        (vec![1., -2.], [1, 2, 1, 1], 2),
    ] {
        let options = opts(&[
            ("input", f32s(&input)),
            ("inputShape", shape(&[2, 18, 13])),
            ("weight", f32s(&weight)),
            ("weightShape", shape(&weight_shape)),
            ("padding", padding.into()),
        ]);
        let out = wasm::conv(options.clone()).unwrap();
        let side = |n: u32| f64::from(n + 2 * padding);
        assert_eq!(
            shape_of(&out),
            vec![f64::from(weight_shape[0]), side(18), side(13)]
        );
        assert_eq!(data(&out), data(&wasm::conv_reference(options).unwrap()));
    }
}

/// `warmUp`, which the page's start-up worker calls (www/lib/startup-worker.js), runs its five
/// computations without an error, twice in a row (the second time from the engine's plan cache).
#[wasm_bindgen_test]
fn the_warm_up_runs_the_first_drawings_paths() {
    assert_eq!(wasm::warm_up().unwrap(), 5);
    let cached = wasm::cached_plans().unwrap();
    assert!(cached >= 4.0, "{cached}");
    assert_eq!(wasm::warm_up().unwrap(), 5);
    assert_eq!(wasm::cached_plans().unwrap(), cached);
}
