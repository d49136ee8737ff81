//! tract, in one place: loading ONNX bytes, optimising them into a plan, running it, and keeping
//! recent plans so a widget that re-runs the same layer on new pixels does not re-optimise.

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

use crate::geometry::{
    check_output_size, check_tensor, shape_text, AxisGeometry, AxisPad, ReceptiveField,
};
use crate::graph;
use crate::ops::{Conv, Output, Pool};

/// An optimised tract plan, ready to run.
pub type Plan = Arc<TypedRunnableModel>;

/// Largest ONNX file the playground loads: 64 MiB (a wasm32 module has 4 GiB at most, and the
/// optimised plan needs room besides the bytes).
pub const MAX_MODEL_BYTES: usize = 64 << 20;

/// Runs `plan` on one f32 `input` of `shape` and returns its first output.
fn run_plan(plan: &Plan, input: &[f32], shape: &[usize]) -> Result<Output> {
    let tensor = Tensor::from_shape(shape, input)?;
    let outputs = plan
        .run(tvec!(tensor.into_tvalue()))
        .context("tract failed to run the graph")?;
    let first = outputs.first().context("the graph produced no output")?;
    let view = first
        .to_plain_array_view::<f32>()
        .context("the graph's output is not f32")?;
    Ok(Output {
        shape: view.shape().to_vec(),
        data: view.iter().copied().collect(),
    })
}

/// One node of a loaded model, as the model explorer lists it (lecture 13's tables).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    /// The ONNX node's name, or its first output's name when the node has none.
    pub name: String,
    /// The ONNX op type, e.g. `Conv`, `MaxPool`, `Gemm`.
    pub op: String,
    /// The shape of its first output for the model's input shape (from tract's analysis).
    pub output_shape: Vec<usize>,
    /// Values in the node's weight inputs (initializers): weights and biases.
    pub params: usize,
    /// Multiply-adds of one run: `Conv` `Π output · (c / group) · Π kernel`, `Gemm` and `MatMul`
    /// `Π output · inner size`, 0 for the others.
    pub macs: u64,
    /// Whether the output is a stack of 2D maps (`[1, c, h, w]`) from a conv, pool, activation,
    /// normalisation, residual add or concatenation: what the explorer draws.
    pub feature_map: bool,
    /// For a `[1, c, h, w]` output, where its positions look in the model's input, rows then
    /// columns, composed from the kernel, stride, padding and dilation attributes of the convs and
    /// pools on the way (branches joined by [`ReceptiveField::union`]); `None` after an op whose
    /// geometry the playground does not follow (e.g. `Resize`).
    pub receptive_field: Option<[ReceptiveField; 2]>,
    /// The shape of its data input (the first input that is not a weight), when known.
    pub input_shape: Vec<usize>,
    /// For a 2D conv or pool (global pools included), its window along rows and columns as the
    /// project's geometry computes it from the ONNX attributes (kernel `d·(f − 1) + 1` with
    /// dilation `d`, padding resolved from `pads` or `auto_pad`); its `output` must equal tract's.
    pub window: Option<LayerWindow>,
}

/// A conv's or pool's window (see [`LayerInfo::window`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerWindow {
    /// Rows, then columns: input size, effective kernel, padding, stride and output size.
    pub axes: [AxisGeometry; 2],
    /// The kernel as the file gives it (before dilation).
    pub kernel: [usize; 2],
    /// Dilation along rows and columns (1 for none).
    pub dilation: [usize; 2],
}

/// Ops whose 4-D outputs the explorer shows as feature maps.
const FEATURE_MAP_OPS: &[&str] = &[
    "Conv",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "Relu",
    "LeakyRelu",
    "Clip",
    "Sigmoid",
    "Tanh",
    "BatchNormalization",
    "Add",
    "Concat",
];

/// A feature-map layer: its index in the layer table and its outlet in the graph.
type Probe = (usize, OutletId);

