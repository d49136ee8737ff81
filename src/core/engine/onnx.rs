//! Reading ONNX files: the size limit, tract's parse with unknown ops named, and what the file
//! itself says about each node (op, weights, window attributes, multiply-adds) without running it.

use std::collections::HashMap;

use anyhow::{ensure, Context, Result};
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::core::error::Plainly;
use crate::core::geometry::{AxisPad, Padding};

/// Largest ONNX file the playground loads: 64 MiB (a wasm32 module has 4 GiB at most, and the
/// optimised plan needs room besides the bytes).
pub const MAX_MODEL_BYTES: usize = 64 << 20;

/// Decodes user-supplied ONNX `bytes`, refusing files over [`MAX_MODEL_BYTES`] before parsing
/// and files without a graph.
/// The sentence for bytes that do not decode as an ONNX model.
pub(crate) fn unreadable(len: usize) -> String {
    format!("cannot read an ONNX model from these {len} bytes: choose an .onnx file")
}

fn decode(bytes: &[u8]) -> Result<pb::ModelProto> {
    use prost::Message;
    ensure!(
        bytes.len() <= MAX_MODEL_BYTES,
        "the model file has {} bytes, over the limit of {MAX_MODEL_BYTES} ({} MiB)",
        bytes.len(),
        MAX_MODEL_BYTES >> 20
    );
    let proto = pb::ModelProto::decode(bytes).plainly(|| unreadable(bytes.len()))?;
    ensure!(proto.graph.is_some(), "the ONNX file has no graph");
    Ok(proto)
}

/// The file's graph and tract's inference graph of it: `bytes` decoded once ([`decode`]),
/// checked for what tract would assert on ([`super::validate`]), then translated by tract.
pub(crate) fn read_onnx(bytes: &[u8]) -> Result<(pb::GraphProto, InferenceModel)> {
    let mut proto = decode(bytes)?;
    let graph = proto.graph.take().context("the ONNX file has no graph")?;
    super::validate::validate(&graph)?;
    proto.graph = Some(graph);
    let model = tract_onnx::onnx()
        .model_for_proto_model(&proto)
        .plainly(|| unreadable(bytes.len()))?;
    // tract reads ops it does not know as placeholders named `Unimplemented(Op)`.
    let unknown: Vec<String> = model
        .nodes()
        .iter()
        .filter_map(|n| {
            let op = n.op.name();
            let inner = op.strip_prefix("Unimplemented(")?.strip_suffix(')')?;
            Some(format!("{inner} (node {})", n.name))
        })
        .collect();
    ensure!(
        unknown.is_empty(),
        "tract cannot run the op{} {}: this model cannot be loaded in the playground",
        if unknown.len() > 1 { "s" } else { "" },
        unknown.join(", ")
    );
    let graph = proto.graph.take().context("the ONNX file has no graph")?;
    Ok((graph, model))
}

/// The weights of the `Conv` node called `node` (its ONNX name, or its first output's name) in
/// ONNX `bytes`: `(weight shape [k, c, kernel…], weight values, bias values)` (a bias of zeros when
/// the node has none): what a plain-Rust backward pass through a trained layer needs.
pub fn conv_weights(bytes: &[u8], node: &str) -> Result<(Vec<usize>, Vec<f32>, Vec<f32>)> {
    let graph = decode(bytes)?.graph.context("the ONNX file has no graph")?;
    let conv = graph
        .node
        .iter()
        .find(|n| {
            n.op_type == "Conv" && (n.name == node || n.output.first().is_some_and(|o| o == node))
        })
        .with_context(|| format!("the model has no Conv node called {node:?}"))?;
    let tensor = |name: &str| -> Result<(Vec<usize>, Vec<f32>)> {
        let t = graph
            .initializer
            .iter()
            .find(|t| t.name == name)
            .with_context(|| format!("{node}: the weight {name:?} is not stored in the file"))?;
        let dims: Vec<usize> = t.dims.iter().map(|&d| d.max(0) as usize).collect();
        let data: Vec<f32> = if !t.float_data.is_empty() {
            t.float_data.clone()
        } else {
            t.raw_data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        };
        ensure!(
            data.len() == dims.iter().product::<usize>(),
            "{node}: {name} holds {} values for shape {dims:?} (not f32?)",
            data.len()
        );
        Ok((dims, data))
    };
    let (shape, weight) = tensor(conv.input.get(1).context("the Conv has no weight input")?)?;
    let bias = match conv.input.get(2).filter(|b| !b.is_empty()) {
        Some(b) => tensor(b)?.1,
        None => vec![0.0; shape.first().copied().unwrap_or(0)],
    };
    Ok((shape, weight, bias))
}

