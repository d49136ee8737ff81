//! Lecture 20 on LeNet-5: frozen features of generated letters (classes the network never saw),
//! a new softmax layer trained in plain Rust, and its learning curve.

use cnn_playground::engine::Model;
use cnn_playground::letters::{letter_set, LETTERS};
use cnn_playground::transfer::{learning_curve, train_softmax, TrainOptions};

fn features(model: &Model, inputs: &[f32], layer: Option<usize>) -> (Vec<f32>, usize) {
    let Some(layer) = layer else {
        return (inputs.to_vec(), 1024);
    };
    let mut out = Vec::new();
    let mut dim = 0;
    for x in inputs.chunks_exact(1024) {
        let o = model.layer_output(x, layer).unwrap();
        dim = o.data.len();
        out.extend(o.data);
    }
    (out, dim)
}

/// The training letters (seed 1) and the test letters (seed 2) are different draws; the softmax
/// on LeNet-5's frozen features learns the four letters from 20 examples each, and with 2 per
/// class the frozen second pooling layer beats raw pixels by more than 10 points (the point of transfer learning).
#[test]
fn a_new_softmax_on_frozen_lenet5_features_learns_letters() {
    let model = Model::load(include_bytes!("../../www/models/lenet5-digits.onnx")).unwrap();
    let (train_y, train_x) = letter_set(20, 1).unwrap();
    let (test_y, test_x) = letter_set(50, 2).unwrap();
    let mut curves = Vec::new();
    // Raw pixels, then the outputs of pool1, pool2, fc1's ReLU and fc2's ReLU.
    for (name, layer) in [
        ("pixels", None),
        ("pool1", Some(2)),
        ("pool2", Some(5)),
        ("fc1", Some(8)),
        ("fc2", Some(10)),
    ] {
        let (tr, dim) = features(&model, &train_x, layer);
        let (te, _) = features(&model, &test_x, layer);
        let curve = learning_curve(
            (&tr, &train_y),
            (&te, &test_y),
            dim,
            LETTERS.len(),
            &[1, 2, 5, 10, 20],
            TrainOptions::default(),
        )
        .unwrap();
        println!("{name:>6} ({dim:>4} features): {curve:?}");
        curves.push(curve);
    }
    let at = |cut: usize, n: usize| curves[cut].iter().find(|c| c.0 == n).unwrap().1;
    for (cut, curve) in curves.iter().enumerate().skip(1) {
        assert!(at(cut, 20) >= 0.9, "cut {cut}: {curve:?}");
    }
    assert!(at(2, 2) > at(0, 2) + 0.1, "{curves:?}");

    let (tr, dim) = features(&model, &train_x, Some(5));
    let softmax = train_softmax(&tr, dim, &train_y, 4, TrainOptions::default()).unwrap();
    let (te, _) = features(&model, &test_x, Some(5));
    assert_eq!(
        softmax.accuracy(&te, &test_y).unwrap(),
        learning_curve(
            (&tr, &train_y),
            (&te, &test_y),
            dim,
            4,
            &[20],
            TrainOptions::default()
        )
        .unwrap()[0]
            .1
    );
}