/// The layer table, the feature-map probes and every layer's outlet (see [`layer_table`]).
type LayerTable = (Vec<LayerInfo>, Vec<Probe>, Vec<Option<OutletId>>);

/// Ops that keep the spatial positions of their inputs (elementwise, per-channel or
/// channel-wise): their receptive field is the union of their inputs'.
const POSITIONWISE_OPS: &[&str] = &[
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Elu",
    "Selu",
    "Clip",
    "Sigmoid",
    "HardSigmoid",
    "Tanh",
    "BatchNormalization",
    "InstanceNormalization",
    "Dropout",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Sum",
    "Max",
    "Min",
    "Concat",
];

/// The window of a 2D conv or pool `node` whose data input has `input` shape `[n, c, h, w]` and
/// whose output has `output` (see [`LayerInfo::window`]); `None` for other nodes or sizes the
/// geometry refuses.
fn node_window(node: &OnnxNode, input: &[usize], output: &[usize]) -> Option<LayerWindow> {
    if input.len() != 4 || output.len() != 4 {
        return None;
    }
    let axis = |a: usize| -> Option<(AxisGeometry, usize, usize)> {
        let (n, out) = (input[2 + a], output[2 + a]);
        match node.op.as_str() {
            "GlobalAveragePool" | "GlobalMaxPool" => {
                Some((AxisGeometry::new(n, n, AxisPad::default(), 1).ok()?, n, 1))
            }
            "Conv" | "MaxPool" | "AveragePool" | "LpPool" => {
                let w = node.window.as_ref()?;
                let k = *w.kernel.get(a)?;
                let s = w.strides.get(a).copied().unwrap_or(1).max(1);
                let d = w.dilations.get(a).copied().unwrap_or(1).max(1);
                let effective = d * k.max(1).saturating_sub(1) + 1;
                let pad = match w.auto_pad.as_str() {
                    "SAME_UPPER" | "SAME_LOWER" => {
                        let total = ((out.max(1) - 1) * s + effective).saturating_sub(n);
                        let small = total / 2;
                        let before = if w.auto_pad == "SAME_UPPER" {
                            small
                        } else {
                            total - small
                        };
                        AxisPad {
                            before,
                            after: total - before,
                        }
                    }
                    "VALID" => AxisPad::default(),
                    _ => AxisPad {
                        before: w.pads.get(a).copied().unwrap_or(0),
                        after: w.pads.get(a + 2).copied().unwrap_or(0),
                    },
                };
                Some((AxisGeometry::new(n, effective, pad, s).ok()?, k, d))
            }
            _ => None,
        }
    };
    let ((rows, kr, dr), (cols, kc, dc)) = (axis(0)?, axis(1)?);
    Some(LayerWindow {
        axes: [rows, cols],
        kernel: [kr, kc],
        dilation: [dr, dc],
    })
}

/// The receptive field (rows, columns) of `node`'s 4-D `output` given its window and its inputs'
/// fields and shapes (see [`LayerInfo::receptive_field`]).
fn node_receptive_field(
    node: &OnnxNode,
    output: &[usize],
    window: Option<&LayerWindow>,
    fields: &std::collections::HashMap<String, [ReceptiveField; 2]>,
    shapes: &std::collections::HashMap<String, Vec<usize>>,
) -> Option<[ReceptiveField; 2]> {
    if output.len() != 4 {
        return None;
    }
    let known: Vec<(&[ReceptiveField; 2], Option<&Vec<usize>>)> = node
        .inputs
        .iter()
        .filter_map(|i| fields.get(i).map(|f| (f, shapes.get(i))))
        .collect();
    let first = *known.first()?.0;
    let op = node.op.as_str();
    // A softmax over the channels (lecture 26's per-window class probabilities).
    let over_channels = matches!(op, "Softmax" | "LogSoftmax") && matches!(node.axis, Some(1 | -3));
    if POSITIONWISE_OPS.contains(&op) || over_channels {
        return known.iter().skip(1).try_fold(first, |acc, (f, s)| {
            // Broadcast operands of another spatial size are not position-wise.
            s.is_some_and(|s| s.len() == 4 && s[2..] == output[2..])
                .then(|| [acc[0].union(f[0]), acc[1].union(f[1])])
        });
    }
    let w = window?;
    let axis = |a: usize| {
        let g = &w.axes[a];
        first[a].then(g.kernel, g.stride, g.pad.before, 1)
    };
    Some([axis(0), axis(1)])
}

