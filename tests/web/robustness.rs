//! The 35 model files that trapped the release package (`../shared/robustness/models`, copied into
//! tests/fixtures/robustness/): in the browser each is refused by `loadModel` with an Error, and
//! the module keeps answering afterwards (a trap would have broken it for every widget).

use super::*;

macro_rules! fixtures {
    ($($name:literal,)*) => {
        [$(($name, &include_bytes!(concat!("../fixtures/robustness/", $name))[..]),)*]
    };
}

#[wasm_bindgen_test]
fn every_robustness_model_is_refused_and_the_module_keeps_working() {
    let files = fixtures![
        "00004_conv_stride0.onnx",
        "00007_conv_stride1.onnx",
        "00010_conv_padhuge.onnx",
        "00011_conv_pad2_31.onnx",
        "00012_conv_padshort.onnx",
        "00019_conv_autopad_same_stride0.onnx",
        "00039_convw_2_2_1_2x2x0x3.onnx",
        "00050_conv_w_string.onnx",
        "00062_conv_in_1x2x100000x100000.onnx",
        "00097_MaxPool_0.onnx",
        "00098_MaxPool_1.onnx",
        "00099_MaxPool_2.onnx",
        "00110_MaxPool_13.onnx",
        "00111_MaxPool_14.onnx",
        "00169_cos_2147483648.onnx",
        "00177_cos_-1.onnx",
        "00230_pad_reflect_0_0_100000_100000_0_0_100000_100000.onnx",
        "00264_range_0_10_0.onnx",
        "00270_gatherconst_5.onnx",
        "00275_gather_0_1_2_3_100.onnx",
        "00282_scatter_oob.onnx",
        "00285_slice_[0]_[4]_[3]_[0].onnx",
        "00292_op_Flatten_292.onnx",
        "00293_op_Transpose_293.onnx",
        "00294_op_Transpose_294.onnx",
        "00299_op_Unsqueeze_299.onnx",
        "00301_op_DepthToSpace_301.onnx",
        "00311_op_ArgMax_311.onnx",
        "00312_op_ReduceSum_312.onnx",
        "00314_op_Split_314.onnx",
        "00316_op_Split_316.onnx",
        "00318_op_Hardmax_318.onnx",
        "00378_missing_output.onnx",
        "00380_no_outputs.onnx",
        "00465_mut_14.onnx",
    ];
    assert_eq!(files.len(), 35);
    for (name, bytes) in files {
        refused_and_alive(name, bytes);
    }
}

/// The files the fuzzer found (tests/fixtures/fuzz/, see fuzz/README.md), each of which panicked
/// in tract natively, go the same way in the browser.
#[wasm_bindgen_test]
fn every_fuzz_finding_file_is_refused_and_the_module_keeps_working() {
    macro_rules! found {
        ($($name:literal,)*) => {
            [$(($name, &include_bytes!(concat!("../fixtures/fuzz/", $name))[..]),)*]
        };
    }
    for (name, bytes) in found![
        "expand-hidden-huge-size.onnx",
        "gather-index-in-two-fields.onnx",
        "output-without-name.onnx",
        "range-negative-tiny-step.onnx",
        "slice-step-2-60.onnx",
    ] {
        refused_and_alive(name, bytes);
    }
}

/// `loadModel` and `loadPhases` refuse `bytes` with the same short sentence (tract's chain, if
/// any, after a line break and capped), and the module still answers a plain call afterwards.
fn refused_and_alive(name: &str, bytes: &[u8]) {
    let err = message(wasm::load_model(u8s(bytes), JsValue::UNDEFINED));
    assert_eq!(
        message(wasm::load_phases(u8s(bytes), JsValue::UNDEFINED)),
        err,
        "{name}"
    );
    let (plain, details) = err.split_once('\n').unwrap_or((&err, ""));
    assert!(
        !plain.is_empty() && plain.chars().count() <= 300,
        "{name}: {err}"
    );
    assert!(details.chars().count() <= 2100, "{name}: {err}");
    assert_eq!(
        wasm::output_size(6.into(), 3.into(), 0.into(), 1.into()).unwrap(),
        4.0,
        "after {name}"
    );
}

