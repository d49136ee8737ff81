//! Week 4 (lectures 33-43) through the JavaScript API: lecture 39's strongest activations, face
//! verification mathematics, the `FaceDatabase`, and lecture 24's landmark network.

use super::*;

/// Lecture 39 through the JS API: the held-out digits parsed by `digitSet`, and LeNet-5's
/// strongest second-pool activations with their 16x16 receptive fields and patches.
#[wasm_bindgen_test]
fn top_activations_over_the_held_out_digits() {
    let set = wasm::digit_set(u8s(include_bytes!("../../www/models/digits-heldout.bin"))).unwrap();
    assert_eq!(get(&set, "count").as_f64(), Some(360.));
    let inputs = Float32Array::from(get(&set, "inputs"));
    assert_eq!(inputs.length(), 360 * 1024);
    let lenet = wasm::load_model(
        u8s(include_bytes!("../../www/models/lenet5-digits.onnx")),
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
        "channel 17 does not exist: layer 6 (/MaxPool_1) has 16 channels, numbered 1 to 16"
    );
    assert_eq!(
        message(wasm::digit_set(u8s(b"DIG2"))),
        "a digit set starts with the bytes DIG1"
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

/// The one-shot database the face widgets use: enrolment, 1:K, 1:1 and the extreme triplets.
#[wasm_bindgen_test]
fn the_face_database_enrols_recognises_and_verifies() {
    let mut db = wasm::JsFaceDatabase::new(2.into()).unwrap();
    assert_eq!(db.size(), 0.);
    for (name, e) in [("ann", [0., 0.]), ("bob", [3., 0.]), ("ann", [0., 1.])] {
        db.enrol(name.into(), f32s(&e)).unwrap();
    }
    assert_eq!(db.size(), 3.);
    assert_eq!(db.people().length(), 2);
    let r: JsValue = db.recognise(f32s(&[2.5, 0.]), 0.5.into()).unwrap().into();
    assert_eq!(get(&r, "name").as_string().as_deref(), Some("bob"));
    assert_eq!(get(&r, "recognised").as_bool(), Some(true));
    // "Is this ann?": against the nearer of ann's two entries, d = 0.5² = 0.25.
    let v: JsValue = db
        .verify("ann".into(), f32s(&[0., 0.5]), 0.4.into())
        .unwrap()
        .into();
    assert_eq!(get(&v, "distance").as_f64(), Some(0.25));
    assert_eq!(get(&v, "same").as_bool(), Some(true));
    let x = db.extreme_triplets(0.2.into()).unwrap();
    assert_eq!(numbers_of(&get(&get(&x, "hard"), "indices")).len(), 3);
    assert_eq!(
        message(db.verify("eve".into(), f32s(&[0., 0.]), 0.4.into())),
        "nobody called \"eve\" is enrolled"
    );
    assert_eq!(
        message(db.enrol("eve".into(), f32s(&[1., 2., 3.]))),
        "the encoding has 3 values, the database's have 2"
    );
}

/// Lecture 24 where learners run it: the landmark network gives face-api's own points
/// (tests/fixtures/face-landmarks-reference.json) in the browser's wasm build, whose tract kernels
/// differ from the native ones. One input only: the debug module is slow in Firefox, and a test
/// that holds the page too long fails the WebDriver runner (the native test checks both).
#[wasm_bindgen_test]
fn the_landmark_network_matches_face_api_in_the_browser() {
    let landmarks = include_bytes!("../../www/models/face-landmarks.onnx");
    let model = wasm::load_model(u8s(landmarks), JsValue::UNDEFINED).unwrap();
    let fixture = include_str!("../fixtures/face-landmarks-reference.json");
    let out = model
        .run(
            f32s(&common::face_reference_input(112, 1)),
            JsValue::UNDEFINED,
        )
        .unwrap();
    let theirs = common::face_reference_output(fixture, "landmarks", 1);
    let diff = common::largest_difference(&data(&out), &theirs);
    assert!(diff < 1e-4, "{diff}");
}

/// The `Landmarker` through the JS API: 68 points per box in image pixels, the face's parts, and
/// the errors for bad boxes, too many boxes and a model that is not the landmark network.
#[wasm_bindgen_test]
fn the_landmarker_locates_and_refuses_in_the_browser() {
    let landmarker =
        wasm::JsLandmarker::new(u8s(include_bytes!("../../www/models/face-landmarks.onnx")))
            .unwrap();
    let grey = vec![128u8; 40 * 30 * 4];
    let points = landmarker
        .locate(u8s(&grey), 40.into(), 30.into(), f32s(&[5., 5., 35., 25.]))
        .unwrap();
    assert_eq!(points.length(), 136);
    assert!(points.to_vec().iter().all(|v| v.is_finite()));
    assert_eq!(
        message(landmarker.locate(u8s(&grey), 40.into(), 30.into(), f32s(&[5., 5., 35.]))),
        "boxes must hold 4 numbers per box (x1, y1, x2, y2), got 3 numbers"
    );
    assert_eq!(
        message(landmarker.locate(u8s(&grey), 40.into(), 30.into(), f32s(&[5.; 4 * 101]))),
        "101 boxes are more faces than the landmark network looks at in one call (100)"
    );
    let parts = wasm::face_parts().unwrap();
    assert_eq!(parts.length(), 9);
    assert_eq!(get(&parts.get(8), "end").as_f64(), Some(68.));
    assert_eq!(
        message(wasm::JsLandmarker::new(u8s(include_bytes!(
            "../../www/models/face-detector.onnx"
        )))),
        "a landmark network takes [1, 3, 112, 112] and gives [1, 136], not [1, 3, 416, 416] → [1, 25, 13, 13]"
    );
}
