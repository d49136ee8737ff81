//! The classic architectures (src/course/architectures.rs) read back through tract's analysis: the shapes
//! and parameter counts of lectures 13-18, without their weights ever being allocated.

use cnn_playground::architectures::{build, ARCHITECTURES};
use cnn_playground::engine::{analyse, LayerInfo};

fn layers(name: &str) -> Vec<LayerInfo> {
    analyse(&build(name).unwrap()).unwrap()
}

fn total(layers: &[LayerInfo]) -> usize {
    layers.iter().map(|l| l.params).sum()
}

/// Output shapes of the layers whose op is one of `ops`, without the batch axis.
fn shapes(layers: &[LayerInfo], ops: &[&str]) -> Vec<Vec<usize>> {
    layers
        .iter()
        .filter(|l| ops.contains(&l.op.as_str()))
        .map(|l| l.output_shape[1..].to_vec())
        .collect()
}

#[test]
fn lecture_13_lenet5_alexnet_and_vgg16() {
    let lenet = layers("lenet5");
    assert_eq!(
        shapes(&lenet, &["Conv", "AveragePool", "Flatten", "Gemm"]),
        [
            vec![6, 28, 28],
            vec![6, 14, 14],
            vec![16, 10, 10],
            vec![16, 5, 5],
            vec![400],
            vec![120],
            vec![84],
            vec![10]
        ]
    );
    assert_eq!(total(&lenet), 61_706);

    let alexnet = layers("alexnet");
    assert_eq!(
        shapes(&alexnet, &["Conv", "MaxPool", "Flatten", "Gemm"]),
        [
            vec![96, 55, 55],
            vec![96, 27, 27],
            vec![256, 27, 27],
            vec![256, 13, 13],
            vec![384, 13, 13],
            vec![384, 13, 13],
            vec![256, 13, 13],
            vec![256, 6, 6],
            vec![9216],
            vec![4096],
            vec![4096],
            vec![1000]
        ]
    );
    assert_eq!(total(&alexnet), 62_378_344); // "about 60M"

    let vgg = layers("vgg16");
    assert_eq!(total(&vgg), 138_357_544);
    let convs = shapes(&vgg, &["Conv"]);
    assert_eq!(convs.len(), 13);
    assert_eq!(convs[12], [512, 14, 14]);
    assert_eq!(shapes(&vgg, &["Flatten"]), [vec![25_088]]);
    // Multiply-adds of the first conv: 224·224·64 outputs × 3·3·3.
    assert_eq!(vgg[0].macs, 224 * 224 * 64 * 27);
}

#[test]
fn lectures_14_15_resnet34() {
    let resnet = layers("resnet34");
    assert_eq!(total(&resnet), 21_797_672);
    let adds: Vec<Vec<usize>> = resnet
        .iter()
        .filter(|l| l.op == "Add" && l.params == 0)
        .map(|l| l.output_shape[1..].to_vec())
        .collect();
    // 16 residual blocks: 3 at 56x56x64, 4 at 28x28x128, 6 at 14x14x256, 3 at 7x7x512.
    assert_eq!(adds.len(), 16);
    assert_eq!(adds[0], [64, 56, 56]);
    assert_eq!(adds[3], [128, 28, 28]);
    assert_eq!(adds[7], [256, 14, 14]);
    assert_eq!(adds[15], [512, 7, 7]);
}

#[test]
fn lectures_17_18_inception_module_and_googlenet() {
    let module = layers("inception-module");
    let last = module.last().unwrap();
    assert_eq!(
        (last.op.as_str(), &last.output_shape[..]),
        ("Concat", &[1, 256, 28, 28][..])
    );
    assert_eq!(total(&module), 163_696);

    let googlenet = layers("googlenet");
    let concats = shapes(&googlenet, &["Concat"]);
    assert_eq!(concats.len(), 9);
    assert_eq!(concats[0], [256, 28, 28]); // 3a
    assert_eq!(concats[1], [480, 28, 28]); // 3b
    assert_eq!(concats[2], [512, 14, 14]); // 4a
    assert_eq!(concats[6], [832, 14, 14]); // 4e
    assert_eq!(concats[8], [1024, 7, 7]); // 5b
    let params = total(&googlenet);
    println!("GoogLeNet without auxiliary classifiers: {params} parameters");
    assert!((6_500_000..7_100_000).contains(&params), "{params}");
}

#[test]
fn every_architecture_builds_and_unknown_names_are_listed() {
    for (name, _) in ARCHITECTURES {
        assert!(!layers(name).is_empty(), "{name}");
    }
    assert_eq!(
        build("lenet6").unwrap_err().to_string(),
        "unknown architecture \"lenet6\"; known: lenet5, alexnet, vgg16, resnet34, inception-module, googlenet"
    );
}

