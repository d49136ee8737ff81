//! ONNX graphs for single layers, written in Rust with tract-onnx's protobuf types.
//!
//! Each builder returns a complete `ModelProto` (opset 13) with one input called [`INPUT`] of a
//! concrete shape `[1, c, spatial…]` (NCHW for images), the layer's parameters as initializers, and one output
//! called [`OUTPUT`]. The bytes from [`encode`] are an ordinary `.onnx` file: tract runs them in
//! [`crate::core::engine`], and any other ONNX runtime can too.

use prost::Message;
use tract_onnx::pb;
use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;

use crate::core::geometry::{AxisPad, Geometry};
use crate::core::ops::{Conv, Pool, PoolMode};

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
    typed_value_info(name, DataType::Float as i32, &dims(shape))
}

/// A graph input or output called `name` holding `elem_type` (ONNX `DataType`) of shape `dims`.
pub(crate) fn typed_value_info(name: &str, elem_type: i32, dims: &[i64]) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{dimension::Value, Dimension};
    let dim = dims
        .iter()
        .map(|&d| Dimension {
            value: Some(Value::DimValue(d)),
            ..Default::default()
        })
        .collect();
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type,
                shape: Some(pb::TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A float initializer, its values little-endian in `raw_data`: reading them back is one copy,
/// where `float_data` (a packed repeated field) is decoded value by value (the 22 MB face encoder
/// spent 10 % of its native load in prost's `merge_repeated`).
fn float_tensor(name: &str, shape: &[usize], data: &[f32]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims(shape),
        data_type: DataType::Float as i32,
        raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
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

/// A pooling window's attributes: `kernel_shape`, `strides` and ONNX `pads`.
fn window(kernel: &[usize], strides: &[usize], pads: &[usize]) -> Vec<pb::AttributeProto> {
    vec![
        ints("kernel_shape", &dims(kernel)),
        ints("strides", &dims(strides)),
        ints("pads", &dims(pads)),
    ]
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

/// Builds a multi-layer ONNX graph (opset 13) node by node, for trained models converted by the
/// project and for the classic architectures. The graph has one input [`INPUT`] of the shape given
/// to [`GraphBuilder::new`]; every method adds one node (and its weights as initializers) and
/// returns the name of the value it produced; [`GraphBuilder::finish`] names the output.
///
/// Shapes follow ONNX: NCHW activations, OIHW convolution weights, `pads` listing all "before"
/// sides then all "after" sides.
pub struct GraphBuilder {
    name: String,
    input_shape: Vec<usize>,
    nodes: Vec<pb::NodeProto>,
    initializer: Vec<pb::TensorProto>,
    /// In shapes-only mode, the weights as extra graph inputs (shape, no values).
    weight_inputs: Option<Vec<pb::ValueInfoProto>>,
    count: usize,
}

impl GraphBuilder {
    /// An empty graph called `name` whose input has `input_shape` (batch included).
    pub fn new(name: &str, input_shape: &[usize]) -> Self {
        GraphBuilder {
            name: name.into(),
            input_shape: input_shape.to_vec(),
            nodes: Vec::new(),
            initializer: Vec::new(),
            weight_inputs: None,
            count: 0,
        }
    }

    /// A graph whose weights are declared as extra graph inputs with their shapes but no values,
    /// for analysing architectures (shapes, parameters, multiply-adds) without materialising their
    /// weights: VGG-16's 138 million parameters would be 553 MB. Such a graph can be analysed
    /// ([`crate::core::engine::analyse`]) but not run; weight values passed to its methods are ignored.
    pub fn shapes_only(name: &str, input_shape: &[usize]) -> Self {
        GraphBuilder {
            weight_inputs: Some(Vec::new()),
            ..GraphBuilder::new(name, input_shape)
        }
    }

    /// The name of the graph input.
    pub fn input(&self) -> String {
        INPUT.into()
    }

    /// A fresh value name `"{stem}_{n}"`.
    fn fresh(&mut self, stem: &str) -> String {
        self.count += 1;
        format!("{stem}_{}", self.count)
    }

    /// Adds an f32 initializer of `shape` and returns its name.
    pub fn constant(&mut self, stem: &str, shape: &[usize], data: &[f32]) -> String {
        let name = self.fresh(stem);
        match self.weight_inputs.as_mut() {
            Some(inputs) => inputs.push(value_info(&name, shape)),
            None => self.initializer.push(float_tensor(&name, shape, data)),
        }
        name
    }

    /// A per-channel scale and shift of `[n, c, h, w]`, `x·γ + β` with `γ`, `β` of `[1, c, 1, 1]`:
    /// batch normalisation as it runs at inference (its statistics folded in), two parameters per
    /// channel.
    pub fn scale_shift(&mut self, x: &str, gamma: &[f32], beta: &[f32], channels: usize) -> String {
        let g = self.constant("gamma", &[1, channels, 1, 1], gamma);
        let b = self.constant("beta", &[1, channels, 1, 1], beta);
        let scaled = self.push("Mul", &[x, &g], vec![]);
        self.push("Add", &[&scaled, &b], vec![])
    }

    fn push(&mut self, op: &str, inputs: &[&str], attributes: Vec<pb::AttributeProto>) -> String {
        let out = self.fresh(&op.to_lowercase());
        self.nodes.push(node(op, inputs, &[&out], attributes));
        out
    }

    /// `Conv` of `x` with `weight` `[k, c / group, kernel…]`, optional `bias` `[k]`, ONNX `pads`
    /// and `strides`, and `group` (`group = c` with one filter slice per channel is a depthwise
    /// convolution).
    pub fn conv(
        &mut self,
        x: &str,
        weight: (&[usize], &[f32]),
        bias: Option<&[f32]>,
        pads: &[usize],
        strides: &[usize],
        group: usize,
    ) -> String {
        let w = self.constant("w", weight.0, weight.1);
        let mut inputs = vec![x.to_string(), w];
        if let Some(b) = bias {
            inputs.push(self.constant("b", &[b.len()], b));
        }
        let kernel = &weight.0[2..];
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        self.push(
            "Conv",
            &refs,
            vec![
                ints("kernel_shape", &dims(kernel)),
                ints("pads", &dims(pads)),
                ints("strides", &dims(strides)),
                ints("dilations", &vec![1; kernel.len()]),
                int("group", group as i64),
            ],
        )
    }

    /// `Relu`.
    pub fn relu(&mut self, x: &str) -> String {
        self.push("Relu", &[x], vec![])
    }

    /// `LeakyRelu` with slope `alpha` for negative values.
    pub fn leaky_relu(&mut self, x: &str, alpha: f32) -> String {
        let attribute = pb::AttributeProto {
            name: "alpha".into(),
            r#type: AttributeType::Float as i32,
            f: alpha,
            ..Default::default()
        };
        self.push("LeakyRelu", &[x], vec![attribute])
    }

    /// `MaxPool` with window `kernel`, `strides` and ONNX `pads` (padding never wins).
    pub fn max_pool(
        &mut self,
        x: &str,
        kernel: &[usize],
        strides: &[usize],
        pads: &[usize],
    ) -> String {
        self.push("MaxPool", &[x], window(kernel, strides, pads))
    }

    /// `AveragePool` (`count_include_pad = 0`) with window `kernel`, `strides` and ONNX `pads`.
    pub fn average_pool(
        &mut self,
        x: &str,
        kernel: &[usize],
        strides: &[usize],
        pads: &[usize],
    ) -> String {
        let mut attributes = window(kernel, strides, pads);
        attributes.push(int("count_include_pad", 0));
        self.push("AveragePool", &[x], attributes)
    }

    /// `GlobalAveragePool`: `[n, c, spatial…]` → `[n, c, 1, …]`.
    pub fn global_average_pool(&mut self, x: &str) -> String {
        self.push("GlobalAveragePool", &[x], vec![])
    }

    /// Zero padding of a `[n, c, h, w]` tensor (ONNX `Pad`, constant 0): `pads` holds the zeros
    /// added before every axis, then after every axis (`[n, c, h, w, n, c, h, w]`), so channels
    /// can be padded as well as rows and columns.
    pub fn pad(&mut self, x: &str, pads: &[usize]) -> String {
        let name = self.fresh("pads");
        let values: Vec<i64> = pads.iter().map(|&p| p as i64).collect();
        // An initializer even in shapes-only graphs: tract needs the values to infer shapes.
        self.initializer.push(int64_tensor(&name, &values));
        self.push("Pad", &[x, &name], vec![])
    }

    /// Element-wise `Add` (a residual connection).
    pub fn add(&mut self, a: &str, b: &str) -> String {
        self.push("Add", &[a, b], vec![])
    }

    /// `Concat` along `axis` (1: channels, as in an Inception module).
    pub fn concat(&mut self, inputs: &[&str], axis: i64) -> String {
        self.push("Concat", inputs, vec![int("axis", axis)])
    }

    /// `Flatten` from axis 1: `[n, c, h, w]` → `[n, c·h·w]`.
    pub fn flatten(&mut self, x: &str) -> String {
        self.push("Flatten", &[x], vec![int("axis", 1)])
    }

    /// A fully connected layer, `Gemm` with `weight` `[units, inputs]` (`transB = 1`) and `bias`
    /// `[units]`: `y = x·Wᵀ + b`.
    pub fn dense(&mut self, x: &str, weight: (&[usize], &[f32]), bias: &[f32]) -> String {
        let w = self.constant("w", weight.0, weight.1);
        let b = self.constant("b", &[bias.len()], bias);
        self.push("Gemm", &[x, &w, &b], vec![int("transB", 1)])
    }

    /// `Softmax` over `axis`.
    pub fn softmax(&mut self, x: &str, axis: i64) -> String {
        self.push("Softmax", &[x], vec![int("axis", axis)])
    }

    /// The finished model with `output` as its only output (its shape left to the runtime).
    pub fn finish(mut self, output: &str) -> pb::ModelProto {
        self.nodes
            .push(node("Identity", &[output], &[OUTPUT], vec![]));
        let mut m = model(
            &self.name,
            self.nodes,
            self.initializer,
            &self.input_shape,
            &[],
        );
        if let (Some(graph), Some(weights)) = (m.graph.as_mut(), self.weight_inputs) {
            graph.input.extend(weights);
        }
        if let Some(graph) = m.graph.as_mut() {
            // No shape for the output: tract infers it from the input.
            if let Some(pb::type_proto::Value::TensorType(t)) = graph.output[0]
                .r#type
                .as_mut()
                .and_then(|t| t.value.as_mut())
            {
                t.shape = None;
            }
        }
        m
    }
}

/// The `.onnx` file bytes of `model`.
pub fn encode(model: &pb::ModelProto) -> Vec<u8> {
    model.encode_to_vec()
}