/// Every ONNX node's layer facts, with output shapes from tract's analysis of `model` (a typed
/// copy whose outputs are all the nodes), and the outlets of the feature-map layers.
fn layer_table(model: &InferenceModel, nodes: Vec<OnnxNode>) -> Result<LayerTable> {
    let outlets: Vec<Option<OutletId>> = nodes
        .iter()
        .map(|n| model.find_outlet_label(&n.output))
        .collect();
    let mut all = model.clone();
    all.select_output_outlets(&outlets.iter().flatten().copied().collect::<Vec<_>>())?;
    let all = all
        .into_typed()
        .context("tract cannot analyse this ONNX graph")?;
    let mut layers = Vec::with_capacity(nodes.len());
    let mut probes = Vec::new();
    let mut k = 0;
    let mut fields = std::collections::HashMap::new();
    let mut shapes = std::collections::HashMap::new();
    if let (Some(input), Some(shape)) = (
        all.input_outlets()?.first(),
        all.input_fact(0)?.shape.as_concrete(),
    ) {
        let label = all.node(input.node).name.clone();
        fields.insert(label.clone(), [ReceptiveField::IDENTITY; 2]);
        shapes.insert(label, shape.to_vec());
    }
    for (node, outlet) in nodes.into_iter().zip(&outlets) {
        let output_shape = match outlet {
            Some(_) => {
                k += 1;
                all.output_fact(k - 1)?
                    .shape
                    .as_concrete()
                    .map(|s| s.to_vec())
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        let input_shape = node
            .inputs
            .iter()
            .find_map(|i| shapes.get(i))
            .cloned()
            .unwrap_or_default();
        let window = node_window(&node, &input_shape, &output_shape);
        let receptive_field =
            node_receptive_field(&node, &output_shape, window.as_ref(), &fields, &shapes);
        if let Some(f) = receptive_field {
            fields.insert(node.output.clone(), f);
        }
        if outlet.is_some() {
            shapes.insert(node.output.clone(), output_shape.clone());
        }
        let OnnxNode {
            op,
            name,
            params,
            weight,
            ..
        } = node;
        let feature_map = FEATURE_MAP_OPS.contains(&op.as_str())
            && output_shape.len() == 4
            && output_shape[0] == 1;
        if let (true, Some(o)) = (feature_map, outlet) {
            probes.push((layers.len(), *o));
        }
        layers.push(LayerInfo {
            macs: macs(&op, &output_shape, &weight),
            name,
            op,
            output_shape,
            params,
            feature_map,
            receptive_field,
            input_shape,
            window,
        });
    }
    Ok((layers, probes, outlets))
}

/// Parses user-supplied ONNX `bytes` into tract's inference graph, refusing files over
/// [`MAX_MODEL_BYTES`] before parsing.
fn read_onnx(bytes: &[u8]) -> Result<InferenceModel> {
    ensure!(
        bytes.len() <= MAX_MODEL_BYTES,
        "the model file has {} bytes, over the limit of {MAX_MODEL_BYTES} ({} MiB)",
        bytes.len(),
        MAX_MODEL_BYTES >> 20
    );
    let model = tract_onnx::onnx()
        .model_for_read(&mut &bytes[..])
        .with_context(|| format!("cannot read an ONNX model from these {} bytes", bytes.len()))?;
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
    Ok(model)
}

/// The weights of the `Conv` node called `node` (its ONNX name, or its first output's name) in
/// ONNX `bytes`: `(weight shape [k, c, kernel…], weight values, bias values)` (a bias of zeros when
/// the node has none). For the plain-Rust backward pass of neural style transfer
/// ([`crate::style`]), which needs the trained weights tract runs.
pub fn conv_weights(bytes: &[u8], node: &str) -> Result<(Vec<usize>, Vec<f32>, Vec<f32>)> {
    use prost::Message;
    ensure!(
        bytes.len() <= MAX_MODEL_BYTES,
        "the model file has {} bytes, over the limit of {MAX_MODEL_BYTES}",
        bytes.len()
    );
    let proto = tract_onnx::pb::ModelProto::decode(bytes)
        .with_context(|| format!("cannot read an ONNX model from these {} bytes", bytes.len()))?;
    let graph = proto.graph.context("the ONNX file has no graph")?;
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

/// The layer table of an architecture built with [`crate::graph::GraphBuilder::shapes_only`] (its
/// weights are graph inputs with shapes and no values) or of any ONNX file: shapes from tract's
/// analysis, parameters and multiply-adds as in [`LayerInfo`]. Nothing is optimised or run, so
/// VGG-16's 138 million parameters never exist in memory.
pub fn analyse(bytes: &[u8]) -> Result<Vec<LayerInfo>> {
    Ok(layer_table(&read_onnx(bytes)?, onnx_nodes(bytes)?)?.0)
}

/// A loaded ONNX model with one f32 input of a fixed shape: a trained CNN (the digit classifier,
/// the detectors) or a file the user picked.
pub struct Model {
    plan: Plan,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    layers: Vec<LayerInfo>,
    /// The inference graph with the input shape set, kept to build the probe plan on demand.
    graph: InferenceModel,
    /// Outlets of the feature-map layers, in `layers` order, and their layer indices.
    probes: Vec<Probe>,
    /// The plan whose outputs are the feature-map layers, built on first use.
    probe_plan: std::cell::RefCell<Option<Plan>>,
    /// Every layer's outlet (`None` for a node tract folded away while reading the file).
    outlets: Vec<Option<OutletId>>,
    /// Plans whose output is one layer's, by layer index, built on first use.
    layer_plans: std::cell::RefCell<std::collections::HashMap<usize, Plan>>,
}

/// One of the strongest activations of a channel over a set of inputs (lecture 39): which input,
/// where in the feature map, how strong, and the patch of the input that position sees.
#[derive(Clone, Debug, PartialEq)]
pub struct TopActivation {
    /// Index of the input in the set.
    pub input: usize,
    /// Row and column of the strongest position of the channel in that input's feature map.
    pub at: [usize; 2],
    /// The activation there.
    pub value: f32,
    /// Input rows and columns that position sees (its receptive field; may reach into padding,
    /// i.e. below 0 or past the input's side).
    pub window: [std::ops::Range<isize>; 2],
}

/// What the ONNX file itself says about a node.
struct OnnxNode {
    op: String,
    name: String,
    /// Its first output's name (tract labels outlets with it).
    output: String,
    params: usize,
    /// The shape of its first weight input, for multiply-adds.
    weight: Vec<usize>,
    /// Its input names (data and weights), with `Identity` nodes looked through.
    inputs: Vec<String>,
    /// The window attributes of a conv or pool.
    window: Option<WindowAttributes>,
    /// The `axis` attribute (e.g. a softmax's).
    axis: Option<i64>,
}

/// A conv's or pool's ONNX window attributes, spatial axes outer to inner.
struct WindowAttributes {
    /// `kernel_shape`, or the conv weight's trailing sizes when the attribute is absent.
    kernel: Vec<usize>,
    strides: Vec<usize>,
    /// `pads`: the befores of every axis, then the afters.
    pads: Vec<usize>,
    dilations: Vec<usize>,
    auto_pad: String,
}

impl WindowAttributes {
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

/// The ONNX nodes of `bytes` (without `Constant` and `Identity`) with the facts that need no
/// runtime.
fn onnx_nodes(bytes: &[u8]) -> Result<Vec<OnnxNode>> {
    use prost::Message;
    let proto = tract_onnx::pb::ModelProto::decode(bytes)
        .with_context(|| format!("cannot read an ONNX model from these {} bytes", bytes.len()))?;
    let graph = proto.graph.context("the ONNX file has no graph")?;
    // Weights: initializers, and graph inputs after the first (shapes-only architectures).
    let mut initializers: std::collections::HashMap<&str, Vec<usize>> = graph
        .initializer
        .iter()
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
    let mut aliases = std::collections::HashMap::new();
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
            let weights: Vec<&Vec<usize>> = n
                .input
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
                axis: n.attribute.iter().find(|a| a.name == "axis").map(|a| a.i),
            })
        })
        .collect();
    Ok(nodes)
}

