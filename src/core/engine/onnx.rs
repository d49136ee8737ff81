//! Reading ONNX files: the size limit, tract's parse with unknown ops named, and what the file
//! itself says about each node (op, weights, window attributes, multiply-adds) without running it.

use std::collections::HashMap;

use anyhow::{ensure, Context, Result};
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::core::error::Plainly;
use crate::core::geometry::{AxisPad, Padding};

/// Largest ONNX file the playground reads: 1 GiB. A wasm32 module has 4 GiB of memory at most;
/// files up to [`MAX_RUN_BYTES`] are loaded to run, larger ones are read for their structure,
/// shapes and counts only ([`super::Model::structure`]), their weights skipped as they are read.
pub const MAX_MODEL_BYTES: usize = 1 << 30;

/// Largest ONNX file the playground loads to run: 256 MiB. While loading, the bytes, the decoded
/// file, tract's graph and the optimised plan each hold the weights (AlexNet's 244 MB export
/// peaks near 1 GiB); a larger file would not fit in a wasm32 module's 4 GiB beside the page.
pub const MAX_RUN_BYTES: usize = 256 << 20;

/// Float initializers with more values than this are weights that [`strip_weights`] leaves out;
/// smaller ones (Resize scales, normalisation constants) may decide shapes and are kept.
const KEPT_VALUES: i64 = 1024;

/// Decodes user-supplied ONNX `bytes`, refusing files over [`MAX_RUN_BYTES`] before parsing
/// and files without a graph.
/// The sentence for bytes that do not decode as an ONNX model.
pub(crate) fn unreadable(len: usize) -> String {
    format!("cannot read an ONNX model from these {len} bytes: choose an .onnx file")
}

fn decode(bytes: &[u8]) -> Result<pb::ModelProto> {
    use prost::Message;
    ensure!(
        bytes.len() <= MAX_RUN_BYTES,
        "the model file has {} MB, more than the {} MiB the playground can run in a browser: open it in the model explorer to see its layers, shapes and counts",
        bytes.len() / 1_000_000,
        MAX_RUN_BYTES >> 20
    );
    let proto = pb::ModelProto::decode(bytes).plainly(|| unreadable(bytes.len()))?;
    ensure!(proto.graph.is_some(), "the ONNX file has no graph");
    Ok(proto)
}

/// The file's graph and tract's inference graph of it: `bytes` decoded once ([`decode`]),
/// checked for what tract would assert on ([`super::validate`]), then translated by tract.
pub(crate) fn read_onnx(bytes: &[u8]) -> Result<(pb::GraphProto, InferenceModel)> {
    let mut proto = decode(bytes)?;
    let mut graph = proto.graph.take().context("the ONNX file has no graph")?;
    drop_trailing_empty_inputs(&mut graph);
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

/// Drops the empty names at the end of every node's inputs. ONNX leaves an optional input out
/// either by omitting it or by naming it "", and both mean the same; tract-onnx 0.23.9 counts a
/// Conv's third input as a bias whenever there are three, then wires only the named ones, and its
/// shape rules index past them (a panic; tests/native/robustness.rs, fuzz findings).
fn drop_trailing_empty_inputs(graph: &mut pb::GraphProto) {
    for node in &mut graph.node {
        while node.input.last().is_some_and(|name| name.is_empty()) {
            node.input.pop();
        }
    }
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
        ensure!(
            t.data_type == pb::tensor_proto::DataType::Float as i32,
            "{node}: {name} is not f32 (ONNX type {})",
            t.data_type
        );
        // Read as tract reads it (raw_data first); f32 → f64 → f32 is exact.
        let data: Vec<f32> = super::validate::numbers(t)
            .into_iter()
            .map(|v| v as f32)
            .collect();
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
#[derive(Clone)]
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
#[derive(Clone)]
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
            // Through `Identity` aliases: exporters store identical tensors once (torchvision's
            // VGG has every zero bias of one size as one initializer); each layer that uses one
            // counts it, as the framework does.
            let counted: Vec<String> = n
                .input
                .iter()
                .map(|i| resolve(i))
                .filter(|i| weight_op && initializers.contains_key(i.as_str()))
                .collect();
            let weights: Vec<&Vec<usize>> = counted
                .iter()
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

/// Protobuf wire format, just enough to walk a file without decoding its weights.
mod wire {
    use anyhow::{bail, ensure, Result};

    pub struct Field<'a> {
        pub number: u64,
        /// Varint value (wire type 0); 0 otherwise.
        pub value: u64,
        /// Length-delimited contents (wire type 2); empty otherwise.
        pub bytes: &'a [u8],
        /// The whole field, key included, as it appears in the file.
        pub raw: &'a [u8],
    }

    fn varint(data: &[u8], at: &mut usize) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = data.get(*at) else {
                bail!("the file ends inside a number")
            };
            *at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        bail!("a number in the file is longer than 10 bytes")
    }

    /// The fields of one message, in file order.
    pub fn fields(data: &[u8]) -> Result<Vec<Field<'_>>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let start = at;
            let key = varint(data, &mut at)?;
            let (mut value, mut bytes) = (0, &data[0..0]);
            match key & 7 {
                0 => value = varint(data, &mut at)?,
                1 => at += 8,
                2 => {
                    let len = usize::try_from(varint(data, &mut at)?).unwrap_or(usize::MAX);
                    ensure!(
                        len <= data.len() - at,
                        "a field runs past the end of the file"
                    );
                    bytes = &data[at..at + len];
                    at += len;
                }
                5 => at += 4,
                t => bail!("unknown protobuf wire type {t}"),
            }
            ensure!(at <= data.len(), "a field runs past the end of the file");
            out.push(Field {
                number: key >> 3,
                value,
                bytes,
                raw: &data[start..at],
            });
        }
        Ok(out)
    }

    /// Varints of a packed (or single) repeated field.
    pub fn packed(data: &[u8]) -> Result<Vec<u64>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < data.len() {
            out.push(varint(data, &mut at)?);
        }
        Ok(out)
    }
}

