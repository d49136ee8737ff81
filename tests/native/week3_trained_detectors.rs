//! The detection models trained by the project, judged through tract and the crate's pipeline: the
//! shapes detector (www/models/shapes-detector.onnx, made by data/shapes/train_detector.py) by its
//! mAP@0.5 on 300 held-out generated scenes (seeds 0..299; training used seeds 1000000 and up)
//! through `detector::Detector`; lecture 26's sliding-windows classifier by its accuracy, by the
//! equality of its convolutional pass with the naive loop over crops (`sliding::compare`, what the
//! page shows) and by its receptive field.

use cnn_playground::detect::{mean_average_precision, Predictions};
use cnn_playground::detector::Detector;
use cnn_playground::engine::Model;
use cnn_playground::scenes::{detector_spec, generate, CLASSES, SCENE_SIZE};

const MODEL: &[u8] = include_bytes!("../../www/models/shapes-detector.onnx");

/// The shapes detector through the page's pipeline (`Detector`: run, decode, per-class NMS) reaches
/// mAP@0.5 ≥ 0.9 on 300 held-out scenes.
#[test]
fn the_shapes_detector_reaches_map_0_9_on_held_out_scenes() {
    let detector = Detector::new(Model::load(MODEL).unwrap(), detector_spec()).unwrap();
    assert_eq!(detector.input_size(), SCENE_SIZE);
    let (mut predictions, mut truths): (Vec<Predictions>, Vec<_>) = (Vec::new(), Vec::new());
    for seed in 0..300 {
        let scene = generate(seed, SCENE_SIZE).unwrap();
        // A low score threshold so the whole precision-recall curve counts.
        let run = detector.detect(&scene.image, 0.01, 0.45).unwrap();
        assert_eq!(
            run.detections.len(),
            6 * 6 * 2,
            "one prediction per cell and anchor"
        );
        predictions.push(
            run.kept()
                .iter()
                .map(|d| (d.bbox, d.score, d.class as usize))
                .collect(),
        );
        truths.push(scene.objects);
    }
    let (map, per_class) =
        mean_average_precision(&predictions, &truths, CLASSES.len(), 0.5).unwrap();
    println!("mAP@0.5 over 300 held-out scenes: {map:.4}; per class {per_class:?}");
    assert!(map >= 0.9, "mAP@0.5 {map} below 0.9 ({per_class:?})");
}

/// Lecture 29 made visible: at the lecture's thresholds (score 0.6, IoU 0.5), non-max suppression
/// removes at least one box in most of 100 generated scenes (seeds 1..=100, the page's "Another
/// scene" sequence), because the detector was trained to let every anchor of an object's cell whose
/// shape fits it predict it (`scenes::training_target`).
#[test]
fn non_max_suppression_has_duplicates_to_remove_in_most_scenes() {
    let detector = Detector::new(Model::load(MODEL).unwrap(), detector_spec()).unwrap();
    let (mut with_suppression, mut suppressed) = (0, 0);
    for seed in 1..=100 {
        let scene = generate(seed, SCENE_SIZE).unwrap();
        let run = detector.detect(&scene.image, 0.6, 0.5).unwrap();
        let n: usize = run.trace.steps.iter().map(|s| s.suppressed.len()).sum();
        suppressed += n;
        with_suppression += usize::from(n > 0);
    }
    println!("non-max suppression at 0.6 / 0.5: a box suppressed in {with_suppression} of 100 scenes ({suppressed} boxes in all)");
    assert!(
        with_suppression > 50,
        "suppression in only {with_suppression} of 100 scenes"
    );
}

/// A detector whose grid does not fit the model's output is refused with both shapes named.
#[test]
fn a_detector_with_the_wrong_grid_is_refused() {
    let mut spec = detector_spec();
    spec.anchors.push((3.0, 3.0));
    let e = Detector::new(Model::load(MODEL).unwrap(), spec)
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "the model's output [1, 16, 6, 6] does not fit a 6×6 grid with 3 anchors and 3 classes, which needs [1, 24, 6, 6]"
    );
}