/// What the ONNX file itself says about a node.
pub(crate) struct OnnxNode {
    pub(crate) op: String,
    pub(crate) name: String,
    /// Its first output's name (tract labels outlets with it).
    pub(crate) output: String,
    pub(crate) params: usize,
    /// The shape of its first weight input, for multiply-adds.
    pub(crate) weight: Vec<usize>,
    /// Its input names (data and weights), with `Identity` nodes looked through.
    pub(crate) inputs: Vec<String>,
    /// The inputs counted in `params` (floating-point initializers and shapes-only inputs); the
    /// layer table adds constants computed inside the graph.
    pub(crate) counted: Vec<String>,
    /// The window attributes of a conv or pool.
    pub(crate) window: Option<WindowAttributes>,
    /// The `axis` attribute (e.g. a softmax's).
    pub(crate) axis: Option<i64>,
}

/// A conv's or pool's ONNX window attributes, spatial axes outer to inner.
pub(crate) struct WindowAttributes {
    /// `kernel_shape`, or the conv weight's trailing sizes when the attribute is absent.
    pub(crate) kernel: Vec<usize>,
    pub(crate) strides: Vec<usize>,
    /// `pads`: the befores of every axis, then the afters.
    pub(crate) pads: Vec<usize>,
    pub(crate) dilations: Vec<usize>,
    pub(crate) auto_pad: String,
}

impl WindowAttributes {
    /// The padding these attributes ask for over `rank` spatial axes: `auto_pad` `SAME_UPPER`,
    /// `SAME_LOWER` or `VALID`, else `pads` (befores of every axis, then afters; missing entries
    /// are 0), resolved by [`crate::core::geometry`].
    pub(crate) fn padding(&self, rank: usize) -> Padding {
        match self.auto_pad.as_str() {
            "SAME_UPPER" => Padding::Same,
            "SAME_LOWER" => Padding::SameLower,
            "VALID" => Padding::Valid,
            _ => Padding::PerAxis(
                (0..rank)
                    .map(|a| AxisPad {
                        before: self.pads.get(a).copied().unwrap_or(0),
                        after: self.pads.get(a + rank).copied().unwrap_or(0),
                    })
                    .collect(),
            ),
        }
    }

    fn read(node: &tract_onnx::pb::NodeProto, weight: &[usize]) -> Option<WindowAttributes> {
        if !matches!(
            node.op_type.as_str(),
            "Conv" | "MaxPool" | "AveragePool" | "LpPool"
        ) {
            return None;
        }
        let ints = |name: &str| -> Vec<usize> {
            node.attribute
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.ints.iter().map(|&v| v.max(0) as usize).collect())
                .unwrap_or_default()
        };
        let mut kernel = ints("kernel_shape");
        if kernel.is_empty() && weight.len() > 2 {
            kernel = weight[2..].to_vec();
        }
        let auto_pad = node
            .attribute
            .iter()
            .find(|a| a.name == "auto_pad")
            .map(|a| String::from_utf8_lossy(&a.s).into_owned())
            .unwrap_or_default();
        Some(WindowAttributes {
            kernel,
            strides: ints("strides"),
            pads: ints("pads"),
            dilations: ints("dilations"),
            auto_pad,
        })
    }
}

/// Ops whose floating-point constant inputs are the layer's parameters (weights, biases,
/// normalisation statistics, embedding tables); constants of other ops (a `Resize`'s scales, a
/// `Clip`'s bounds) are not.
pub(crate) const WEIGHT_OPS: &[&str] = &[
    "Conv",
    "ConvTranspose",
    "Gemm",
    "MatMul",
    "BatchNormalization",
    "InstanceNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "PRelu",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "LSTM",
    "GRU",
    "RNN",
    "Gather",
    "Einsum",
];

