//! Every invalid-argument class is an error value whose message names the numbers, from both the
//! reference and tract; nothing panics.

use crate::common::*;
use cnn_playground::engine::Engine;
use cnn_playground::filters;
use cnn_playground::geometry::{output_size_symmetric, Geometry, Padding};
use cnn_playground::ops::{Conv, Pool, PoolMode};
use cnn_playground::reference;

fn conv_error(conv: &Conv) -> String {
    let reference = reference::conv(conv).unwrap_err().to_string();
    let tract = Engine::new().conv(conv).unwrap_err().to_string();
    assert_eq!(reference, tract, "both paths validate the same way");
    reference
}

fn base() -> Conv<'static> {
    conv_1x1ch!(
        &COURSE_IMAGE,
        [6, 6],
        filters::FILTERS[0].weights,
        3,
        &Padding::Valid,
        1,
    )
}

#[test]
fn stride_zero() {
    assert_eq!(
        conv_error(&Conv {
            stride: &[0, 1],
            ..base()
        }),
        "stride must be at least 1, got 0"
    );
    assert_eq!(
        output_size_symmetric(6, 3, 0, 0).unwrap_err().to_string(),
        "stride must be at least 1, got 0"
    );
}

#[test]
fn kernel_larger_than_padded_input() {
    assert_eq!(
        output_size_symmetric(2, 5, 1, 1).unwrap_err().to_string(),
        "kernel 5 larger than padded input 4 (input 2 + padding 1 + 1)"
    );
    assert_eq!(
        output_size_symmetric(4, 5, 0, 1).unwrap_err().to_string(),
        "kernel 5 larger than input 4"
    );
    let k = [0.0; 49];
    let conv = Conv {
        weight: &k,
        weight_shape: &[1, 1, 7, 7],
        ..base()
    };
    assert_eq!(conv_error(&conv), "kernel 7 larger than input 6");
}

#[test]
fn data_length_not_matching_shape() {
    let short = [1.0; 35];
    assert_eq!(
        conv_error(&Conv {
            input: &short,
            ..base()
        }),
        "input has 35 values but shape [1, 6, 6] needs 36"
    );
    let w = [1.0; 8];
    assert_eq!(
        conv_error(&Conv {
            weight: &w,
            ..base()
        }),
        "weight has 8 values but shape [1, 1, 3, 3] needs 9"
    );
    assert_eq!(
        conv_error(&Conv {
            bias: Some(&[1.0, 2.0]),
            ..base()
        }),
        "bias has 2 values but there are 1 filters"
    );
}

#[test]
fn channel_mismatch() {
    let w = [1.0; 27];
    assert_eq!(
        conv_error(&Conv {
            weight: &w,
            weight_shape: &[1, 3, 3, 3],
            ..base()
        }),
        "the filters have 3 channels but the input has 1 (shapes [1, 3, 3, 3] and [1, 6, 6])"
    );
}

#[test]
fn positions_are_counted_from_1_as_the_page_shows_them() {
    use cnn_playground::geometry::position_text;
    assert_eq!(position_text(&[1, 6, 6], 7), "row 2, column 2");
    assert_eq!(
        position_text(&[3, 4, 5], 20 + 5 + 2),
        "channel 2, row 2, column 3"
    );
    assert_eq!(
        position_text(&[2, 3, 2, 2], 12 + 4 + 3),
        "filter 2, channel 2, row 2, column 2"
    );
    assert_eq!(position_text(&[1, 1, 3, 3], 4), "row 2, column 2");
    assert_eq!(position_text(&[7], 3), "position 4");
    assert_eq!(position_text(&[1, 7], 3), "row 1, column 4");
}

#[test]
fn nan_and_infinity() {
    let mut image = COURSE_IMAGE;
    image[7] = f32::NAN;
    assert_eq!(
        conv_error(&Conv {
            input: &image,
            ..base()
        }),
        "input value at row 2, column 2 is NaN: type a finite number there"
    );
    let mut w = [0.0; 9];
    w[2] = f32::INFINITY;
    assert_eq!(
        conv_error(&Conv {
            weight: &w,
            ..base()
        }),
        "weight value at row 1, column 3 is inf: type a finite number there"
    );
}

#[test]
fn zero_and_oversized_shapes() {
    assert_eq!(
        conv_error(&Conv {
            input: &[],
            input_shape: &[1, 0, 6],
            ..base()
        }),
        "input shape [1, 0, 6] has a zero at axis 1"
    );
    // A 20000-pixel-wide image is refused before any allocation.
    let g = Geometry::new(&[10, 20000], &[3, 3], &Padding::Valid, &[1, 1]).unwrap_err();
    assert_eq!(g.to_string(), "input size 20000 exceeds the limit of 4096");
    let huge = Conv {
        input: &[],
        input_shape: &[3, 20000, 20000],
        ..base()
    };
    assert_eq!(
        conv_error(&huge),
        "input shape [3, 20000, 20000] exceeds the limit of 67108864 values"
    );
}

