//! Week 2 (lectures 12-22) through the JavaScript API: transfer learning on LeNet-5.

use super::*;

/// Lecture 20 through the JS API: generated letters, LeNet-5's frozen pool2 features, a softmax
/// trained in the browser, its learning curve, and the errors a page can cause.
#[wasm_bindgen_test]
fn transfer_learning_in_the_browser() {
    let train = wasm::letter_set(5.into(), 1.into()).unwrap();
    let test = wasm::letter_set(10.into(), 2.into()).unwrap();
    assert_eq!(get(&train, "count").as_f64(), Some(20.));
    let lenet = wasm::load_model(
        u8s(include_bytes!("../../www/models/lenet5-digits.onnx")),
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

/// Lecture 22's measurement as the widget's worker calls it: networks added one by one to an
/// `Ensemble` on the held-out digits, and the report; the ten crops of a digit.
#[wasm_bindgen_test]
fn an_ensemble_is_measured_in_the_browser() {
    // The first 40 of the 360 held-out digits (4 header bytes, then 65 per digit): 800 runs keep
    // this synchronous test short in every engine (the native test judges all 360).
    let held_out = &include_bytes!("../../www/models/digits-heldout.bin")[..4 + 40 * 65];
    let lenet = include_bytes!("../../www/models/lenet5-digits.onnx");
    let seed1 = include_bytes!("../../www/models/lenet5-digits-seed1.onnx");
    let mut e = wasm::JsEnsemble::new(u8s(held_out)).unwrap();
    e.add(u8s(lenet)).unwrap();
    e.add(u8s(seed1)).unwrap();
    let r: JsValue = e.report().unwrap().into();
    assert_eq!(get(&r, "count").as_f64(), Some(40.));
    let members = numbers_of(&get(&r, "members"));
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|&a| a > 0.9), "{members:?}");
    let ten = get(&r, "tenCrops").as_f64().unwrap();
    assert!(ten > 0.5 && ten <= get(&r, "fiveCrops").as_f64().unwrap());
    let err = message(e.add(u8s(b"not a model")));
    assert!(err.starts_with("cannot read an ONNX model"), "{err}");
    let crops = wasm::digit_crops(js_sys::Float32Array::new_with_length(1024).into()).unwrap();
    assert_eq!(crops.length(), 10);
    let err = message(wasm::digit_crops(
        js_sys::Float32Array::new_with_length(5).into(),
    ));
    assert!(err.contains("5"), "{err}");
}

/// `Model.profile` in the browser: every node of LeNet-5's plan with its op and a time from the
/// page's clock, slowest first, and the run limit.
#[wasm_bindgen_test]
fn a_model_run_is_profiled_node_by_node() {
    let lenet = wasm::load_model(
        u8s(include_bytes!("../../www/models/lenet5-digits.onnx")),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let nodes = lenet.profile(f32s(&[0.5; 1024]), 3.into()).unwrap();
    assert!(nodes.length() >= 5, "{} nodes", nodes.length());
    let ms: Vec<f64> = nodes
        .iter()
        .map(|n| get(&n, "ms").as_f64().unwrap())
        .collect();
    assert!(
        ms.iter().all(|&t| t >= 0.0) && ms.windows(2).all(|w| w[0] >= w[1]),
        "{ms:?}"
    );
    let ops: Vec<String> = nodes
        .iter()
        .map(|n| get(&n, "op").as_string().unwrap())
        .collect();
    assert!(ops.iter().any(|op| op.contains("MatMul")), "{ops:?}");
    assert_eq!(
        message(lenet.profile(f32s(&[0.5; 1024]), 101.into())),
        "a profile takes 1 to 100 runs, not 101"
    );
}

/// `loadPhases` times LeNet-5's load with the page's clock: three non-negative times, read,
/// analyse and optimise (the refusals are checked with the robustness models).
#[wasm_bindgen_test]
fn a_model_load_is_timed_phase_by_phase() {
    let phases = wasm::load_phases(
        u8s(include_bytes!("../../www/models/lenet5-digits.onnx")),
        JsValue::UNDEFINED,
    )
    .unwrap();
    for key in ["read", "analyse", "optimise"] {
        let ms = get(&phases, key).as_f64().unwrap();
        assert!(ms.is_finite() && ms >= 0.0, "{key}: {ms}");
    }
}
