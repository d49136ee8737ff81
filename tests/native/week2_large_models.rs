//! Model files past the old 64 MiB limit (issue 14, part 2): torchvision's AlexNet export is
//! 244 MB, VGG-11's 531 MB. Files up to `MAX_RUN_BYTES` load and run; larger ones, up to
//! `MAX_MODEL_BYTES`, show their structure, shapes and counts with their weights skipped as the
//! file is read. The models here are generated (a conv, a pool and a dense layer whose weight
//! makes the file large), not committed.

use cnn_playground::engine::{strip_weights, Model, MAX_MODEL_BYTES, MAX_RUN_BYTES};
use cnn_playground::graph::{encode, GraphBuilder};

/// A 1×3×32×32 input, a 3×3 conv to 8 channels, a 2×2 max pool, flatten (2,048 values) and a
/// dense layer to `units` units: `(3·9 + 1)·8 + (2048 + 1)·units` parameters, about
/// `8 KB · units` of file.
fn wide_model(units: usize) -> (Vec<u8>, u64) {
    let mut g = GraphBuilder::new("wide", &[1, 3, 32, 32]);
    let x = g.input();
    let w: Vec<f32> = (0..8 * 27).map(|i| (i % 7) as f32 * 0.01).collect();
    let c = g.conv(
        &x,
        (&[8, 3, 3, 3], &w),
        Some(&[0.1; 8]),
        &[1, 1, 1, 1],
        &[1, 1],
        1,
    );
    let r = g.relu(&c);
    let p = g.max_pool(&r, &[2, 2], &[2, 2], &[0, 0, 0, 0]);
    let f = g.flatten(&p);
    let dense: Vec<f32> = (0..units * 2048).map(|i| (i % 13) as f32 * 1e-4).collect();
    let d = g.dense(&f, (&[units, 2048], &dense), &vec![0.0; units]);
    let bytes = encode(&g.finish(&d));
    (bytes, (27 + 1) * 8 + (2048 + 1) * units as u64)
}

#[test]
fn a_file_over_64_mib_loads_and_runs() {
    let (bytes, params) = wide_model(9000);
    assert!(
        bytes.len() > 64 << 20 && bytes.len() <= MAX_RUN_BYTES,
        "{}",
        bytes.len()
    );
    let model = Model::load(&bytes).unwrap();
    let counted: u64 = model
        .layers()
        .unwrap()
        .iter()
        .map(|l| l.params as u64)
        .sum();
    assert_eq!(counted, params);
    let out = model.run(&vec![0.5; 3 * 32 * 32]).unwrap();
    assert_eq!(out.shape, [1, 9000]);
}

#[test]
fn a_file_too_large_to_run_shows_its_structure_without_its_weights() {
    let (bytes, params) = wide_model(36_000);
    assert!(
        bytes.len() > MAX_RUN_BYTES && bytes.len() <= MAX_MODEL_BYTES,
        "{}",
        bytes.len()
    );
    let err = format!("{:#}", Model::load(&bytes).err().unwrap());
    assert!(
        err.starts_with(&format!(
            "the model file has {} MB, more than the 256 MiB the playground can run in a browser: open it in the model explorer",
            bytes.len() / 1_000_000
        )),
        "{err}"
    );
    // The weights are left out as the file is read: what tract analyses is a few kilobytes.
    let stripped = strip_weights(&bytes).unwrap();
    assert!(stripped.len() < 4096, "{}", stripped.len());
    let s = Model::structure(&bytes).unwrap();
    assert_eq!(s.input_shape, [1, 3, 32, 32]);
    assert_eq!(s.output_shape, [1, 36_000]);
    let ops: Vec<&str> = s.layers.iter().map(|l| l.op.as_str()).collect();
    assert_eq!(ops, ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"]);
    assert_eq!(
        s.layers.iter().map(|l| l.params as u64).sum::<u64>(),
        params
    );
    assert_eq!(s.layers[2].output_shape, [1, 8, 16, 16]);
}

#[test]
fn structure_agrees_with_the_loaded_model_and_refuses_what_is_not_onnx() {
    let (bytes, _) = wide_model(10);
    let model = Model::load(&bytes).unwrap();
    let s = Model::structure(&bytes).unwrap();
    assert_eq!(s.layers.len(), model.layers().unwrap().len());
    for (a, b) in s.layers.iter().zip(model.layers().unwrap()) {
        assert_eq!(
            (&a.op, &a.output_shape, a.params, a.macs),
            (&b.op, &b.output_shape, b.params, b.macs)
        );
    }
    let err = format!(
        "{:#}",
        Model::structure(b"\x0a\xff\xff\xff\xff\x0f").err().unwrap()
    );
    assert!(
        err.starts_with("cannot read an ONNX model from these 6 bytes"),
        "{err}"
    );
}

/// Exporters store identical tensors once and alias them with `Identity` (torchvision's VGG-11
/// shares every zero bias of one size): each layer that uses a shared weight counts it, as
/// PyTorch does (132,863,336 for VGG-11; 5,888 fewer before this was followed through aliases).
#[test]
fn weights_shared_through_identity_count_for_each_layer_that_uses_them() {
    use tract_onnx::pb;
    let mut g = GraphBuilder::new("shared", &[1, 2, 8, 8]);
    let x = g.input();
    let a = g.conv(
        &x,
        (&[2, 2, 3, 3], &[0.1; 36]),
        Some(&[0.0; 2]),
        &[1, 1, 1, 1],
        &[1, 1],
        1,
    );
    let b = g.conv(
        &a,
        (&[2, 2, 3, 3], &[0.2; 36]),
        Some(&[0.0; 2]),
        &[1, 1, 1, 1],
        &[1, 1],
        1,
    );
    let mut proto = g.finish(&b);
    let graph = proto.graph.as_mut().unwrap();
    let first_bias = graph.node[0].input[2].clone();
    let second_bias = graph.node[1].input[2].clone();
    graph.initializer.retain(|t| t.name != second_bias);
    graph.node.insert(
        0,
        pb::NodeProto {
            name: "Identity_0".into(),
            op_type: "Identity".into(),
            input: vec![first_bias],
            output: vec![second_bias],
            ..Default::default()
        },
    );
    let bytes = encode(&proto);
    let loaded: Vec<usize> = Model::load(&bytes)
        .unwrap()
        .layers()
        .unwrap()
        .iter()
        .map(|l| l.params)
        .collect();
    let structure: Vec<usize> = Model::structure(&bytes)
        .unwrap()
        .layers
        .iter()
        .map(|l| l.params)
        .collect();
    assert_eq!(loaded, [38, 38]);
    assert_eq!(structure, [38, 38]);
}
