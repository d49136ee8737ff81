//! ONNX graphs for single layers, written in Rust with tract-onnx's protobuf types.
//!
//! Each builder returns a complete `ModelProto` (opset 13) with one input called [`INPUT`] of a
//! concrete shape `[1, c, spatial…]` (NCHW for images), the layer's parameters as initializers, and one output
//! called [`OUTPUT`]. The bytes from [`encode`] are an ordinary `.onnx` file: tract runs them in
//! [`crate::engine`], and any other ONNX runtime can too.

use prost::Message;
use tract_onnx::pb;
use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;

use crate::geometry::{AxisPad, Geometry};
use crate::ops::{Conv, Pool, PoolMode};

/// The operator set every graph declares.
pub const OPSET: i64 = 13;
/// ONNX IR version 8 (the one that goes with opset 13).
pub const IR_VERSION: i64 = 8;
/// Name of the graph input.
pub const INPUT: &str = "input";
/// Name of the graph output.
pub const OUTPUT: &str = "output";

fn dims(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

fn value_info(name: &str, shape: &[usize]) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{dimension::Value, Dimension};
    let dim = shape
        .iter()
        .map(|&d| Dimension {
            value: Some(Value::DimValue(d as i64)),
            ..Default::default()
        })
        .collect();
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: DataType::Float as i32,
                shape: Some(pb::TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn float_tensor(name: &str, shape: &[usize], data: &[f32]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims(shape),
        data_type: DataType::Float as i32,
        float_data: data.to_vec(),
        ..Default::default()
    }
}

fn int64_tensor(name: &str, data: &[i64]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: vec![data.len() as i64],
        data_type: DataType::Int64 as i32,
        int64_data: data.to_vec(),
        ..Default::default()
    }
}

fn ints(name: &str, values: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Ints as i32,
        ints: values.to_vec(),
        ..Default::default()
    }
}

fn int(name: &str, value: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Int as i32,
        i: value,
        ..Default::default()
    }
}

fn string(name: &str, value: &str) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::String as i32,
        s: value.as_bytes().to_vec(),
        ..Default::default()
    }
}

fn node(
    op: &str,
    inputs: &[&str],
    outputs: &[&str],
    attribute: Vec<pb::AttributeProto>,
) -> pb::NodeProto {
    pb::NodeProto {
        name: format!("{}_{op}", outputs[0]),
        op_type: op.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        attribute,
        ..Default::default()
    }
}

