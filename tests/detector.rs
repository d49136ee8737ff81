//! The trained shapes detector (www/models/shapes-detector.onnx, made by
//! data/shapes/train_detector.py) judged through tract: mAP@0.5 on 300 held-out generated scenes
//! (seeds 0..299; training used seeds 1000000 and up), decoded and suppressed by src/detect.rs.

// Native tests; the browser suite is tests/web.rs.
#![cfg(not(target_arch = "wasm32"))]

use cnn_playground::detect::{mean_average_precision, nms_trace, yolo_decode, Predictions};
use cnn_playground::engine::Model;
use cnn_playground::scenes::{detector_spec, generate, CLASSES, SCENE_SIZE};

const MODEL: &[u8] = include_bytes!("../www/models/shapes-detector.onnx");

#[test]
fn the_shapes_detector_reaches_map_0_9_on_held_out_scenes() {
    let model = Model::load(MODEL).unwrap();
    let spec = detector_spec();
    assert_eq!(model.input_shape(), [1, 3, SCENE_SIZE, SCENE_SIZE]);
    assert_eq!(
        model.output_shape(),
        [1, spec.anchors.len() * spec.fields(), spec.grid, spec.grid]
    );
    let (mut predictions, mut truths): (Vec<Predictions>, Vec<_>) = (Vec::new(), Vec::new());
    for seed in 0..300 {
        let scene = generate(seed, SCENE_SIZE).unwrap();
        let out = model.run(&scene.image).unwrap();
        let found = yolo_decode(&spec, &out.data, &out.shape).unwrap();
        let boxes: Vec<_> = found.iter().map(|d| d.bbox).collect();
        let scores: Vec<_> = found.iter().map(|d| d.score).collect();
        let classes: Vec<_> = found.iter().map(|d| d.class).collect();
        // A low score threshold so the whole precision-recall curve counts.
        let kept = nms_trace(&boxes, &scores, Some(&classes), 0.01, 0.45)
            .unwrap()
            .kept();
        predictions.push(
            kept.iter()
                .map(|&i| (boxes[i], scores[i], classes[i] as usize))
                .collect(),
        );
        truths.push(scene.objects);
    }
    let (map, per_class) =
        mean_average_precision(&predictions, &truths, CLASSES.len(), 0.5).unwrap();
    println!("mAP@0.5 over 300 held-out scenes: {map:.4}; per class {per_class:?}");
    assert!(map >= 0.9, "mAP@0.5 {map} below 0.9 ({per_class:?})");
}