#[test]
fn oversized_outputs_are_refused_before_allocation() {
    let w = vec![1.0; 1000];
    let conv = Conv {
        input: &[1.0],
        input_shape: &[1, 1, 1],
        weight: &w,
        weight_shape: &[1000, 1, 1, 1],
        padding: &Padding::Uniform(4096),
        ..base()
    };
    assert_eq!(
        conv_error(&conv),
        "output shape [1000, 8193, 8193] exceeds the limit of 67108864 values"
    );
    assert_eq!(
        cnn_playground::geometry::same_padding(3, 3, 4_000_000_000)
            .unwrap_err()
            .to_string(),
        "stride 4000000000 exceeds the limit of 4096"
    );
}

#[test]
fn unknown_names() {
    assert_eq!(
        PoolMode::parse("median").unwrap_err().to_string(),
        "unknown pooling mode \"median\": use \"max\" or \"avg\""
    );
    assert!(filters::by_name("laplace")
        .unwrap_err()
        .to_string()
        .starts_with("unknown filter \"laplace\"; known filters: vertical, horizontal"));
    assert!(filters::custom(4, &[0.0; 16]).is_err());
    assert!(filters::custom(3, &[0.0; 8]).is_err());
}

#[test]
fn pooling_padding_must_be_smaller_than_the_window() {
    let pool = Pool {
        input: &COURSE_IMAGE,
        input_shape: &[1, 6, 6],
        mode: PoolMode::Max,
        size: &[2, 2],
        padding: &Padding::Uniform(2),
        stride: &[2, 2],
    };
    let msg = "pooling padding 2+2 must be smaller than the window 2";
    assert_eq!(reference::pool(&pool).unwrap_err().to_string(), msg);
    assert_eq!(Engine::new().pool(&pool).unwrap_err().to_string(), msg);
}

#[test]
fn traces_outside_the_output() {
    let err = reference::conv_trace(&base(), &[4, 0])
        .unwrap_err()
        .to_string();
    assert_eq!(err, "output position [4, 0] is outside the [4, 4] output");
}

#[test]
fn broken_onnx_bytes_are_an_error_and_the_engine_keeps_working() {
    let mut engine = Engine::new();
    let err = engine.load(b"certainly not protobuf").unwrap_err();
    assert!(
        format!("{err:#}").starts_with("cannot read an ONNX model from these 22 bytes"),
        "{err:#}"
    );
    let out = engine.conv(&base()).unwrap();
    assert_eq!(out.data, COURSE_OUTPUT);
}

/// Loading user models: what a wrong file gets told (issue: "a broken ONNX file … gets a clear
/// message").
#[test]
fn model_files_that_cannot_run_get_messages_naming_the_cause() {
    use cnn_playground::engine::{Model, MAX_MODEL_BYTES, MAX_RUN_BYTES};
    use cnn_playground::graph;
    use tract_onnx::pb::tensor_shape_proto::dimension::Value;

    let message = |bytes: &[u8]| format!("{:#}", Model::load(bytes).err().expect("an error"));
    assert!(message(b"certainly not protobuf")
        .starts_with("cannot read an ONNX model from these 22 bytes"));
    assert_eq!(
        message(&vec![0u8; MAX_RUN_BYTES + 1]),
        "the model file has 268 MB, more than the 256 MiB the playground can run in a browser: open it in the model explorer to see its layers, shapes and counts"
    );
    assert_eq!(
        format!(
            "{:#}",
            Model::structure(&vec![0u8; MAX_MODEL_BYTES + 1])
                .err()
                .unwrap()
        ),
        "the model file has 1073741825 bytes, over the limit of 1073741824 (1024 MiB)"
    );

    // A valid one-layer graph loads and runs like the engine's own conv.
    let conv = base();
    let proto = graph::conv(&conv, &conv.validate().unwrap());
    let model = Model::load(&graph::encode(&proto)).unwrap();
    assert_eq!(
        (model.input_shape(), model.output_shape()),
        (&[1, 1, 6, 6][..], &[1, 1, 4, 4][..])
    );
    assert_eq!(model.run(&COURSE_IMAGE).unwrap().data, COURSE_OUTPUT);
    assert_eq!(
        format!("{:#}", model.run(&COURSE_IMAGE[..35]).unwrap_err()),
        "input has 35 values but shape [1, 1, 6, 6] needs 36"
    );

    // A symbolic batch becomes 1; a symbolic height cannot be run.
    let with_dim = |axis: usize, value: Value| {
        let mut p = proto.clone();
        let input = &mut p.graph.as_mut().unwrap().input[0];
        let Some(tract_onnx::pb::type_proto::Value::TensorType(t)) =
            input.r#type.as_mut().unwrap().value.as_mut()
        else {
            unreachable!()
        };
        t.shape.as_mut().unwrap().dim[axis].value = Some(value);
        graph::encode(&p)
    };
    let batch = Model::load(&with_dim(0, Value::DimParam("N".into()))).unwrap();
    assert_eq!(batch.input_shape(), [1, 1, 6, 6]);
    assert!(
        message(&with_dim(2, Value::DimParam("H".into()))).starts_with("the model's input shape")
    );

    // Two inputs.
    let mut two = proto.clone();
    let g = two.graph.as_mut().unwrap();
    let mut second = g.input[0].clone();
    second.name = "extra".into();
    g.input.push(second);
    assert_eq!(
        message(&graph::encode(&two)),
        "the model has 2 inputs; the playground runs models with one image input"
    );
}
