//! LeNet-5 on scikit-learn's digits (lectures 10, 13) and the explorer's fixtures, through tract:
//! held-out accuracy, the layer table and feature maps from the real graph, a model without
//! convolutions, an op no runtime knows.

use cnn_playground::engine::Model;

/// LeNet-5 on scikit-learn's digits (www/models/lenet5-digits.onnx, made by
/// data/digits/train_lenet.py): the accuracy on the 360 held-out digits, recomputed through tract
/// from `www/models/digits-heldout.bin` with the crate's own `digits::lenet_input`.
#[test]
fn lenet5_reaches_97_percent_on_held_out_digits() {
    use cnn_playground::digits::lenet_input;
    const LENET: &[u8] = include_bytes!("../../www/models/lenet5-digits.onnx");
    const HELD_OUT: &[u8] = include_bytes!("../../www/models/digits-heldout.bin");
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
    let model = Model::load(include_bytes!("../../www/models/lenet5-digits.onnx")).unwrap();
    let table: Vec<(&str, Vec<usize>, usize, u64)> = model
        .layers()
        .unwrap()
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
        model
            .layers()
            .unwrap()
            .iter()
            .map(|l| l.params)
            .sum::<usize>(),
        61_706
    );

    let held_out = include_bytes!("../../www/models/digits-heldout.bin");
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

/// The end-to-end tests' "not a CNN" fixture (tests/fixtures/mlp.onnx, written by
/// examples/make_fixtures.rs) is a runnable model without any convolution.
#[test]
fn the_mlp_fixture_runs_and_has_no_convolution() {
    let model = Model::load(include_bytes!("../fixtures/mlp.onnx")).unwrap();
    let ops: Vec<&str> = model
        .layers()
        .unwrap()
        .iter()
        .map(|l| l.op.as_str())
        .collect();
    assert_eq!(ops, ["Flatten", "Gemm", "Relu", "Gemm", "Softmax"]);
    assert!(model.layers().unwrap().iter().all(|l| !l.feature_map));
    let out = model.run(&[0.5; 64]).unwrap();
    assert_eq!(out.shape, [1, 10]);
    assert!((out.data.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}

/// `Model::load_timed` reads the clock once at each phase boundary (read → analyse → optimise):
/// with a clock that counts its calls every phase takes exactly one tick, and the model it loads
/// runs like `Model::load`'s.
#[test]
fn loading_is_timed_phase_by_phase() {
    let ticks = std::cell::Cell::new(0.0);
    let clock = || {
        ticks.set(ticks.get() + 1.0);
        ticks.get()
    };
    let bytes = include_bytes!("../fixtures/mlp.onnx");
    let (model, phases) = Model::load_timed(bytes, None, &clock).unwrap();
    assert_eq!(
        (phases.read_ms, phases.analyse_ms, phases.optimise_ms),
        (1.0, 1.0, 1.0)
    );
    assert_eq!(ticks.get(), 4.0);
    let plain = Model::load(bytes).unwrap();
    assert_eq!(
        model.run(&[0.5; 64]).unwrap(),
        plain.run(&[0.5; 64]).unwrap()
    );
}

/// An op no runtime knows (tests/fixtures/unknown-op.onnx, examples/make_fixtures.rs): loading
/// fails with a message that names it.
#[test]
fn an_unknown_op_is_named_in_the_error() {
    let e = Model::load(include_bytes!("../fixtures/unknown-op.onnx"))
        .err()
        .expect("the model must not load");
    assert_eq!(
        format!("{e:#}"),
        "tract cannot run the op Frobnicate (node relu_3_Relu): this model cannot be loaded in the playground"
    );
}

/// Lecture 22 measured: five LeNet-5 networks trained alike from seeds 0-4
/// (`data/digits/train_lenet.py --seed K`) on the 360 held-out digits, alone, averaged, and over the
/// ten crops of each digit (`ensemble::evaluate`, what the page shows). The figures are printed;
/// what is asserted is what the lecture predicts whatever the seeds: the members are different
/// networks, the average is no worse than the weakest of them, and mirrored crops, which are no
/// digits the networks learnt, cost accuracy.
#[test]
fn an_ensemble_and_multi_crop_on_held_out_digits() {
    use cnn_playground::digits::digit_set;
    use cnn_playground::ensemble::evaluate;
    const HELD_OUT: &[u8] = include_bytes!("../../www/models/digits-heldout.bin");
    const MEMBERS: [&[u8]; 5] = [
        include_bytes!("../../www/models/lenet5-digits.onnx"),
        include_bytes!("../../www/models/lenet5-digits-seed1.onnx"),
        include_bytes!("../../www/models/lenet5-digits-seed2.onnx"),
        include_bytes!("../../www/models/lenet5-digits-seed3.onnx"),
        include_bytes!("../../www/models/lenet5-digits-seed4.onnx"),
    ];
    let set = digit_set(HELD_OUT).unwrap();
    let models: Vec<Model> = MEMBERS.iter().map(|b| Model::load(b).unwrap()).collect();
    let refs: Vec<&Model> = models.iter().collect();
    let r = evaluate(&refs, &set).unwrap();
    println!(
        "lecture 22 on {} held-out digits: members {:?}; ensemble {:.4} ({} fixed, {} broken); network 1 over 5 crops {:.4}, over 10 crops {:.4}; ensemble over 5 crops {:.4}",
        r.count, r.members, r.ensemble, r.fixed_by_ensemble, r.broken_by_ensemble, r.five_crops, r.ten_crops, r.ensemble_five_crops
    );
    assert_eq!(r.count, 360);
    // The single-network figure is the one lenet5_reaches_97_percent… measures one digit at a time.
    assert!(r.members[0] >= 0.97, "{:?}", r.members);
    let outputs: Vec<Vec<f32>> = models
        .iter()
        .map(|m| m.run(&set.inputs[..1024]).unwrap().data)
        .collect();
    assert!(
        outputs.windows(2).all(|w| w[0] != w[1]),
        "two members answer identically"
    );
    let weakest = r.members.iter().copied().fold(1.0, f64::min);
    assert!(r.ensemble >= weakest, "{r:?}");
    assert!(r.ten_crops < r.five_crops, "{r:?}");
    // A network of another input is refused with the shape it should take.
    let sliding = include_bytes!("../../www/models/sliding-windows.onnx");
    let other = Model::load_with_input_shape(sliding, Some(&[1, 3, 14, 14])).unwrap();
    let e = evaluate(&[&other], &set).unwrap_err().to_string();
    assert_eq!(
        e,
        "network 0 takes [1, 3, 14, 14], not one digit [1, 1, 32, 32] like LeNet-5"
    );
}