/// Lecture 15: with zero weights the residual block is the identity on a ReLU activation; with
/// weights it is not.
#[test]
fn a_residual_block_with_zero_weights_is_the_identity() {
    use cnn_playground::architectures::residual_block;
    use cnn_playground::engine::Engine;
    let input: Vec<f32> = (0..4 * 6 * 6)
        .map(|i| ((i * 37) % 11) as f32 / 10.0)
        .collect();
    let mut engine = Engine::new();
    let identity = engine
        .run(
            &residual_block(4, 6, 6, 0.0).unwrap(),
            &input,
            &[1, 4, 6, 6],
        )
        .unwrap();
    assert_eq!(identity.data, input);
    let learned = engine
        .run(
            &residual_block(4, 6, 6, 1.0).unwrap(),
            &input,
            &[1, 4, 6, 6],
        )
        .unwrap();
    assert!(learned
        .data
        .iter()
        .zip(&input)
        .any(|(a, b)| (a - b).abs() > 0.05));
    assert!(learned.data.iter().all(|&v| v >= 0.0));
}

/// Receptive fields through residual adds and concatenations: ResNet-34's 7x7/2 stem sees 7
/// pixels 2 apart starting 3 before the image; after the last stage a position is 32 pixels from
/// its neighbour, and the global average pool sees the whole 224x224 image (and its padding).
#[test]
fn receptive_fields_follow_residual_adds_and_concatenations() {
    let resnet = layers("resnet34");
    let field = |l: &LayerInfo| l.receptive_field.map(|[r, _]| (r.size, r.jump, r.start));
    assert_eq!(field(&resnet[0]), Some((7, 2, -3)));
    // Residual adds have no weights (the batch-norm shifts are Adds of a bias).
    let adds: Vec<_> = resnet
        .iter()
        .filter(|l| l.op == "Add" && l.params == 0)
        .collect();
    assert_eq!(adds.len(), 16);
    assert!(adds.iter().all(|l| l.receptive_field.is_some()));
    assert_eq!(field(adds.last().unwrap()).map(|f| f.1), Some(32));
    let pooled = resnet
        .iter()
        .find(|l| l.op == "GlobalAveragePool")
        .and_then(field)
        .unwrap();
    assert!(
        pooled.2 <= 0 && pooled.2 + pooled.0 as isize >= 224,
        "{pooled:?}"
    );

    let inception = layers("inception-module");
    let concat = inception.iter().find(|l| l.op == "Concat").unwrap();
    // The widest branch is the 5x5 conv after a 1x1 (or the 3x3 max pool then 1x1): 5 wide.
    assert_eq!(field(concat), Some((5, 1, -2)));
}

/// The explorer on every classic architecture and every bundled model: each conv and pool layer's
/// window, computed by the project's geometry (`floor((n + before + after − f) / s) + 1`) from the
/// ONNX attributes, gives exactly the output size tract's analysis gives, and the feature maps
/// from the real graph have the shapes of the table.
#[test]
fn tracts_shapes_agree_with_the_projects_geometry_on_every_model() {
    use cnn_playground::architectures::ARCHITECTURES;
    use cnn_playground::engine::Model;
    let check = |name: &str, layers: &[LayerInfo]| {
        let mut windows = 0;
        for l in layers {
            let windowed = matches!(
                l.op.as_str(),
                "Conv" | "MaxPool" | "AveragePool" | "GlobalAveragePool" | "GlobalMaxPool"
            );
            if !windowed {
                assert!(l.window.is_none(), "{name} {}", l.name);
                continue;
            }
            let w = l
                .window
                .unwrap_or_else(|| panic!("{name} {} has no window", l.name));
            for a in 0..2 {
                assert_eq!(w.axes[a].input, l.input_shape[2 + a], "{name} {}", l.name);
                assert_eq!(w.axes[a].output, l.output_shape[2 + a], "{name} {}", l.name);
            }
            windows += 1;
        }
        assert!(windows > 0, "{name}");
        windows
    };
    for (name, _) in ARCHITECTURES {
        check(name, &layers(name));
    }
    for (name, bytes, shape) in [
        (
            "lenet5-digits",
            &include_bytes!("../../www/models/lenet5-digits.onnx")[..],
            None,
        ),
        (
            "shapes-detector",
            &include_bytes!("../../www/models/shapes-detector.onnx")[..],
            None,
        ),
        (
            "face-detector",
            &include_bytes!("../../www/models/face-detector.onnx")[..],
            None,
        ),
        (
            "sliding-windows",
            &include_bytes!("../../www/models/sliding-windows.onnx")[..],
            Some(&[1, 3, 16, 16][..]),
        ),
    ] {
        let model = Model::load_with_input_shape(bytes, shape).unwrap();
        let windows = check(name, model.layers().unwrap());
        let input = vec![0.5; model.input_shape().iter().product()];
        let maps = model.feature_maps(&input).unwrap();
        let expected: Vec<usize> = (0..model.layers().unwrap().len())
            .filter(|&i| model.layers().unwrap()[i].feature_map)
            .collect();
        assert_eq!(
            maps.iter().map(|m| m.0).collect::<Vec<_>>(),
            expected,
            "{name}"
        );
        for (layer, out) in &maps {
            assert_eq!(
                out.shape,
                model.layers().unwrap()[*layer].output_shape,
                "{name}"
            );
        }
        println!(
            "{name}: {windows} windows agree, {} feature maps",
            maps.len()
        );
    }
}

