//! tract, in one place: loading ONNX bytes, optimising them into a plan, running it, and keeping
//! recent plans so a widget that re-runs the same layer on new pixels does not re-optimise.

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

use crate::geometry::{check_output_size, check_tensor, shape_text, AxisGeometry, AxisPad};
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

/// Every ONNX node's layer facts, with output shapes from tract's analysis of `model` (a typed
/// copy whose outputs are all the nodes), and the outlets of the feature-map layers.
fn layer_table(
    model: &InferenceModel,
    nodes: Vec<OnnxNode>,
) -> Result<(Vec<LayerInfo>, Vec<Probe>)> {
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
    for (node, outlet) in nodes.into_iter().zip(&outlets) {
        let OnnxNode {
            op,
            name,
            params,
            weight,
            ..
        } = node;
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
        });
    }
    Ok((layers, probes))
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
    tract_onnx::onnx()
        .model_for_read(&mut &bytes[..])
        .with_context(|| format!("cannot read an ONNX model from these {} bytes", bytes.len()))
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
    Ok(graph
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
                weight,
            })
        })
        .collect())
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

        let (layers, probes) = layer_table(&model, onnx_nodes(bytes)?)?;

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