fn macs(op: &str, output: &[usize], weight: &[usize]) -> u64 {
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

impl Model {
    /// Reads ONNX `bytes`, fixes its input shape (from the file, with a batch of 1 for a symbolic
    /// batch axis) and optimises it. Errors name the cause: bytes that are not ONNX, a file over
    /// [`MAX_MODEL_BYTES`], several inputs, an input shape left unknown, or an op tract cannot run.
    pub fn load(bytes: &[u8]) -> Result<Model> {
        Model::load_with_input_shape(bytes, None)
    }

    /// [`Model::load`] with the input shape chosen by the caller (`Some`), for fully
    /// convolutional models whose file leaves height and width symbolic: lecture 26's classifier
    /// runs on 14x14, 16x16 and 28x28 inputs. The shape must have as many axes as the file's input
    /// and agree with every size the file fixes.
    pub fn load_with_input_shape(bytes: &[u8], input_shape: Option<&[usize]>) -> Result<Model> {
        let mut model = read_onnx(bytes)?;
        let inputs = model.input_outlets()?.len();
        ensure!(
            inputs == 1,
            "the model has {inputs} inputs; the playground runs models with one image input"
        );
        let fact = model.input_fact(0)?.clone();
        let declared: Vec<Option<usize>> = fact
            .shape
            .dims()
            .map(|d| {
                d.concretize()
                    .and_then(|dim| dim.as_i64())
                    .and_then(|v| usize::try_from(v).ok())
            })
            .collect();
        let dims: Vec<usize> = match input_shape {
            Some(wanted) => {
                ensure!(
                    wanted.len() == declared.len()
                        && wanted
                            .iter()
                            .zip(&declared)
                            .all(|(w, d)| d.is_none_or(|d| d == *w)),
                    "input shape {} does not fit the model's input {:?}",
                    shape_text(wanted),
                    fact.shape
                );
                check_output_size("input", wanted)?;
                wanted.to_vec()
            }
            None => declared
                .iter()
                .enumerate()
                // A symbolic or unknown batch axis runs with a batch of one.
                .map(|(axis, d)| d.or((axis == 0).then_some(1)))
                .collect::<Option<Vec<_>>>()
                .with_context(|| {
                    format!(
                        "the model's input shape {:?} has unknown sizes besides the batch",
                        fact.shape
                    )
                })?,
        };
        model.set_input_fact(0, f32::fact(&dims).into())?;
        let graph = model.clone();

        let (layers, probes, outlets) = layer_table(&model, onnx_nodes(bytes)?)?;

        let typed = model
            .into_typed()
            .context("tract cannot analyse this ONNX graph")?;
        let output_shape = typed
            .output_fact(0)?
            .shape
            .as_concrete()
            .map(|s| s.to_vec())
            .context("the model's output shape is not fixed by its input shape")?;
        let plan = typed
            .into_optimized()
            .context("tract cannot optimise this ONNX graph")?
            .into_runnable()
            .context("tract cannot plan this ONNX graph")?;
        Ok(Model {
            plan,
            input_shape: dims,
            output_shape,
            layers,
            graph,
            probes,
            probe_plan: std::cell::RefCell::new(None),
            outlets,
            layer_plans: Default::default(),
        })
    }

    /// The model's nodes in file order with their op, output shape, parameters and multiply-adds.
    pub fn layers(&self) -> &[LayerInfo] {
        &self.layers
    }

    /// The feature maps of one run on `input`: for every layer whose output is `[1, c, h, w]` (see
    /// [`LayerInfo::feature_map`]), its index in [`Model::layers`] and its output. The values come
    /// from the real graph: those layers' outlets are made outputs of a second plan before tract
    /// optimises it (built on the first call), so fused operations still expose them.
    pub fn feature_maps(&self, input: &[f32]) -> Result<Vec<(usize, Output)>> {
        check_tensor("input", input, &self.input_shape)?;
        if self.probes.is_empty() {
            return Ok(Vec::new());
        }
        let mut cached = self.probe_plan.borrow_mut();
        if cached.is_none() {
            let mut g = self.graph.clone();
            g.select_output_outlets(&self.probes.iter().map(|p| p.1).collect::<Vec<_>>())?;
            let plan = g
                .into_optimized()
                .context("tract cannot optimise the graph with its feature maps as outputs")?
                .into_runnable()?;
            *cached = Some(plan);
        }
        let plan = cached.as_ref().context("no probe plan")?;
        let tensor = Tensor::from_shape(&self.input_shape, input)?;
        let outputs = plan.run(tvec!(tensor.into_tvalue()))?;
        self.probes
            .iter()
            .zip(outputs.iter())
            .map(|((layer, _), t)| {
                let view = t
                    .to_plain_array_view::<f32>()
                    .context("a feature map is not f32")?;
                Ok((
                    *layer,
                    Output {
                        shape: view.shape().to_vec(),
                        data: view.iter().copied().collect(),
                    },
                ))
            })
            .collect()
    }

    /// The output of layer `layer` (an index into [`Model::layers`]) for one `input`, taken from
    /// the real graph: that layer's outlet becomes the output of a plan optimised for it (built on
    /// the first call per layer, then cached). Transfer learning reads frozen features this way.
    pub fn layer_output(&self, input: &[f32], layer: usize) -> Result<Output> {
        check_tensor("input", input, &self.input_shape)?;
        let outlet = self
            .outlets
            .get(layer)
            .with_context(|| {
                format!(
                    "layer {layer} does not exist; the model has {} layers",
                    self.layers.len()
                )
            })?
            .with_context(|| format!("layer {layer} has no output in tract's graph"))?;
        let mut plans = self.layer_plans.borrow_mut();
        let plan = match plans.get(&layer) {
            Some(plan) => plan.clone(),
            None => {
                let mut g = self.graph.clone();
                g.select_output_outlets(&[outlet])?;
                let plan = g
                    .into_optimized()
                    .with_context(|| {
                        format!("tract cannot optimise the graph up to layer {layer}")
                    })?
                    .into_runnable()?;
                plans.insert(layer, plan.clone());
                plan
            }
        };
        run_plan(&plan, input, &self.input_shape)
    }

    /// Lecture 39, "what deep ConvNets learn": over `count` inputs stored one after the other in
    /// `inputs` (each of [`Model::input_shape`]), the `k` strongest activations of `channel` of
    /// feature-map layer `layer`, at most one per input (its maximum over positions), strongest
    /// first (`total_cmp`, so a NaN never ranks), with the input window each one sees.
    ///
    /// Errors name the cause: inputs that are not a whole number of model inputs, a layer that is
    /// not a `[1, c, h, w]` feature map, a channel past `c`.
    pub fn top_activations(
        &self,
        inputs: &[f32],
        layer: usize,
        channel: usize,
        k: usize,
    ) -> Result<Vec<TopActivation>> {
        let size: usize = self.input_shape.iter().product();
        ensure!(
            !inputs.is_empty() && inputs.len().is_multiple_of(size),
            "{} input values are not a whole number of inputs of {} ({size} values each)",
            inputs.len(),
            shape_text(&self.input_shape)
        );
        let info = self.layers.get(layer).with_context(|| {
            format!(
                "layer {layer} does not exist; the model has {} layers",
                self.layers.len()
            )
        })?;
        ensure!(
            info.feature_map,
            "layer {layer} ({} {}) outputs {}, not a stack of feature maps [1, c, h, w]",
            info.op,
            info.name,
            shape_text(&info.output_shape)
        );
        let [_, c, h, w] = info.output_shape[..] else {
            anyhow::bail!("layer {layer} is not 4-D");
        };
        ensure!(
            channel < c,
            "channel {channel} does not exist; layer {layer} ({}) has {c} channels",
            info.name
        );
        let (ih, iw) = (
            self.input_shape[self.input_shape.len().saturating_sub(2)],
            self.input_shape[self.input_shape.len() - 1],
        );
        let mut best = Vec::with_capacity(inputs.len() / size);
        for (i, input) in inputs.chunks_exact(size).enumerate() {
            let out = self.layer_output(input, layer)?;
            let plane = &out.data[channel * h * w..(channel + 1) * h * w];
            let Some((at, &value)) = plane
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            else {
                continue;
            };
            let (row, col) = (at / w, at % w);
            let window = match info.receptive_field {
                Some([r, c]) => [r.window(row), c.window(col)],
                None => [0..ih as isize, 0..iw as isize],
            };
            best.push(TopActivation {
                input: i,
                at: [row, col],
                value,
                window,
            });
        }
        best.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.input.cmp(&b.input)));
        best.truncate(k);
        Ok(best)
    }

    /// The input shape the model runs with, e.g. `[1, 3, 96, 96]`.
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// The shape of the first output for that input.
    pub fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// Runs the model on `input` (`Π input_shape` finite values) and returns its first output.
    pub fn run(&self, input: &[f32]) -> Result<Output> {
        check_tensor("input", input, &self.input_shape)?;
        run_plan(&self.plan, input, &self.input_shape)
    }
}