/// The ONNX file `bytes` rewritten without its large float weights: every float initializer of
/// more than 1024 values is left out of the graph and declared instead as a graph input with its
/// type and shape (as [`crate::core::graph::GraphBuilder::shapes_only`] writes architectures), so
/// tract can analyse shapes and the layer table can count parameters without the weights ever
/// being decoded. Everything else is copied as it is. At most [`MAX_MODEL_BYTES`].
pub fn strip_weights(bytes: &[u8]) -> Result<Vec<u8>> {
    use prost::Message;
    ensure!(
        bytes.len() <= MAX_MODEL_BYTES,
        "the model file has {} bytes, over the limit of {MAX_MODEL_BYTES} ({} MiB)",
        bytes.len(),
        MAX_MODEL_BYTES >> 20
    );
    const GRAPH: u64 = 7;
    const INITIALIZER: u64 = 5;
    const INPUT: u64 = 11;
    let model = wire::fields(bytes).plainly(|| unreadable(bytes.len()))?;
    let mut out = Vec::new();
    for field in &model {
        if field.number != GRAPH {
            out.extend_from_slice(field.raw);
            continue;
        }
        let mut graph = Vec::new();
        let mut weights = Vec::new();
        for g in wire::fields(field.bytes).plainly(|| unreadable(bytes.len()))? {
            if g.number == INITIALIZER {
                if let Some(input) = weight_declaration(g.bytes)? {
                    weights.push(input);
                    continue;
                }
            }
            graph.extend_from_slice(g.raw);
        }
        for w in weights {
            prost::encoding::message::encode(INPUT as u32, &w, &mut graph);
        }
        prost::encoding::encode_key(
            GRAPH as u32,
            prost::encoding::WireType::LengthDelimited,
            &mut out,
        );
        prost::encoding::encode_varint(graph.len() as u64, &mut out);
        out.extend_from_slice(&graph);
    }
    // The result must still be an ONNX file.
    pb::ModelProto::decode(&out[..]).plainly(|| unreadable(bytes.len()))?;
    Ok(out)
}

/// For a float initializer of more than [`KEPT_VALUES`] values, the graph input that declares it
/// (name, type, dims); `None` for any other tensor.
fn weight_declaration(tensor: &[u8]) -> Result<Option<pb::ValueInfoProto>> {
    const DIMS: u64 = 1;
    const DATA_TYPE: u64 = 2;
    const NAME: u64 = 8;
    let (mut dims, mut data_type, mut name) = (Vec::new(), 0, String::new());
    for f in wire::fields(tensor)? {
        match f.number {
            DIMS if f.bytes.is_empty() => dims.push(f.value as i64),
            DIMS => dims.extend(wire::packed(f.bytes)?.into_iter().map(|d| d as i64)),
            DATA_TYPE => data_type = f.value as i32,
            NAME => name = String::from_utf8_lossy(f.bytes).into_owned(),
            _ => {}
        }
    }
    let count = dims
        .iter()
        .try_fold(1i64, |n, &d| if d >= 0 { n.checked_mul(d) } else { None });
    if !is_float(data_type) || count.is_none_or(|n| n <= KEPT_VALUES) {
        return Ok(None);
    }
    Ok(Some(crate::core::graph::typed_value_info(
        &name, data_type, &dims,
    )))
}
