//! The models trained by the project, judged through tract: LeNet-5 by its held-out accuracy, the
//! shapes detector (www/models/shapes-detector.onnx, made by data/shapes/train_detector.py) by its
//! mAP@0.5 on 300 held-out generated scenes (seeds 0..299; training used seeds 1000000 and up), decoded and
//! suppressed by src/detect.rs; lecture 26's sliding-windows classifier by its accuracy and by the
//! equality of its convolutional pass with the naive loop over crops.

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

/// Lecture 26: the classifier of 14x14 crops, fully convolutional (www/models/sliding-windows.onnx,
/// made by data/shapes/train_sliding.py): accurate on held-out patches, and one pass over a 28x28
/// mosaic gives exactly what the 14x14 model gives on each of the 64 crops at stride 2.
#[test]
fn the_convolutional_sliding_windows_equal_the_naive_loop() {
    use cnn_playground::image::crop;
    use cnn_playground::scenes::{patch, patch_mosaic, PATCH_SIZE};
    const SLIDING: &[u8] = include_bytes!("../www/models/sliding-windows.onnx");
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

    let (mosaic, classes) = patch_mosaic(40, PATCH_SIZE).unwrap();
    let pass = big.run(&mosaic).unwrap().data;
    let mut worst = 0.0f32;
    for y in 0..8 {
        for x in 0..8 {
            let window = crop(&mosaic, [3, 28, 28], 2 * y, 2 * x, 14, 14).unwrap();
            let alone = small.run(&window).unwrap().data;
            for c in 0..4 {
                worst = worst.max((alone[c] - pass[c * 64 + y * 8 + x]).abs());
            }
        }
    }
    assert!(
        worst < 1e-5,
        "crop and convolutional outputs differ by {worst}"
    );
    // The four corner windows see exactly one patch each and name its class.
    for (k, (y, x)) in [(0, 0), (0, 7), (7, 0), (7, 7)].into_iter().enumerate() {
        let best = (0..4)
            .max_by(|&a, &b| pass[a * 64 + y * 8 + x].total_cmp(&pass[b * 64 + y * 8 + x]))
            .unwrap();
        assert_eq!(best, classes[k], "corner window ({y}, {x})");
    }
}

/// LeNet-5 on scikit-learn's digits (www/models/lenet5-digits.onnx, made by
/// data/digits/train_lenet.py): the accuracy on the 360 held-out digits, recomputed through tract
/// from `www/models/digits-heldout.bin` with the crate's own `digits::lenet_input`.
#[test]
fn lenet5_reaches_97_percent_on_held_out_digits() {
    use cnn_playground::digits::lenet_input;
    const LENET: &[u8] = include_bytes!("../www/models/lenet5-digits.onnx");
    const HELD_OUT: &[u8] = include_bytes!("../www/models/digits-heldout.bin");
    let model = Model::load(LENET).unwrap();
    assert_eq!(
        (model.input_shape(), model.output_shape()),
        (&[1, 1, 32, 32][..], &[1, 10][..])
    );
    assert_eq!(&HELD_OUT[..4], b"DIG1");
    let records = HELD_OUT[4..].chunks_exact(65);
    let total = records.len();
    assert_eq!(total, 360);
    let correct = records
        .filter(|r| {
            let digit: Vec<f32> = r[1..].iter().map(|&v| v as f32).collect();
            let p = model.run(&lenet_input(&digit).unwrap()).unwrap().data;
            let sum: f32 = p.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4, "softmax output sums to {sum}");
            let best = (0..10).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            best == r[0] as usize
        })
        .count();
    let accuracy = correct as f32 / total as f32;
    println!("LeNet-5: {correct}/{total} held-out digits right, accuracy {accuracy:.4}");
    assert!(accuracy >= 0.97, "accuracy {accuracy}");
}

/// The explorer's view of LeNet-5: every layer's op, shape, parameters and multiply-adds (lecture
/// 13's numbers: 61,706 parameters), and feature maps taken from the real graph that agree with
/// each other (ReLU of the conv map, max pooling of the ReLU map, by the reference).
#[test]
fn lenet5_layers_and_feature_maps_come_from_the_graph() {
    use cnn_playground::digits::lenet_input;
    use cnn_playground::geometry::Padding;
    use cnn_playground::ops::{Pool, PoolMode};
    use cnn_playground::reference;
    let model = Model::load(include_bytes!("../www/models/lenet5-digits.onnx")).unwrap();
    let table: Vec<(&str, Vec<usize>, usize, u64)> = model
        .layers()
        .iter()
        .map(|l| (l.op.as_str(), l.output_shape.clone(), l.params, l.macs))
        .collect();
    assert_eq!(
        table,
        [
            ("Conv", vec![1, 6, 28, 28], 156, 117_600),
            ("Relu", vec![1, 6, 28, 28], 0, 0),
            ("MaxPool", vec![1, 6, 14, 14], 0, 0),
            ("Conv", vec![1, 16, 10, 10], 2_416, 240_000),
            ("Relu", vec![1, 16, 10, 10], 0, 0),
            ("MaxPool", vec![1, 16, 5, 5], 0, 0),
            ("Flatten", vec![1, 400], 0, 0),
            ("Gemm", vec![1, 120], 48_120, 48_000),
            ("Relu", vec![1, 120], 0, 0),
            ("Gemm", vec![1, 84], 10_164, 10_080),
            ("Relu", vec![1, 84], 0, 0),
            ("Gemm", vec![1, 10], 850, 840),
            ("Softmax", vec![1, 10], 0, 0),
        ]
    );
    assert_eq!(
        model.layers().iter().map(|l| l.params).sum::<usize>(),
        61_706
    );

    let held_out = include_bytes!("../www/models/digits-heldout.bin");
    let digit: Vec<f32> = held_out[5..69].iter().map(|&v| v as f32).collect();
    let maps = model.feature_maps(&lenet_input(&digit).unwrap()).unwrap();
    let layers: Vec<usize> = maps.iter().map(|m| m.0).collect();
    assert_eq!(layers, [0, 1, 2, 3, 4, 5]);
    let (conv, relu, pool) = (&maps[0].1, &maps[1].1, &maps[2].1);
    assert_eq!(conv.shape, [1, 6, 28, 28]);
    assert!(
        conv.data.iter().any(|&v| v < 0.0),
        "the conv map has negative values"
    );
    for (c, r) in conv.data.iter().zip(&relu.data) {
        assert_eq!(*r, c.max(0.0));
    }
    let pooled = reference::pool(&Pool {
        input: &relu.data,
        input_shape: &[6, 28, 28],
        mode: PoolMode::Max,
        size: &[2, 2],
        padding: &Padding::Valid,
        stride: &[2, 2],
    })
    .unwrap();
    assert_eq!(pooled.data, pool.data);
}