/// ONNX element types that hold learnable values: FLOAT, FLOAT16, DOUBLE, BFLOAT16.
fn is_float(data_type: i32) -> bool {
    matches!(data_type, 1 | 10 | 11 | 16)
}

/// The ONNX nodes of `graph` (without `Constant` and `Identity`) with the facts that need no
/// runtime.
pub(crate) fn onnx_nodes(graph: &pb::GraphProto) -> Result<Vec<OnnxNode>> {
    // Weights: floating-point initializers, and graph inputs after the first (shapes-only
    // architectures). Integer tensors (shapes, axes, indices) are not parameters.
    let mut initializers: HashMap<&str, Vec<usize>> = graph
        .initializer
        .iter()
        .filter(|t| is_float(t.data_type))
        .map(|t| {
            (
                t.name.as_str(),
                t.dims.iter().map(|&d| d.max(0) as usize).collect(),
            )
        })
        .collect();
    for input in graph.input.iter().skip(1) {
        use tract_onnx::pb::tensor_shape_proto::dimension::Value;
        if let Some(tract_onnx::pb::type_proto::Value::TensorType(t)) =
            input.r#type.as_ref().and_then(|t| t.value.as_ref())
        {
            if !is_float(t.elem_type) {
                continue;
            }
            let dims = t.shape.as_ref().map_or(Vec::new(), |s| {
                s.dim
                    .iter()
                    .map(|d| match d.value {
                        Some(Value::DimValue(v)) => v.max(0) as usize,
                        _ => 0,
                    })
                    .collect()
            });
            initializers.insert(input.name.as_str(), dims);
        }
    }
    let mut aliases = HashMap::new();
    for n in graph.node.iter().filter(|n| n.op_type == "Identity") {
        if let (Some(i), Some(o)) = (n.input.first(), n.output.first()) {
            aliases.insert(o.as_str(), i.as_str());
        }
    }
    let resolve = |name: &str| {
        let mut name = name.to_string();
        for _ in 0..aliases.len() {
            match aliases.get(name.as_str()) {
                Some(i) => name = i.to_string(),
                None => break,
            }
        }
        name
    };
    let nodes = graph
        .node
        .iter()
        .filter(|n| !matches!(n.op_type.as_str(), "Constant" | "Identity"))
        .filter_map(|n| {
            let output = n.output.first()?.clone();
            let name = if n.name.is_empty() {
                output.clone()
            } else {
                n.name.clone()
            };
            let weight_op = WEIGHT_OPS.contains(&n.op_type.as_str());
            let counted: Vec<String> = n
                .input
                .iter()
                .filter(|i| weight_op && initializers.contains_key(i.as_str()))
                .map(|i| resolve(i))
                .collect();
            let weights: Vec<&Vec<usize>> = n
                .input
                .iter()
                .filter(|_| weight_op)
                .filter_map(|i| initializers.get(i.as_str()))
                .collect();
            let params = weights.iter().map(|d| d.iter().product::<usize>()).sum();
            let weight = weights.first().map(|d| d.to_vec()).unwrap_or_default();
            Some(OnnxNode {
                op: n.op_type.clone(),
                name,
                output,
                params,
                window: WindowAttributes::read(n, &weight),
                weight,
                inputs: n.input.iter().map(|i| resolve(i)).collect(),
                counted,
                axis: n.attribute.iter().find(|a| a.name == "axis").map(|a| a.i),
            })
        })
        .collect();
    Ok(nodes)
}

/// Multiply-adds of one run of `op` with `output` shape and first weight `weight` (see
/// [`super::LayerInfo::macs`]).
pub(crate) fn macs(op: &str, output: &[usize], weight: &[usize]) -> u64 {
    let out: u64 = output.iter().map(|&d| d as u64).product();
    match op {
        "Conv" if weight.len() >= 3 => out * weight[1..].iter().map(|&d| d as u64).product::<u64>(),
        "Gemm" | "MatMul" if weight.len() == 2 => {
            let units = *output.last().unwrap_or(&1) as u64;
            let total: u64 = weight.iter().map(|&d| d as u64).product();
            out * (total / units.max(1))
        }
        _ => 0,
    }
}
