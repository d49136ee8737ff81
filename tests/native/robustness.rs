//! Model files that broke the release package (`../shared/robustness/`, copied into
//! tests/fixtures/robustness/): tract asserted on each (a trap in wasm, where `panic = "abort"`
//! takes the whole module down). Each must now give an error that names the problem, without any
//! panic, and the engine must keep working afterwards.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cnn_playground::engine::Model;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/robustness");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_robustness_model_is_refused_with_an_error_not_a_panic() {
    let files = fixtures();
    assert_eq!(files.len(), 35);
    let mut panics = Vec::new();
    for (name, bytes) in &files {
        eprintln!("loading {name}");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let model = Model::load(bytes)?;
            let size: usize = model.input_shape().iter().product();
            model.run(&vec![0.5; size])?;
            model.feature_maps(&vec![0.5; size])?;
            anyhow::Ok(())
        }));
        match outcome {
            Err(_) => panics.push(name.clone()),
            Ok(Ok(())) => panic!("{name} loaded and ran"),
            Ok(Err(e)) => println!("{name}: {e:#}"),
        }
    }
    assert!(
        panics.is_empty(),
        "{} files panic inside tract: {panics:?}",
        panics.len()
    );
}

/// A model tract refuses (shapes that cannot be broadcast) reads as a plain sentence, with what
/// tract said kept apart as details, both short enough for a page (issue 14, part 6).
#[test]
fn a_model_tract_refuses_reads_as_a_sentence_with_details_apart() {
    use cnn_playground::core::error::{explain, MAX_DETAILS, MAX_PLAIN};
    use cnn_playground::graph::{encode, GraphBuilder};
    let mut g = GraphBuilder::new("mismatch", &[1, 3, 4, 4]);
    let x = g.input();
    let flat = g.flatten(&x);
    // 48 inputs against a weight for 10.
    let dense = g.dense(&flat, (&[7, 10], &[0.5; 70]), &[0.0; 7]);
    let err = Model::load(&encode(&g.finish(&dense))).err().unwrap();
    let (plain, details) = explain(&err);
    assert_eq!(
        plain,
        "tract cannot work out the shapes in this model: it holds an op, an attribute or sizes that tract does not support"
    );
    let details = details.unwrap();
    assert!(!details.is_empty() && details.chars().count() <= MAX_DETAILS + 40);
    assert!(plain.chars().count() <= MAX_PLAIN);
}

/// Inputs the fuzz targets (fuzz/) found that made tract panic, each now refused with an error
/// before tract sees it. Each graph is one node on the graph input, written out by hand.
mod fuzz_findings {
    use super::*;
    use tract_onnx::pb;
    use tract_onnx::pb::tensor_proto::DataType;

    fn one_node(input_dims: &[i64], op: &str, attribute: Vec<pb::AttributeProto>) -> Vec<u8> {
        on_weight(input_dims, None, op, attribute)
    }

