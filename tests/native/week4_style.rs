//! Neural style transfer on a real trained CNN (lectures 40-42): the plain-Rust forward pass that
//! the gradients go through, with weights read from the sliding-windows classifier's ONNX file,
//! equals tract's activations of the same layers; gradient descent lowers J(G).

use cnn_playground::engine::{conv_weights, Model};
use cnn_playground::style::{forward, ConvWeights, Generator, Layer, Problem};

const SLIDING: &[u8] = include_bytes!("../../www/models/sliding-windows.onnx");

fn image(size: usize, seed: usize) -> Vec<f32> {
    (0..3 * size * size)
        .map(|i| (((i * 2654435761usize + seed * 97) % 1000) as f32) / 1000.0)
        .collect()
}

fn net() -> ConvWeights {
    let (shape, weight, bias) = conv_weights(SLIDING, "/conv1/Conv").unwrap();
    assert_eq!(shape, [16, 3, 5, 5]);
    ConvWeights::new(&shape, weight, bias).unwrap()
}

#[test]
fn the_rust_forward_pass_equals_tracts_activations() {
    let size = 32;
    let model = Model::load_with_input_shape(SLIDING, Some(&[1, 3, size, size])).unwrap();
    let relu = model
        .layers()
        .unwrap()
        .iter()
        .position(|l| l.op == "Relu")
        .unwrap();
    let pool = model
        .layers()
        .unwrap()
        .iter()
        .position(|l| l.op == "MaxPool")
        .unwrap();
    let x = image(size, 1);
    let ours = forward(&net(), &x, size).unwrap();
    for (layer, mine) in [(relu, &ours.relu), (pool, &ours.pool)] {
        let theirs = model.layer_output(&x, layer).unwrap();
        assert_eq!(theirs.data.len(), mine.len());
        let diff = theirs
            .data
            .iter()
            .zip(mine.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(diff < 1e-4, "layer {layer}: largest difference {diff}");
    }
    assert_eq!(ours.relu_side, [28, 28]);
    assert_eq!(ours.pool_side, [14, 14]);
    let e = conv_weights(SLIDING, "/nope").unwrap_err();
    assert_eq!(e.to_string(), "the model has no Conv node called \"/nope\"");
}

#[test]
fn gradient_descent_on_g_lowers_j() {
    let size = 32;
    let (c, s) = (
        image(size, 2),
        image(size, 3).iter().map(|v| v * v).collect::<Vec<_>>(),
    );
    let problem = Problem::new(
        net(),
        size,
        (&c, Layer::Relu),
        &s,
        &[(Layer::Relu, 0.5), (Layer::Pool, 0.5)],
        1.0,
        1e4,
    )
    .unwrap();
    let mut generator = Generator::new(problem, None, 1, 0.02).unwrap();
    let first = generator.step().unwrap();
    let mut last = first.clone();
    for _ in 0..30 {
        last = generator.step().unwrap();
    }
    println!(
        "J: {:.4} → {:.4} (content {:.4} → {:.4}, style {:.6} → {:.6})",
        first.total, last.total, first.content, last.content, first.style, last.style
    );
    assert!(last.total < 0.5 * first.total, "{first:?} → {last:?}");
}

/// The weights the backward pass reads are the ones tract runs: a weight that also carries
/// `float_data` beside its `raw_data` is read from `raw_data`, as tract-onnx reads it, and a
/// weight that is not f32 is refused.
#[test]
fn conv_weights_are_read_as_tract_reads_them() {
    use prost::Message;
    use tract_onnx::pb;
    let (_, weight, _) = conv_weights(SLIDING, "/conv1/Conv").unwrap();
    let edited = |change: &dyn Fn(&mut pb::TensorProto)| {
        let mut model = pb::ModelProto::decode(SLIDING).unwrap();
        let graph = model.graph.as_mut().unwrap();
        let name = graph
            .node
            .iter()
            .find(|n| n.name == "/conv1/Conv")
            .unwrap()
            .input[1]
            .clone();
        change(
            graph
                .initializer
                .iter_mut()
                .find(|t| t.name == name)
                .unwrap(),
        );
        model.encode_to_vec()
    };
    let both = edited(&|t| {
        assert!(!t.raw_data.is_empty());
        t.float_data = vec![0.0; weight.len()];
    });
    assert_eq!(conv_weights(&both, "/conv1/Conv").unwrap().1, weight);
    let double = edited(&|t| t.data_type = pb::tensor_proto::DataType::Double as i32);
    assert!(conv_weights(&double, "/conv1/Conv")
        .unwrap_err()
        .to_string()
        .contains("is not f32 (ONNX type 11)"));
}