/// A JavaScript exception that unwinds through wasm leaks the module's shadow stack (about 1,900
/// of them broke every later call). Arguments are read with catching accessors, so throwing
/// getters, odd lengths and non-bytes become error values: 10,000 such calls in a row, then the
/// module still computes.
#[wasm_bindgen_test]
fn ten_thousand_throwing_arguments_leave_the_module_working() {
    let throwing_options = js_sys::eval("({ get input() { throw new Error('boom') } })").unwrap();
    let throwing_array = js_sys::eval(
        "(() => { const a = [1, 2, 3]; Object.defineProperty(a, 1, { get() { throw new Error('boom') } }); return a; })()",
    )
    .unwrap();
    let style = opts(&[("model", (-1).into())]);
    let lenet = include_bytes!("../../www/models/lenet5-digits.onnx");
    for i in 0..2500 {
        let errors = [
            message(wasm::conv(throwing_options.clone())),
            message(wasm::conv(opts(&[
                ("input", f32s(&[1.; 9])),
                ("inputShape", shape(&[1, 3, 3])),
                ("weight", throwing_array.clone()),
                ("weightShape", shape(&[1, 1, 1, 3])),
            ]))),
            message(wasm::JsStyleTransfer::new(style.clone())),
            message(wasm::load_model(u8s(lenet), throwing_array.clone())),
        ];
        if i == 0 {
            assert_eq!(
                errors[1], "weight[1] could not be read (boom)",
                "{errors:?}"
            );
            assert!(
                errors[2].starts_with("model must be a Uint8Array"),
                "{errors:?}"
            );
            assert_eq!(errors[3], "inputShape[1] could not be read (boom)");
        }
    }
    assert_eq!(
        wasm::output_size(6.into(), 3.into(), 0.into(), 1.into()).unwrap(),
        4.0
    );
    let out = course_conv(0.into(), 1).unwrap();
    assert_eq!(data(&out), EXPECTED);
}

/// The calls of `../shared/robustness/README.md` that trapped (32-bit wrap-around, allocations of
/// gigabytes before any check) or ran for hours (unbounded counts and epochs): each is an Error
/// at once now, and the module still computes.
#[wasm_bindgen_test]
fn calls_that_trapped_or_hung_are_errors() {
    let json = |s: &str| js_sys::JSON::parse(s).unwrap();
    let four = json("[0,0,1,1,0,1,5,5]");
    let labels = json("[0,0,1,1]");
    let errors = [
        message(wasm::crop_tensor(
            f32s(&[0.; 16]),
            shape(&[1, 4, 4]),
            shape(&[0, 4_294_967_295, 1, 2]),
        )),
        message(wasm::localization_target(
            f32s(&[0.1, 0.1, 0.5, 0.5]),
            0.into(),
            4_294_967_295u32.into(),
        )),
        message(wasm::face_crops(
            u8s(&[]),
            1.into(),
            1.into(),
            f32s(&[0.; 44]),
            4096.into(),
        )),
        message(wasm::train_pair_classifier(opts(&[
            ("encodings", four.clone()),
            ("dim", 2.into()),
            ("labels", labels.clone()),
            ("pairs", 1e9.into()),
        ]))),
        message(wasm::train_softmax(opts(&[
            ("features", four.clone()),
            ("labels", labels.clone()),
            ("classes", (1u32 << 30).into()),
        ]))),
        message(wasm::train_softmax(opts(&[
            ("features", four.clone()),
            ("labels", labels.clone()),
            ("classes", 2.into()),
            ("epochs", 4_294_967_295u32.into()),
        ]))),
        message(wasm::verification_accuracy(
            f32s(&vec![0.; 16_400]),
            1.into(),
            js_sys::Uint32Array::from(&(0..16_400u32).map(|i| i % 2).collect::<Vec<_>>()[..])
                .into(),
        )),
    ];
    let expected = [
        "the window of 1x2 at row 0, column 4294967295 leaves the 4x4 input",
        "the number of classes must be from 1 to 1000, not 4294967295",
        "RGBA data has 0 bytes but a 1x1 image needs 4",
        "the number of pairs must be from 1 to 100000, not 1000000000",
        "a softmax needs from 2 to 1000 classes, not 1073741824",
        "the number of epochs must be from 1 to 10000, not 4294967295",
        "16400 encodings make 134471800 pairs; all pairs are compared for at most 5000 encodings",
    ];
    for (got, want) in errors.iter().zip(expected) {
        assert_eq!(got, want);
    }
    assert_eq!(
        wasm::output_size(6.into(), 3.into(), 0.into(), 1.into()).unwrap(),
        4.0
    );
}