/// How many optimised plans the engine keeps (least recently used are dropped first).
pub const PLAN_CACHE_SIZE: usize = 8;

/// Runs ONNX graphs with tract and caches their optimised plans by model bytes.
///
/// The model bytes contain the input shape and every weight, so a cached plan is reused exactly
/// while shapes and weights are unchanged.
pub struct Engine {
    onnx: tract_onnx::Onnx,
    /// Most recently used last.
    plans: Vec<(Vec<u8>, Plan)>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine with an empty plan cache.
    pub fn new() -> Self {
        Engine {
            onnx: tract_onnx::onnx(),
            plans: Vec::new(),
        }
    }

    /// Parses ONNX `bytes`, optimises the graph for the shapes it declares and returns the plan.
    /// Errors (not panics) for bytes that are not an ONNX model or a graph tract cannot run.
    pub fn load(&self, bytes: &[u8]) -> Result<Plan> {
        let model = self.onnx.model_for_read(&mut &bytes[..]).with_context(|| {
            format!("cannot read an ONNX model from these {} bytes", bytes.len())
        })?;
        model
            .into_optimized()
            .context("tract cannot optimise this ONNX graph")?
            .into_runnable()
            .context("tract cannot plan this ONNX graph")
    }

    /// The plan for `bytes`, from the cache or freshly loaded.
    fn plan(&mut self, bytes: &[u8]) -> Result<Plan> {
        if let Some(i) = self.plans.iter().position(|(k, _)| k == bytes) {
            let entry = self.plans.remove(i);
            let plan = entry.1.clone();
            self.plans.push(entry);
            return Ok(plan);
        }
        let plan = self.load(bytes)?;
        if self.plans.len() == PLAN_CACHE_SIZE {
            self.plans.remove(0);
        }
        self.plans.push((bytes.to_vec(), plan.clone()));
        Ok(plan)
    }