    /// One node reading `weight` (an initializer) if given, else the graph input.
    fn on_weight(
        input_dims: &[i64],
        weight: Option<pb::TensorProto>,
        op: &str,
        attribute: Vec<pb::AttributeProto>,
    ) -> Vec<u8> {
        use pb::tensor_shape_proto::{dimension::Value, Dimension};
        use prost::Message;
        let value = |name: &str, dims: Option<&[i64]>| pb::ValueInfoProto {
            name: name.into(),
            r#type: Some(pb::TypeProto {
                value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                    elem_type: DataType::Float as i32,
                    shape: dims.map(|d| pb::TensorShapeProto {
                        dim: d
                            .iter()
                            .map(|&v| Dimension {
                                value: Some(Value::DimValue(v)),
                                ..Default::default()
                            })
                            .collect(),
                    }),
                })),
                ..Default::default()
            }),
            ..Default::default()
        };
        pb::ModelProto {
            ir_version: 8,
            opset_import: vec![pb::OperatorSetIdProto {
                domain: String::new(),
                version: 13,
            }],
            graph: Some(pb::GraphProto {
                name: "finding".into(),
                node: vec![pb::NodeProto {
                    name: "n0".into(),
                    op_type: op.into(),
                    input: vec![weight.as_ref().map_or("input".into(), |w| w.name.clone())],
                    output: vec!["v0".into()],
                    attribute,
                    ..Default::default()
                }],
                input: vec![value("input", Some(input_dims))],
                initializer: weight.into_iter().collect(),
                output: vec![value("v0", None)],
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec()
    }

    /// `one_node`'s graph with more nodes after the first: `(op, inputs, attributes)`, node `k`
    /// writing `v{k}`; the graph's output is the last one's.
    fn chain(input_dims: &[i64], nodes: &[(&str, &[&str], Vec<pb::AttributeProto>)]) -> Vec<u8> {
        let (op, _, attrs) = &nodes[0];
        let bytes = one_node(input_dims, op, attrs.clone());
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        let graph = model.graph.as_mut().unwrap();
        graph.node[0].input = nodes[0].1.iter().map(|i| i.to_string()).collect();
        for (k, (op, inputs, attribute)) in nodes.iter().enumerate().skip(1) {
            graph.node.push(pb::NodeProto {
                name: format!("n{k}"),
                op_type: op.to_string(),
                input: inputs.iter().map(|i| i.to_string()).collect(),
                output: vec![format!("v{k}")],
                attribute: attribute.clone(),
                ..Default::default()
            });
        }
        graph.output[0].name = format!("v{}", nodes.len() - 1);
        prost::Message::encode_to_vec(&model)
    }

    fn int_attr(name: &str, i: i64) -> pb::AttributeProto {
        pb::AttributeProto {
            name: name.into(),
            r#type: pb::attribute_proto::AttributeType::Int as i32,
            i,
            ..Default::default()
        }
    }

    /// Ranks follow through the ops that change them, so the axis checks see the real rank: a
    /// ReduceSum over all axes without keepdims makes a scalar, whose Flatten at axis 1 made
    /// tract-hir panic (`flatten.rs:15`) while the check still saw the input's rank 4.
    #[test]
    fn ranks_follow_reductions_and_broadcasts() {
        let scalar_then_flatten = chain(
            &[1, 3, 4, 4],
            &[
                ("ReduceSum", &["input"], vec![int_attr("keepdims", 0)]),
                ("Flatten", &["v0"], vec![int_attr("axis", 1)]),
            ],
        );
        assert_eq!(
            refused(&scalar_then_flatten),
            "Flatten \"n1\": axis 1 is outside the input's axes"
        );
        // A broadcast takes the larger rank: Softmax on axis 3 of scalar + [1,3,4,4] is fine.
        let broadcast = chain(
            &[1, 3, 4, 4],
            &[
                ("ReduceSum", &["input"], vec![int_attr("keepdims", 0)]),
                ("Add", &["v0", "input"], vec![]),
                ("Softmax", &["v1"], vec![int_attr("axis", 3)]),
            ],
        );
        let out = Model::load(&broadcast).unwrap().run(&[0.5; 48]).unwrap();
        assert_eq!(out.shape, [1, 3, 4, 4]);
    }

    fn refused(bytes: &[u8]) -> String {
        let result = catch_unwind(AssertUnwindSafe(|| Model::load(bytes).err()));
        format!("{:#}", result.expect("no panic").expect("an error"))
    }

    /// `graph` target: Split without an axis attribute (default 0) on a scalar input panicked in
    /// tract-hir's shape rules (`split.rs:45`, index out of bounds).
    #[test]
    fn split_of_a_scalar_with_the_default_axis() {
        assert_eq!(
            refused(&one_node(&[], "Split", vec![])),
            "the model's input \"input\" is a single number (rank 0): the playground runs models whose input is an image or a signal"
        );
    }

    /// The same Split on a scalar weight: its default axis 0 is checked like an explicit one.
    #[test]
    fn split_of_a_scalar_weight_with_the_default_axis() {
        let scalar = pb::TensorProto {
            name: "w".into(),
            data_type: DataType::Float as i32,
            float_data: vec![1.0],
            ..Default::default()
        };
        assert_eq!(
            refused(&on_weight(&[1, 3], Some(scalar), "Split", vec![])),
            "Split \"n0\": axis 0 is outside the input's axes"
        );
    }

    /// `graph` target: Flatten with no input at all panicked in tract-hir (`flatten.rs:30`); every
    /// op's inputs are counted against what it needs.
    #[test]
    fn an_op_without_its_inputs() {
        let mut bytes = one_node(&[1, 3], "Flatten", vec![]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().node[0].input.clear();
        bytes = prost::Message::encode_to_vec(&model);
        assert_eq!(
            refused(&bytes),
            "Flatten \"n0\" has 0 inputs but needs at least 1"
        );
    }

    /// `graph` target (fresh-clone test run, Dec 2026): a Conv whose third input, the optional
    /// bias, is named "" (ONNX's way to leave an optional input out) panicked in tract-hir's shape
    /// rules (`conv.rs:164`, index out of bounds): tract-onnx counts the empty name as a bias
    /// input, then wires only the named ones. Trailing empty inputs are now dropped before tract
    /// reads the graph, so the model loads and runs as the Conv without a bias it is.
    #[test]
    fn a_conv_whose_bias_input_is_left_out_by_an_empty_name() {
        let weight = pb::TensorProto {
            name: "w".into(),
            data_type: DataType::Float as i32,
            dims: vec![2, 1, 1, 1],
            float_data: vec![2.0, -1.0],
            ..Default::default()
        };
        let bytes = on_weight(&[1, 1, 2, 2], Some(weight), "Conv", vec![]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().node[0].input = vec!["input".into(), "w".into(), "".into()];
        let bytes = prost::Message::encode_to_vec(&model);
        let loaded = catch_unwind(AssertUnwindSafe(|| Model::load(&bytes)))
            .expect("no panic")
            .unwrap();
        let out = loaded.run(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(out.shape, [1, 2, 2, 2]);
        assert_eq!(out.data, [2.0, 4.0, 6.0, 8.0, -1.0, -2.0, -3.0, -4.0]);
    }

    /// `graph` target: pads of i64::MIN overflowed `abs()` in the crate's own Pad check (with
    /// overflow checks a panic; in the release wasm it wrapped to a negative and passed).
    #[test]
    fn pads_of_i64_min() {
        let pads = pb::AttributeProto {
            name: "pads".into(),
            r#type: pb::attribute_proto::AttributeType::Ints as i32,
            ints: vec![i64::MIN, 0, 0, 0],
            ..Default::default()
        };
        assert_eq!(
            refused(&one_node(&[1, 3], "Pad", vec![pads])),
            "Pad \"n0\": pads [-9223372036854775808, 0, 0, 0]: each must be at most 4096"
        );
    }

    /// `graph` target: a Conv on an input with a size of 0 underflowed in tract-core's padding
    /// arithmetic (`padding.rs:155`, a panic with overflow checks, a wrapped size without).
    #[test]
    fn an_input_with_a_size_of_0() {
        // The finding: Conv(input, input) on a 6-D input with a 0 among its sizes.
        let bytes = one_node(&[3, 3, 3, 0, 3, 3], "Conv", vec![]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().node[0].input = vec!["input".into(), "input".into()];
        assert_eq!(
            refused(&prost::Message::encode_to_vec(&model)),
            "the input \"input\" is declared as [3, 3, 3, 0, 3, 3]: every size must be at least 1"
        );
    }

    /// `graph` target: Transpose with seven inputs panicked in tract-hir (`expandable.rs:138`);
    /// ops with a fixed number of inputs refuse more. `load` target: Flatten with axis 1 on a
    /// scalar input panicked in tract-hir (`flatten.rs:15`), now refused as a scalar input.
    #[test]
    fn an_op_with_too_many_inputs_and_a_scalar_flatten() {
        let bytes = one_node(&[1, 3], "Transpose", vec![]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().node[0].input = vec!["input".into(); 7];
        assert_eq!(
            refused(&prost::Message::encode_to_vec(&model)),
            "Transpose \"n0\" has 7 inputs but takes at most 1"
        );
        let axis = pb::AttributeProto {
            name: "axis".into(),
            r#type: pb::attribute_proto::AttributeType::Int as i32,
            i: 1,
            ..Default::default()
        };
        assert!(
            refused(&one_node(&[], "Flatten", vec![axis])).contains("is a single number (rank 0)")
        );
    }

    /// `graph` target: Flatten with axis -1 on a scalar weight panicked in tract-hir
    /// (`flatten.rs:15`, a slice end of `usize::MAX`): Flatten's axis lies in [-r, r].
    #[test]
    fn flatten_of_a_scalar_weight_with_axis_minus_1() {
        let scalar = pb::TensorProto {
            name: "w".into(),
            data_type: DataType::Int64 as i32,
            int64_data: vec![1],
            ..Default::default()
        };
        let axis = pb::AttributeProto {
            name: "axis".into(),
            r#type: pb::attribute_proto::AttributeType::Int as i32,
            i: -1,
            ..Default::default()
        };
        assert_eq!(
            refused(&on_weight(&[1, 3], Some(scalar), "Flatten", vec![axis])),
            "Flatten \"n0\": axis -1 is outside the input's axes"
        );
    }

    /// `load` target: a float Range from 0 to 10 by a denormal step (3.6e-42) divided by zero
    /// in tract-data's dimension arithmetic (`tree.rs:284`); a range's length is checked when its
    /// bounds are constants. `graph` target: ConstantOfShape of a 4,096-value float "shape" ran
    /// past 10 s; a shape must be INT64 and at most 8 axes.
    #[test]
    fn a_range_with_a_tiny_step_and_a_float_shape() {
        let scalar = |name: &str, raw: [u8; 4]| pb::TensorProto {
            name: name.into(),
            data_type: DataType::Float as i32,
            raw_data: raw.to_vec(),
            ..Default::default()
        };
        let bytes = chain(
            &[1, 1, 4, 4],
            &[
                ("Range", &["a", "b", "c"], vec![]),
                ("Add", &["input", "v0"], vec![]),
            ],
        );
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().initializer = vec![
            scalar("a", [0, 0, 0, 0]),
            scalar("b", [0, 0, 0x20, 0x41]),
            scalar("c", [0, 0x0a, 0, 0]),
        ];
        let err = refused(&prost::Message::encode_to_vec(&model));
        assert!(
            err.starts_with("Range \"n0\": a range from 0 to 10 by 3.59e-42"),
            "{err}"
        );
        assert!(err.ends_with("has more than 67108864 values"), "{err}");

        let shape = pb::TensorProto {
            name: "w".into(),
            dims: vec![4096],
            data_type: DataType::Float as i32,
            float_data: vec![0.5; 4096],
            ..Default::default()
        };
        assert_eq!(
            refused(&on_weight(&[1, 3], Some(shape), "ConstantOfShape", vec![])),
            "ConstantOfShape \"n0\": a shape is whole numbers (INT64), not a tensor of type 1"
        );
    }

    /// `load` target: Split on an input that declares no shape: tract ran it as a scalar and
    /// panicked (`split.rs:45`). The data input must declare its shape.
    #[test]
    fn an_input_without_a_shape() {
        let bytes = one_node(&[1, 3], "Split", vec![]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        if let Some(pb::type_proto::Value::TensorType(t)) = model.graph.as_mut().unwrap().input[0]
            .r#type
            .as_mut()
            .and_then(|t| t.value.as_mut())
        {
            t.shape = None;
        }
        assert_eq!(
            refused(&prost::Message::encode_to_vec(&model)),
            "the model's input \"input\" declares no shape: the playground needs at least its number of axes, e.g. [1, 3, 224, 224]"
        );
    }

    /// `load` target, the files as the fuzzer wrote them (tests/fixtures/fuzz/): Expand to
    /// [0, 3.3e12, 1.1e14, …] passed the product check (0 × anything) and made tract-core assert
    /// on a negative dimension (`fact.rs:21`); a Slice step of 2^60 divided by zero in tract-core
    /// (`strided_slice.rs:25`). Each size and step is now bounded on its own.
    #[test]
    fn the_load_targets_files_as_found() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz");
        for (file, want) in [
            (
                "expand-hidden-huge-size.onnx",
                "Expand \"y\": the shape [0, 3300816584705,",
            ),
            (
                "slice-step-2-60.onnx",
                "Slice \"y\": slice steps [1152921504606846976]",
            ),
            // Found by the seeded smoke run: a range from 0 down to -10 by 1.5e-36 counts a
            // negative number of values, which passed, and tract-data divided by zero.
            (
                "range-negative-tiny-step.onnx",
                "Range \"r\": a range from 0 to -10 by",
            ),
            // Found by the million-run load campaign: a graph output with an empty name, and a
            // node whose first output is left out (""), so "" counted as produced; tract-onnx
            // looked it up among the named outlets (`model.rs:187`) and panicked.
            (
                "output-without-name.onnx",
                "one of the model's outputs has no name",
            ),
            // Found by the test command's smoke run: Gather's index tensor is INT64 with 5 in
            // raw_data and 1 in int32_data; the check read int32_data, tract reads raw_data, and
            // tract-core indexed the 4 values of "d" at 5 while folding constants (`gather.rs:75`).
            (
                "gather-index-in-two-fields.onnx",
                "Gather \"g\": indices [5] reach past the 4 entries of axis 0: each must be from -4 to 3",
            ),
        ] {
            let err = refused(&std::fs::read(format!("{dir}/{file}")).unwrap());
            assert!(err.starts_with(want), "{file}: {err}");
        }
    }

    /// `graph` target (the test command's smoke run): MatMul of a scalar weight; the crate's own
    /// rank rule for MatMul subtracted 1 from a rank of 0.
    #[test]
    fn matmul_of_a_scalar_weight_with_two_values() {
        let bytes = chain(&[1], &[("MatMul", &["w", "input"], vec![])]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().initializer = vec![pb::TensorProto {
            name: "w".into(),
            data_type: DataType::Int64 as i32,
            int64_data: vec![0, 1],
            ..Default::default()
        }];
        let err = refused(&prost::Message::encode_to_vec(&model));
        assert!(!err.is_empty());
    }

    /// `graph` target (the test command's smoke run): MatMul of two scalar weights panicked in
    /// tract-hir's shape rules (`matmul.rs:99`, smallvec "index exceeds length": it makes a rank-0
    /// operand a matrix by inserting a 1 at index 1). A scalar operand, first or second, is refused
    /// before tract reads the graph.
    #[test]
    fn matmul_of_a_scalar() {
        let scalar = |name: &str| pb::TensorProto {
            name: name.into(),
            data_type: DataType::Float as i32,
            float_data: vec![2.0],
            ..Default::default()
        };
        for inputs in [["s", "s"], ["input", "s"], ["s", "input"]] {
            let bytes = chain(&[1, 3], &[("MatMul", &inputs, vec![])]);
            let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
            model.graph.as_mut().unwrap().initializer = vec![scalar("s")];
            assert_eq!(
                refused(&prost::Message::encode_to_vec(&model)),
                "MatMul \"n0\": a single number (rank 0) is not a matrix; use Mul to scale by one number",
                "{inputs:?}"
            );
        }
    }

    /// `graph` target (the test command's smoke run, Dec 2026): Gather whose indices were the
    /// graph's own float values (Softmax of the input, [1.0], gathering from a tensor of one
    /// value) panicked in tract-core's Gather at run time (`gather.rs:75`, index out of bounds):
    /// tract reads float indices as whole numbers and does not check them against the data. Gather
    /// indices must be whole numbers known before the run; within the data's size they are fine.
    #[test]
    fn gather_with_indices_computed_at_run_time() {
        let computed = chain(
            &[1],
            &[
                ("Softmax", &["input"], vec![]),
                ("Gather", &["v0", "v0"], vec![]),
            ],
        );
        assert_eq!(
            refused(&computed),
            "Gather \"n1\": its indices are computed from the input while the model runs; the playground runs Gather with whole-number indices fixed in the file (an initializer or a Constant)"
        );
        let index = |name: &str, v: i64| pb::TensorProto {
            name: name.into(),
            data_type: DataType::Int64 as i32,
            int64_data: vec![v],
            dims: vec![1],
            ..Default::default()
        };
        let gather_at = |i: i64| {
            let bytes = chain(
                &[1, 3],
                &[("Gather", &["input", "i"], vec![int_attr("axis", 1)])],
            );
            let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
            model.graph.as_mut().unwrap().initializer = vec![index("i", i)];
            prost::Message::encode_to_vec(&model)
        };
        // Fixed indices outside the axis are refused before the run, inside they run.
        for i in [3, -4, i64::MAX, i64::MIN] {
            assert_eq!(
                refused(&gather_at(i)),
                format!("Gather \"n0\": indices [{i}] reach past the 3 entries of axis 1: each must be from -3 to 2"),
            );
        }
        // Indices tract folds from the shapes are checked the same way: Shape of a [1, 3] input
        // is [1, 3], and 3 is past axis 1.
        let from_shape = chain(
            &[1, 3],
            &[
                ("Shape", &["input"], vec![]),
                ("Gather", &["input", "v0"], vec![int_attr("axis", 1)]),
            ],
        );
        assert_eq!(
            refused(&from_shape),
            "Gather \"n1\": indices [1, 3] reach past the 3 entries of axis 1: each must be from -3 to 2"
        );
        // GatherElements is held to the same rule.
        let elements = chain(
            &[1, 3],
            &[
                ("Softmax", &["input"], vec![]),
                (
                    "GatherElements",
                    &["input", "v0"],
                    vec![int_attr("axis", 1)],
                ),
            ],
        );
        assert!(refused(&elements).starts_with("GatherElements \"n1\": its indices are computed"));
        for (i, expected) in [(2, 0.25), (-3, 0.75)] {
            let out = catch_unwind(AssertUnwindSafe(|| {
                Model::load(&gather_at(i))
                    .unwrap()
                    .run(&[0.75, 0.5, 0.25])
                    .unwrap()
            }))
            .expect("no panic");
            assert_eq!(out.data, [expected], "index {i}");
        }
    }

    /// `graph` target: Gather on a [15, 0] weight divided by zero in tract-core's reduction
    /// (`reduce.rs:261`) while folding constants: empty matrices are refused (an empty list, a
    /// common stand-in for an absent argument, is not).
    #[test]
    fn an_empty_matrix_weight() {
        let bytes = chain(&[1, 3], &[("Gather", &["w", "input"], vec![])]);
        let mut model = <pb::ModelProto as prost::Message>::decode(&bytes[..]).unwrap();
        model.graph.as_mut().unwrap().initializer = vec![pb::TensorProto {
            name: "w".into(),
            dims: vec![15, 0],
            data_type: DataType::Float as i32,
            ..Default::default()
        }];
        assert_eq!(
            refused(&prost::Message::encode_to_vec(&model)),
            "the weight \"w\" has shape [15, 0]: a size of 0 leaves nothing to compute"
        );
    }

    /// `graph` target: Transpose without `perm` on a scalar panicked in tract-hir
    /// (`permute_axes.rs:48`). A scalar data input is refused, and so is a Transpose of any scalar.
    #[test]
    fn transpose_of_a_scalar() {
        assert!(
            refused(&one_node(&[], "Transpose", vec![])).contains("is a single number (rank 0)")
        );
    }
}