/// The calls of the robustness README that answered wrongly without a word: 32-bit wrap-around in
/// parameter counts and windows, areas past f32's range, NaN parameters, a model input too small
/// or too large.
#[wasm_bindgen_test]
fn calls_that_answered_wrongly_are_right_or_errors() {
    let json = |s: &str| js_sys::JSON::parse(s).unwrap();
    let shapes = wasm::network_shapes(
        shape(&[1, 1, 1]),
        json(r#"[{"type":"flatten"},{"type":"dense","units":100000},{"type":"dense","units":100000}]"#),
    )
    .unwrap();
    let second = Array::from(&get(&shapes, "layers")).get(2);
    assert_eq!(get(&second, "params").as_f64(), Some(10_000_100_000.0));
    assert_eq!(
        message(wasm::stacked_window(json("[[3,1,4294967295]]"), shape(&[0, 0]))),
        "layer 1: kernel 3, stride 1 and padding 4294967295 must be from 1 (0 for the padding) to 4096"
    );
    let huge = f32s(&[0., 0., 3.4e38, 3.4e38]);
    assert_eq!(wasm::iou(huge.clone(), huge).unwrap(), 1.0);
    assert_eq!(
        message(wasm::augment(
            f32s(&[0.5; 108]),
            shape(&[3, 6, 6]),
            opts(&[("kind", "rotate".into()), ("degrees", f64::NAN.into())])
        )),
        "the augmentation's parameters must be numbers, got [NaN]"
    );
    let sliding = include_bytes!("../../www/models/sliding-windows.onnx");
    assert_eq!(
        message(wasm::load_model(u8s(sliding), shape(&[1, 3, 13, 13]))),
        "input [1, 3, 13, 13] is too small for this model: its output would be [1, 4, 0, 0]"
    );
    assert_eq!(
        message(wasm::load_model(u8s(sliding), shape(&[1, 3, 4097, 14]))),
        "input shape [1, 3, 4097, 14]: each side must be from 1 to 4096 pixels"
    );
}

/// The last calls of the robustness README: a huge scene count ran for hours, style transfer on a
/// one-channel conv constructed and then failed on every step, and a `null` where bytes belong
/// threw a bare `TypeError` from the glue. Each is now an error that names the argument.
#[wasm_bindgen_test]
fn the_readmes_last_calls_are_errors_a_learner_can_read() {
    assert_eq!(
        message(wasm::scene_inputs(22_369_621.into(), 1.into(), 1.into())),
        "at most 1000 scenes can be generated at once, got 22369621: ask for fewer"
    );
    let size = 16;
    let style = |model: &[u8], node: &str| {
        opts(&[
            ("model", u8s(model)),
            ("node", node.into()),
            ("size", size.into()),
            ("content", f32s(&vec![0.5; 3 * 16 * 16])),
            ("style", f32s(&vec![0.5; 3 * 16 * 16])),
            ("contentLayer", "relu".into()),
            (
                "styleLayers",
                js_sys::JSON::parse(r#"[{"layer":"relu","lambda":1}]"#).unwrap(),
            ),
            ("alpha", 1.into()),
            ("beta", 1.into()),
        ])
    };
    assert_eq!(
        message(wasm::JsStyleTransfer::new(style(
            include_bytes!("../../www/models/lenet5-digits.onnx"),
            "/conv1/Conv"
        ))),
        "style transfer paints colour images, so the first conv must read 3 channels (R, G, B); this one reads 1: choose a model whose input is RGB"
    );
    let mut transfer = wasm::JsStyleTransfer::new(style(
        include_bytes!("../../www/models/sliding-windows.onnx"),
        "/conv1/Conv",
    ))
    .unwrap();
    assert_eq!(
        message(transfer.step(5000.into())),
        "step takes at most 2000 steps per call (each one runs the network twice), got 5000: call it again for more"
    );
    transfer.step(0.into()).unwrap();
    assert_eq!(transfer.iterations(), 0);

    let null = || JsValue::NULL;
    let want = |name: &str| {
        format!("{name} must be a Uint8Array or a canvas's ImageData.data (for a file: new Uint8Array(await file.arrayBuffer())), got null")
    };
    let one = || JsValue::from(1);
    let errors = [
        (
            "model",
            message(wasm::load_model(null(), JsValue::UNDEFINED)),
        ),
        (
            "model",
            message(wasm::JsDetector::new(null(), "face".into())),
        ),
        (
            "rgba",
            message(wasm::image_to_tensor(null(), one(), one(), one())),
        ),
        (
            "rgba",
            message(wasm::letterbox(null(), one(), one(), one())),
        ),
        (
            "rgba",
            message(wasm::face_crops(null(), one(), one(), f32s(&[]), one())),
        ),
        ("file", message(wasm::digit_set(null()))),
        (
            "rgba",
            message(wasm::detector_input(null(), one(), one(), one())),
        ),
        (
            "rgba",
            message(wasm::digit_from_drawing(null(), one(), one())),
        ),
    ];
    for (name, got) in errors {
        assert_eq!(got, want(name));
    }
    // A canvas's pixels come as a Uint8ClampedArray and are read as bytes.
    let clamped: JsValue = js_sys::Uint8ClampedArray::from(&[255u8, 0, 0, 255][..]).into();
    let red = wasm::image_to_tensor(clamped, one(), one(), 3.into()).unwrap();
    assert_eq!(red.to_vec(), [255.0, 0.0, 0.0]);
}
