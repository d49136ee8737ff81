//! Week 3 (lectures 23-32) through the JavaScript API: IoU, non-max suppression, targets, decoding,
//! the trained models, the `Detector` pipeline and lecture 26's comparison.

use super::*;

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
        u8s(include_bytes!("../../www/models/face-detector.onnx")),
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
    let sliding = include_bytes!("../../www/models/sliding-windows.onnx");
    for (n, cells) in [(14, 1.), (16, 2.), (28, 8.)] {
        let model = wasm::load_model(u8s(sliding), shape(&[1, 3, n, n])).unwrap();
        let out = model
            .run(f32s(&vec![0.2; (3 * n * n) as usize]), JsValue::UNDEFINED)
            .unwrap();
        assert_eq!(shape_of(&out), vec![1., 4., cells, cells]);
    }
    assert_eq!(
        message(wasm::load_model(u8s(sliding), shape(&[1, 1, 14, 14]))),
        "input shape [1, 1, 14, 14] does not fit the model's input 1,3,height,width"
    );
    let err = message(wasm::load_model(u8s(b"not a model"), JsValue::UNDEFINED));
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
    // Lecture 26's answer key: one class per window of 14 at stride 2, the corners' from the
    // patches they see.
    let labels = numbers_of(&wasm::mosaic_window_labels(1.into(), 14.into(), 2.into()).unwrap());
    let classes = numbers_of(&get(&mosaic, "classes"));
    assert_eq!(labels.len(), 64);
    assert_eq!([labels[0], labels[7], labels[56], labels[63]], classes[..]);
    let err = message(wasm::mosaic_window_labels(1.into(), 14.into(), 0.into()));
    assert_eq!(err, "windows of 14 pixels at stride 0 do not fit a 28×28 mosaic: use a stride of at least 1 and a window of 1 to 28 pixels");
    let tensor = get(&mosaic, "tensor");
    let crop = wasm::crop_tensor(tensor, shape(&[3, 28, 28]), shape(&[14, 14, 14, 14])).unwrap();
    assert_eq!(crop.length(), 3 * 14 * 14);
    let boxed = wasm::letterbox(u8s(&[255u8; 8 * 4 * 4]), 8.into(), 4.into(), 4.into()).unwrap();
    assert_eq!(boxed.to_vec()[..8], [1.0; 8]);
    assert_eq!(boxed.to_vec()[8..16], [0.0; 8]);
}

/// The `Detector` pipeline the detector lab and the face widgets share: every cell and anchor
/// decoded, the NMS steps, the kept boxes, and the grid from Rust (no JSON sidecar).
#[wasm_bindgen_test]
fn the_detector_pipeline_runs_on_a_generated_scene_and_on_rgba() {
    let shapes = wasm::JsDetector::new(
        u8s(include_bytes!("../../www/models/shapes-detector.onnx")),
        "shapes".into(),
    )
    .unwrap();
    assert_eq!(shapes.input_size(), 96.);
    let spec: JsValue = shapes.spec().unwrap().into();
    assert_eq!(get(&spec, "grid").as_f64(), Some(6.));
    assert_eq!(Array::from(&get(&spec, "anchors")).length(), 2);
    let scene = wasm::generate_scene(3.into()).unwrap();
    let r = shapes
        .detect(get(&scene, "tensor"), 0.6.into(), 0.5.into())
        .unwrap();
    assert_eq!(Float32Array::from(get(&r, "scores")).length(), 72);
    let kept = u32s(&get(&r, "kept"));
    let steps = Array::from(&get(&r, "steps"));
    assert_eq!(kept.len() as u32, steps.length());
    let objects = Array::from(&get(&scene, "objects")).length();
    assert_eq!(kept.len() as u32, objects, "one box per shape in scene 3");
    // The face detector on a grey 640×480 frame, letterboxed by Rust: no face.
    let face = wasm::JsDetector::new(
        u8s(include_bytes!("../../www/models/face-detector.onnx")),
        "face".into(),
    )
    .unwrap();
    let rgba = vec![128u8; 640 * 480 * 4];
    let r = face
        .detect_rgba(u8s(&rgba), 640.into(), 480.into(), 0.5.into(), 0.4.into())
        .unwrap();
    assert_eq!(Float32Array::from(get(&r, "scores")).length(), 13 * 13 * 5);
    assert!(u32s(&get(&r, "kept")).is_empty());
    assert_eq!(
        message(wasm::JsDetector::new(
            u8s(include_bytes!("../../www/models/face-detector.onnx")),
            "cats".into()
        )),
        "the detector kind must be \"shapes\" or \"face\", got string"
    );
    assert_eq!(
        message(wasm::JsDetector::new(
            u8s(include_bytes!("../../www/models/lenet5-digits.onnx")),
            "shapes".into()
        )),
        "a detector needs a square RGB input [1, 3, n, n], not [1, 1, 32, 32]"
    );
}

/// Lecture 26's comparison as the widget calls it: 64 crops at stride 2 against one pass.
#[wasm_bindgen_test]
fn the_sliding_windows_comparison_in_the_browser() {
    let sliding = include_bytes!("../../www/models/sliding-windows.onnx");
    let small = wasm::load_model(u8s(sliding), shape(&[1, 3, 14, 14])).unwrap();
    let big = wasm::load_model(u8s(sliding), shape(&[1, 3, 28, 28])).unwrap();
    let mosaic = wasm::patch_mosaic(1.into()).unwrap();
    let c: JsValue = wasm::compare_sliding_windows(&small, &big, get(&mosaic, "tensor"))
        .unwrap()
        .into();
    assert_eq!(get(&c, "crops").as_f64(), Some(64.));
    assert_eq!(get(&c, "stride").as_f64(), Some(2.));
    assert_eq!(numbers_of(&get(&c, "window")), [14., 14.]);
    assert!(get(&c, "largestDifference").as_f64().unwrap() < 1e-5);
    assert!(get(&c, "naiveMs").as_f64().unwrap() >= 0.0);
    assert_eq!(
        message(wasm::compare_sliding_windows(
            &big,
            &small,
            get(&mosaic, "tensor")
        )),
        "a [1, 3, 28, 28] window does not fit the [1, 3, 14, 14] image"
    );
}