fn model(
    name: &str,
    nodes: Vec<pb::NodeProto>,
    initializer: Vec<pb::TensorProto>,
    input_shape: &[usize],
    output_shape: &[usize],
) -> pb::ModelProto {
    pb::ModelProto {
        ir_version: IR_VERSION,
        producer_name: "cnn-playground".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        opset_import: vec![pb::OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        graph: Some(pb::GraphProto {
            name: name.into(),
            node: nodes,
            initializer,
            input: vec![value_info(INPUT, input_shape)],
            output: vec![value_info(OUTPUT, output_shape)],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// ONNX `pads` for the spatial axes: all "before" sides, then all "after" sides
/// (`[top, left, bottom, right]` in 2D).
fn onnx_pads(geometry: &Geometry) -> Vec<i64> {
    let before = geometry.axes.iter().map(|a| a.pad.before as i64);
    let after = geometry.axes.iter().map(|a| a.pad.after as i64);
    before.chain(after).collect()
}

fn onnx_strides(geometry: &Geometry) -> Vec<i64> {
    geometry.axes.iter().map(|a| a.stride as i64).collect()
}

/// `[c, spatial…]` → `[1, c, spatial…]`.
fn batched(shape: &[usize]) -> Vec<usize> {
    std::iter::once(1).chain(shape.iter().copied()).collect()
}

/// The convolution `conv` (already validated, with its `geometry`) as an ONNX graph over 1, 2 or
/// 3 spatial axes: input `[1, c, spatial…]`, output `[1, k, spatial'…]`, then `Relu` when
/// `conv.relu`.
///
/// In general one `Conv` node with initializers `W` `[k, c, kernel…]` and `B` `[k]`. A single
/// filter over several channels (the edge filters on RGB images) is written as the same sum in two
/// steps instead, `Conv` with `group = c` (each channel with its own slice of the filter, bias on
/// channel 0) then `ReduceSum` over the channels: tract has a SIMD kernel for such depthwise
/// convolutions on wasm32 and not for one-filter convolutions (measured on 512x512x3 in headless
/// Chromium: 5.5 ms against 19.6 ms).
pub fn conv(conv: &Conv, geometry: &Geometry) -> pb::ModelProto {
    let (k, c) = (conv.weight_shape[0], conv.weight_shape[1]);
    let kernel = &conv.weight_shape[2..];
    let depthwise_sum = k == 1 && c > 1;
    let mut attributes = vec![
        ints("kernel_shape", &dims(kernel)),
        ints("pads", &onnx_pads(geometry)),
        ints("strides", &onnx_strides(geometry)),
        ints("dilations", &vec![1; kernel.len()]),
    ];
    let mut initializer = Vec::new();
    let mut inputs = vec![INPUT, "W"];
    if depthwise_sum {
        // [1, c, kernel…] → [c, 1, kernel…]: the same values, one filter slice per group.
        let shape: Vec<usize> = [c, 1].iter().chain(kernel).copied().collect();
        initializer.push(float_tensor("W", &shape, conv.weight));
        attributes.push(int("group", c as i64));
        if let Some(bias) = conv.bias {
            let mut per_channel = vec![0.0; c];
            per_channel[0] = bias[0];
            initializer.push(float_tensor("B", &[c], &per_channel));
            inputs.push("B");
        }
    } else {
        initializer.push(float_tensor("W", conv.weight_shape, conv.weight));
        attributes.push(int("group", 1));
        if let Some(bias) = conv.bias {
            initializer.push(float_tensor("B", &[bias.len()], bias));
            inputs.push("B");
        }
    }
    let mut nodes = Vec::new();
    let mut last = "conv";
    nodes.push(node("Conv", &inputs, &[last], attributes));
    if depthwise_sum {
        initializer.push(int64_tensor("channels", &[1]));
        nodes.push(node(
            "ReduceSum",
            &[last, "channels"],
            &["sum"],
            vec![int("keepdims", 1)],
        ));
        last = "sum";
    }
    if conv.relu {
        nodes.push(node("Relu", &[last], &["relu"], vec![]));
        last = "relu";
    }
    nodes.push(node("Identity", &[last], &[OUTPUT], vec![]));
    model(
        "conv",
        nodes,
        initializer,
        &batched(conv.input_shape),
        &batched(&conv.output_shape(geometry)),
    )
}

/// `MaxPool` or `AveragePool` (`count_include_pad = 0`) over 1, 2 or 3 spatial axes for an already
/// validated `pool`: input `[1, c, spatial…]`, output `[1, c, spatial'…]`.
pub fn pool(pool: &Pool, geometry: &Geometry) -> pb::ModelProto {
    let mut attributes = vec![
        ints("kernel_shape", &dims(pool.size)),
        ints("pads", &onnx_pads(geometry)),
        ints("strides", &onnx_strides(geometry)),
    ];
    let op = match pool.mode {
        PoolMode::Max => "MaxPool",
        PoolMode::Average => {
            attributes.push(int("count_include_pad", 0));
            "AveragePool"
        }
    };
    model(
        "pool",
        vec![node(op, &[INPUT], &[OUTPUT], attributes)],
        vec![],
        &batched(pool.input_shape),
        &batched(&pool.output_shape(geometry)),
    )
}

/// Zero `Pad` of the two spatial axes of a `[1, c, h, w]` input by `[rows, cols]`.
pub fn pad2d(input_shape: [usize; 3], pads: [AxisPad; 2]) -> pb::ModelProto {
    let [c, h, w] = input_shape;
    let [r, k] = pads;
    let onnx_pads = [0, 0, r.before, k.before, 0, 0, r.after, k.after].map(|p| p as i64);
    let output = [c, h + r.total(), w + k.total()];
    model(
        "pad2d",
        vec![node(
            "Pad",
            &[INPUT, "pads"],
            &[OUTPUT],
            vec![string("mode", "constant")],
        )],
        vec![int64_tensor("pads", &onnx_pads)],
        &batched(&input_shape),
        &batched(&output),
    )
}

/// The `.onnx` file bytes of `model`.
pub fn encode(model: &pb::ModelProto) -> Vec<u8> {
    model.encode_to_vec()
}