/// Where a file keeps a layer's weights does not change its parameter count (what Netron or the
/// exporting framework reports): initializers, `Constant` nodes, `ConstantOfShape` nodes and
/// constant subgraphs (weights scaled by a `Mul`) all give 4·3·3·3 + 4 = 112 for the conv and
/// 256·10 + 10 = 2,570 for the dense layer; integer tensors (a shape) are no parameters.
#[test]
fn parameters_are_counted_wherever_the_weights_are_kept() {
    use cnn_playground::graph::{encode, GraphBuilder};
    use tract_onnx::pb;
    let base = || {
        let mut g = GraphBuilder::new("params", &[1, 3, 8, 8]);
        let x = g.input();
        let c = g.conv(
            &x,
            (&[4, 3, 3, 3], &[0.1; 108]),
            Some(&[0.0; 4]),
            &[1; 4],
            &[1, 1],
            1,
        );
        let f = g.flatten(&c);
        let d = g.dense(&f, (&[10, 256], &vec![0.01; 2560]), &[0.0; 10]);
        g.finish(&d)
    };
    let tensor_attr = |name: &str, t: pb::TensorProto| pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Tensor as i32,
        t: Some(t),
        ..Default::default()
    };
    let node = |op: &str, inputs: &[&str], output: &str, attribute: Vec<pb::AttributeProto>| {
        pb::NodeProto {
            op_type: op.into(),
            name: output.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.into()],
            attribute,
            ..Default::default()
        }
    };
    // Moves every float initializer into nodes made by `make(initializer) -> nodes`.
    let moved = |make: &dyn Fn(pb::TensorProto) -> Vec<pb::NodeProto>| {
        let mut model = base();
        let graph = model.graph.as_mut().unwrap();
        let weights = std::mem::take(&mut graph.initializer);
        let mut nodes: Vec<pb::NodeProto> = weights.into_iter().flat_map(make).collect();
        nodes.append(&mut graph.node);
        graph.node = nodes;
        encode(&model)
    };
    let float = |name: &str, dims: &[i64], data: Vec<f32>| pb::TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: pb::tensor_proto::DataType::Float as i32,
        float_data: data,
        ..Default::default()
    };
    let files = [
        ("initializers", encode(&base())),
        (
            "Constant",
            moved(&|t| {
                vec![node(
                    "Constant",
                    &[],
                    &t.name.clone(),
                    vec![tensor_attr("value", t)],
                )]
            }),
        ),
        (
            "ConstantOfShape",
            moved(&|t| {
                let shape = pb::TensorProto {
                    name: format!("{}_shape", t.name),
                    dims: vec![t.dims.len() as i64],
                    data_type: pb::tensor_proto::DataType::Int64 as i32,
                    int64_data: t.dims.clone(),
                    ..Default::default()
                };
                let shape_name = shape.name.clone();
                vec![
                    node(
                        "Constant",
                        &[],
                        &shape_name,
                        vec![tensor_attr("value", shape)],
                    ),
                    node(
                        "ConstantOfShape",
                        &[&shape_name],
                        &t.name,
                        vec![tensor_attr("value", float("v", &[1], vec![0.5]))],
                    ),
                ]
            }),
        ),
        (
            "a constant subgraph",
            moved(&|t| {
                let (raw, two) = (format!("{}_raw", t.name), format!("{}_two", t.name));
                let name = t.name.clone();
                let raw_tensor = pb::TensorProto {
                    name: raw.clone(),
                    ..t
                };
                vec![
                    node(
                        "Constant",
                        &[],
                        &raw,
                        vec![tensor_attr("value", raw_tensor)],
                    ),
                    node(
                        "Constant",
                        &[],
                        &two,
                        vec![tensor_attr("value", float(&two, &[], vec![2.0]))],
                    ),
                    node("Mul", &[&raw, &two], &name, vec![]),
                ]
            }),
        ),
    ];
    for (kind, bytes) in files {
        let layers = analyse(&bytes).unwrap();
        let by_op = |op: &str| {
            layers
                .iter()
                .filter(|l| l.op == op)
                .map(|l| (l.params, l.macs))
                .collect::<Vec<_>>()
        };
        assert_eq!(by_op("Conv"), [(112, 4 * 8 * 8 * 27)], "{kind}");
        assert_eq!(by_op("Gemm"), [(2570, 2560)], "{kind}");
        assert_eq!(total(&layers), 112 + 2570, "{kind}: {layers:?}");
    }
}