/// Lecture 26: the classifier of 14x14 crops, fully convolutional (www/models/sliding-windows.onnx,
/// made by data/shapes/train_sliding.py): accurate on held-out patches, and one pass over a 28x28
/// mosaic gives exactly what the 14x14 model gives on each of the 64 crops at stride 2.
#[test]
fn the_convolutional_sliding_windows_equal_the_naive_loop() {
    use cnn_playground::image::crop;
    use cnn_playground::scenes::{patch, patch_mosaic, PATCH_SIZE};
    use cnn_playground::sliding::compare;
    const SLIDING: &[u8] = include_bytes!("../../www/models/sliding-windows.onnx");
    let small = Model::load_with_input_shape(SLIDING, Some(&[1, 3, 14, 14])).unwrap();
    let big = Model::load_with_input_shape(SLIDING, Some(&[1, 3, 28, 28])).unwrap();
    assert_eq!(small.output_shape(), [1, 4, 1, 1]);
    assert_eq!(big.output_shape(), [1, 4, 8, 8]);

    let held_out = 500;
    let correct = (0..held_out)
        .filter(|i| {
            let (image, class) = patch(5_000_000 + i, PATCH_SIZE).unwrap();
            let p = small.run(&image).unwrap().data;
            let best = (0..4).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            best == class
        })
        .count();
    let accuracy = correct as f32 / held_out as f32;
    println!("sliding-windows classifier: accuracy {accuracy:.4} on {held_out} held-out patches");
    assert!(accuracy >= 0.97, "accuracy {accuracy}");

    let m = patch_mosaic(40, PATCH_SIZE).unwrap();
    let (mosaic, classes) = (m.image, m.classes);
    let mut clock = 0.0;
    let c = compare(&small, &big, &mosaic, &mut || {
        clock += 1.0;
        clock
    })
    .unwrap();
    assert_eq!((c.crops, c.window, c.stride), (64, [14, 14], 2));
    assert_eq!((c.pass_ms, c.naive_ms), (1.0, 1.0), "each side timed once");
    assert_eq!(c.naive.shape, c.pass.shape);
    assert!(
        c.largest_difference < 1e-5,
        "crop and convolutional outputs differ by {}",
        c.largest_difference
    );
    // Independently of `compare`: window (3, 5) cropped by hand equals the pass there.
    let window = crop(&mosaic, [3, 28, 28], 6, 10, 14, 14).unwrap();
    let alone = small.run(&window).unwrap().data;
    for (k, v) in alone.iter().enumerate() {
        assert!((v - c.pass.data[k * 64 + 3 * 8 + 5]).abs() < 1e-5);
    }
    let pass = c.pass.data;
    // The four corner windows see exactly one patch each and name its class.
    for (k, (y, x)) in [(0, 0), (0, 7), (7, 0), (7, 7)].into_iter().enumerate() {
        let best = (0..4)
            .max_by(|&a, &b| pass[a * 64 + y * 8 + x].total_cmp(&pass[b * 64 + y * 8 + x]))
            .unwrap();
        assert_eq!(best, classes[k], "corner window ({y}, {x})");
    }
}

/// Lecture 26's receptive field, read from the ONNX attributes: each output position of the
/// sliding-windows classifier sees a 14x14 window, 2 pixels from its neighbour.
#[test]
fn the_sliding_windows_output_sees_14x14_windows_at_stride_2() {
    let model = Model::load_with_input_shape(
        include_bytes!("../../www/models/sliding-windows.onnx"),
        Some(&[1, 3, 28, 28]),
    )
    .unwrap();
    let last = model
        .layers()
        .unwrap()
        .iter()
        .rev()
        .find(|l| l.output_shape.len() == 4)
        .unwrap();
    assert_eq!(last.output_shape, [1, 4, 8, 8]);
    let [rows, cols] = last.receptive_field.unwrap();
    assert_eq!((rows.size, rows.jump, rows.start), (14, 2, 0));
    assert_eq!(cols, rows);
    assert_eq!(rows.window(7), 14..28);
}

/// Lecture 26: on held-out 28x28 mosaics, each of the 64 windows names the shape whose centre it
/// holds, or background (`scenes::window_labels`), so the 8x8 output reads as a map of where the
/// shapes are. The figure is printed; the sidecar keeps the one measured at training.
#[test]
fn the_sliding_windows_map_where_the_shapes_are() {
    use cnn_playground::scenes::{patch_mosaic, window_labels, PATCH_SIZE};
    const SLIDING: &[u8] = include_bytes!("../../www/models/sliding-windows.onnx");
    let big = Model::load_with_input_shape(SLIDING, Some(&[1, 3, 28, 28])).unwrap();
    let (mosaics, mut correct, mut corners) = (200u64, 0, 0);
    for i in 0..mosaics {
        // Held out: training used mosaics from seed 3,000,000 on, validation 4,000,000.
        let m = patch_mosaic(6_000_000 + 4 * i, PATCH_SIZE).unwrap();
        let labels = window_labels(&m, 14, 2).unwrap();
        let out = big.run(&m.image).unwrap().data;
        for (w, &label) in labels.iter().enumerate() {
            let best = (0..4)
                .max_by(|&a, &b| out[a * 64 + w].total_cmp(&out[b * 64 + w]))
                .unwrap();
            if best == label {
                correct += 1;
                if [0, 7, 56, 63].contains(&w) {
                    corners += 1;
                }
            }
        }
    }
    let accuracy = correct as f64 / (64 * mosaics) as f64;
    let corner_accuracy = corners as f64 / (4 * mosaics) as f64;
    println!(
        "sliding-windows map: {accuracy:.4} of {} held-out windows right ({corner_accuracy:.4} of the corner windows)",
        64 * mosaics
    );
    // Before training on windows at every offset: 0.34 (only the corner windows were right).
    assert!(accuracy >= 0.9, "accuracy {accuracy}");
    assert_eq!(corner_accuracy, 1.0);
}