    /// Number of plans currently cached.
    pub fn cached_plans(&self) -> usize {
        self.plans.len()
    }

    /// Runs the single-input, single-output ONNX model `bytes` (cached by bytes) on `input` of
    /// `shape` and returns its first output with its shape.
    pub fn run(&mut self, bytes: &[u8], input: &[f32], shape: &[usize]) -> Result<Output> {
        check_tensor("input", input, shape)?;
        let plan = self.plan(bytes)?;
        run_plan(&plan, input, shape)
    }

    /// Runs a one-layer graph built for an input `[c, spatial…]` (batch of one added here) and
    /// checks that tract's output shape is the one the geometry predicts, `expected`
    /// (`[c', spatial'…]`).
    fn run_layer(
        &mut self,
        model: &tract_onnx::pb::ModelProto,
        input: &[f32],
        input_shape: &[usize],
        expected: Vec<usize>,
    ) -> Result<Output> {
        let batched: Vec<usize> = std::iter::once(1)
            .chain(input_shape.iter().copied())
            .collect();
        let out = self.run(&graph::encode(model), input, &batched)?;
        ensure!(
            out.shape[1..] == expected[..] && out.shape[0] == 1,
            "tract produced shape {} but the geometry says {}",
            shape_text(&out.shape),
            shape_text(&expected)
        );
        Ok(Output {
            shape: expected,
            data: out.data,
        })
    }