/// Lecture 39 on LeNet-5: receptive fields follow the convs and pools (a pool-2 position sees a
/// 16x16 patch, 4 pixels from its neighbour), and the top activations of a channel over the
/// held-out digits are the largest per-digit maxima of the real graph's feature map, strongest
/// first.
#[test]
fn lenet5_top_activations_are_the_strongest_patches_over_held_out_digits() {
    use cnn_playground::digits::{lenet_input, parse_digit_set};
    use cnn_playground::geometry::ReceptiveField;
    let model = Model::load(include_bytes!("../www/models/lenet5-digits.onnx")).unwrap();
    let fields: Vec<Option<(usize, usize, isize)>> = model
        .layers()
        .iter()
        .map(|l| {
            l.receptive_field.map(|[r, c]| {
                assert_eq!(r, c);
                (r.size, r.jump, r.start)
            })
        })
        .collect();
    assert_eq!(
        fields[..7],
        [
            Some((5, 1, 0)),
            Some((5, 1, 0)),
            Some((6, 2, 0)),
            Some((14, 2, 0)),
            Some((14, 2, 0)),
            Some((16, 4, 0)),
            None
        ]
    );

    let digits = parse_digit_set(include_bytes!("../www/models/digits-heldout.bin")).unwrap();
    let inputs: Vec<f32> = digits
        .iter()
        .take(60)
        .flat_map(|d| lenet_input(&d.pixels).unwrap())
        .collect();
    let (layer, channel) = (5, 3);
    let top = model.top_activations(&inputs, layer, channel, 9).unwrap();
    assert_eq!(top.len(), 9);
    // Independently: each input's maximum of the channel, from the probe plan's feature maps.
    let mut maxima: Vec<(f32, usize)> = inputs
        .chunks_exact(1024)
        .enumerate()
        .map(|(i, x)| {
            let maps = model.feature_maps(x).unwrap();
            let pool = &maps.iter().find(|m| m.0 == layer).unwrap().1;
            let plane = &pool.data[channel * 25..(channel + 1) * 25];
            (plane.iter().copied().fold(f32::MIN, f32::max), i)
        })
        .collect();
    maxima.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, (value, input)) in top.iter().zip(&maxima) {
        assert_eq!((t.input, t.value), (*input, *value));
        let field = ReceptiveField {
            size: 16,
            jump: 4,
            start: 0,
        };
        assert_eq!(t.window, [field.window(t.at[0]), field.window(t.at[1])]);
    }
    assert!(top[0].value > top[8].value);

    for (bad, message) in [
        ((&inputs[..1000], 5, 0), "not a whole number of inputs"),
        ((&inputs[..], 6, 0), "not a stack of feature maps"),
        ((&inputs[..], 5, 16), "layer 5 ("),
    ] {
        let e = model.top_activations(bad.0, bad.1, bad.2, 9).unwrap_err();
        assert!(format!("{e:#}").contains(message), "{e:#}");
    }
}

/// Lecture 26's receptive field, read from the ONNX attributes: each output position of the
/// sliding-windows classifier sees a 14x14 window, 2 pixels from its neighbour.
#[test]
fn the_sliding_windows_output_sees_14x14_windows_at_stride_2() {
    let model = Model::load_with_input_shape(
        include_bytes!("../www/models/sliding-windows.onnx"),
        Some(&[1, 3, 28, 28]),
    )
    .unwrap();
    let last = model
        .layers()
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

/// The end-to-end tests' "not a CNN" fixture (tests/fixtures/mlp.onnx, written by
/// examples/make_fixtures.rs) is a runnable model without any convolution.
#[test]
fn the_mlp_fixture_runs_and_has_no_convolution() {
    let model = Model::load(include_bytes!("../tests/fixtures/mlp.onnx")).unwrap();
    let ops: Vec<&str> = model.layers().iter().map(|l| l.op.as_str()).collect();
    assert_eq!(ops, ["Flatten", "Gemm", "Relu", "Gemm", "Softmax"]);
    assert!(model.layers().iter().all(|l| !l.feature_map));
    let out = model.run(&[0.5; 64]).unwrap();
    assert_eq!(out.shape, [1, 10]);
    assert!((out.data.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}

/// An op no runtime knows (tests/fixtures/unknown-op.onnx, examples/make_fixtures.rs): loading
/// fails with a message that names it.
#[test]
fn an_unknown_op_is_named_in_the_error() {
    let e = Model::load(include_bytes!("../tests/fixtures/unknown-op.onnx"))
        .err()
        .expect("the model must not load");
    assert_eq!(
        format!("{e:#}"),
        "tract cannot run the op Frobnicate (node relu_3_Relu): this model cannot be loaded in the playground"
    );
}