    /// The convolution `conv` (see [`Conv`]; 1, 2 or 3 spatial axes) computed by tract on an ONNX
    /// `Conv` graph. Returns `[k, spatial'…]`.
    pub fn conv(&mut self, conv: &Conv) -> Result<Output> {
        let geometry = conv.validate()?;
        let expected = conv.output_shape(&geometry);
        self.run_layer(
            &graph::conv(conv, &geometry),
            conv.input,
            conv.input_shape,
            expected,
        )
    }

    /// The pooling `pool` (see [`Pool`]; 1, 2 or 3 spatial axes) computed by tract on an ONNX
    /// `MaxPool` or `AveragePool` graph. Returns `[c, spatial'…]`.
    pub fn pool(&mut self, pool: &Pool) -> Result<Output> {
        let geometry = pool.validate()?;
        let expected = pool.output_shape(&geometry);
        self.run_layer(
            &graph::pool(pool, &geometry),
            pool.input,
            pool.input_shape,
            expected,
        )
    }

    /// Zero padding of a `[c, h, w]` input by `pads` (`[rows, columns]`) computed by tract on an
    /// ONNX `Pad` graph. Returns `[c, h + top + bottom, w + left + right]`.
    pub fn pad2d(
        &mut self,
        input: &[f32],
        input_shape: [usize; 3],
        pads: [AxisPad; 2],
    ) -> Result<Output> {
        check_tensor("input", input, &input_shape)?;
        let [c, h, w] = input_shape;
        // Padding is a 1x1 window at stride 1 over the padded input: the geometry applies the
        // limits and gives the padded sides.
        let rows = AxisGeometry::new(h, 1, pads[0], 1)?;
        let cols = AxisGeometry::new(w, 1, pads[1], 1)?;
        let expected = vec![c, rows.output, cols.output];
        check_output_size("padded", &expected)?;
        self.run_layer(
            &graph::pad2d(input_shape, pads),
            input,
            &input_shape,
            expected,
        )
    }
}
