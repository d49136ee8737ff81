//! A loaded ONNX model: a trained CNN bundled with the page or a file the learner picked, with
//! its layer table, and plans that expose any layer's output from the real graph.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use anyhow::{ensure, Context, Result};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

use super::layers::{layer_table, LayerInfo, LayerTable};
use super::onnx::{onnx_nodes, read_onnx, OnnxNode};
use super::{optimize, run_plan, Plan, ANALYSE};
use crate::core::error::Plainly;
use crate::core::geometry::{check_output_size, check_tensor, shape_text, MAX_SIDE};
use crate::core::ops::Output;

/// What a model file says about itself without its weights ([`Model::structure`]).
#[derive(Clone, Debug)]
pub struct Structure {
    /// The input shape, batch 1 where the file leaves it open.
    pub input_shape: Vec<usize>,
    /// The output shape for that input.
    pub output_shape: Vec<usize>,
    /// The layer table, as [`Model::layers`].
    pub layers: Vec<LayerInfo>,
}

/// A loaded ONNX model with one f32 input of a fixed shape: a trained CNN (the digit classifier,
/// the detectors) or a file the user picked.
pub struct Model {
    plan: Plan,
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
    /// The inference graph with the input shape set, kept to build the layer table and the probe
    /// plans on demand.
    graph: InferenceModel,
    /// What the file says about each node, for the layer table.
    nodes: Vec<OnnxNode>,
    /// The layer table, the feature-map layers' outlets (with their layer indices) and every
    /// layer's outlet (`None` for a node tract folded away while reading the file), built on first
    /// use: it costs a second analysis of the whole graph, which running the model does not need.
    table: OnceCell<LayerTable>,
    /// The plan whose outputs are the feature-map layers, built on first use.
    probe_plan: RefCell<Option<Plan>>,
    /// Plans whose output is one layer's, by layer index, built on first use.
    layer_plans: RefCell<HashMap<usize, Plan>>,
}

/// Where [`Model::load_timed`] spent its time, milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadPhases {
    /// Reading: the file decoded and checked (this crate's validator), and tract's graph built
    /// from it, with the input shape fixed.
    pub read_ms: f64,
    /// tract's analysis: every type and shape worked out (`into_typed`).
    pub analyse_ms: f64,
    /// tract's optimisation: decluttering, then kernels chosen and weights packed
    /// (`into_optimized`, this crate's max-pool swap, the runnable plan).
    pub optimise_ms: f64,
}

impl Model {
    /// The matrix-product kernels tract chose for this model's plan, one per `OptMatMul` node
    /// ([`super::gemm::kernels_in`]).
    pub fn mat_mul_kernels(&self) -> Vec<String> {
        super::gemm::kernels_in(self.plan.model())
    }

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
        Ok(Model::load_timed(bytes, input_shape, &|| 0.0)?.0)
    }

    /// [`Model::load_with_input_shape`], timing its three phases with `clock` (milliseconds, e.g.
    /// the browser's `performance.now()`): where the load time goes, measured where it runs.
    pub fn load_timed(
        bytes: &[u8],
        input_shape: Option<&[usize]>,
        clock: &dyn Fn() -> f64,
    ) -> Result<(Model, LoadPhases)> {
        let t0 = clock();
        let (file, mut model) = read_onnx(bytes)?;
        let inputs = model.input_outlets()?.len();
        ensure!(
            inputs == 1,
            "the model has {inputs} inputs; the playground runs models with one image input"
        );
        let dims = fix_input(&mut model, input_shape)?;
        let graph = model.clone();
        let nodes = onnx_nodes(&file)?;

        let t1 = clock();
        let typed = model.into_typed().plainly(|| ANALYSE)?;
        let output_shape = typed
            .output_fact(0)?
            .shape
            .as_concrete()
            .map(|s| s.to_vec())
            .context("the model's output shape is not fixed by its input shape")?;
        ensure!(
            output_shape.iter().all(|&d| d >= 1),
            "input {} is too small for this model: its output would be {}",
            shape_text(&dims),
            shape_text(&output_shape)
        );
        let t2 = clock();
        let plan = optimize(typed)?;
        let t3 = clock();
        let model = Model {
            plan,
            input_shape: dims,
            output_shape,
            graph,
            nodes,
            table: OnceCell::new(),
            probe_plan: RefCell::new(None),
            layer_plans: Default::default(),
        };
        let phases = LoadPhases {
            read_ms: t1 - t0,
            analyse_ms: t2 - t1,
            optimise_ms: t3 - t2,
        };
        Ok((model, phases))
    }

    /// A model file's structure without its weights, for files too large to run (up to
    /// [`super::MAX_MODEL_BYTES`]): large float weights are skipped as the file is read
    /// ([`super::onnx::strip_weights`]), so only their shapes exist in memory; then the layer
    /// table (shapes, windows, parameters, multiply-adds) comes from tract's analysis as for
    /// [`Model::load`]. The input shape is fixed the same way.
    pub fn structure(bytes: &[u8]) -> Result<Structure> {
        let stripped = super::onnx::strip_weights(bytes)?;
        let (file, mut model) = read_onnx(&stripped)?;
        let input_shape = fix_input(&mut model, None)?;
        let (layers, ..) = layer_table(&model, onnx_nodes(&file)?)?;
        let output_shape = model
            .into_typed()
            .plainly(|| ANALYSE)?
            .output_fact(0)?
            .shape
            .as_concrete()
            .map(|s| s.to_vec())
            .context("the model's output shape is not fixed by its input shape")?;
        Ok(Structure {
            input_shape,
            output_shape,
            layers,
        })
    }

    /// The layer table, built on the first call.
    fn table(&self) -> Result<&LayerTable> {
        if let Some(table) = self.table.get() {
            return Ok(table);
        }
        let table = layer_table(&self.graph, self.nodes.clone())?;
        Ok(self.table.get_or_init(|| table))
    }

    /// The model's nodes in file order with their op, output shape, parameters and multiply-adds
    /// (computed on the first call: a second analysis of the whole graph by tract, which fails
    /// for the same files [`Model::load`] refuses).
    pub fn layers(&self) -> Result<&[LayerInfo]> {
        Ok(&self.table()?.0)
    }

    /// The feature maps of one run on `input`: for every layer whose output is `[1, c, h, w]` (see
    /// [`LayerInfo::feature_map`]), its index in [`Model::layers`] and its output. The values come
    /// from the real graph: those layers' outlets are made outputs of a second plan before tract
    /// optimises it (built on the first call), so fused operations still expose them.
    pub fn feature_maps(&self, input: &[f32]) -> Result<Vec<(usize, Output)>> {
        check_tensor("input", input, &self.input_shape)?;
        let probes = &self.table()?.1;
        if probes.is_empty() {
            return Ok(Vec::new());
        }
        let mut cached = self.probe_plan.borrow_mut();
        if cached.is_none() {
            let mut g = self.graph.clone();
            g.select_output_outlets(&probes.iter().map(|p| p.1).collect::<Vec<_>>())?;
            let plan = g
                .into_typed()
                .and_then(optimize)
                .plainly(|| "tract cannot prepare this model with its feature maps as outputs")?;
            *cached = Some(plan);
        }
        let plan = cached.as_ref().context("no probe plan")?;
        let tensor = Tensor::from_shape(&self.input_shape, input)?;
        let outputs = plan.run(tvec!(tensor.into_tvalue()))?;
        probes
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
        let (layers, _, outlets) = self.table()?;
        let outlet = outlets
            .get(layer)
            .with_context(|| {
                format!(
                    "layer {layer} does not exist; the model has {} layers",
                    layers.len()
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
                    .into_typed()
                    .plainly(|| ANALYSE)
                    .and_then(optimize)
                    .with_context(|| format!("layer {}", layer + 1))?;
                plans.insert(layer, plan.clone());
                plan
            }
        };
        run_plan(&plan, input, &self.input_shape)
    }

    /// Layer `layer`'s output, flattened, for each of several inputs stored one after the other
    /// in `inputs` (each of [`Model::input_shape`]): `(count, dim, count · dim values)`. Transfer
    /// learning's frozen features and the encoders' embeddings come from here.
    pub fn features(&self, inputs: &[f32], layer: usize) -> Result<(usize, usize, Vec<f32>)> {
        let size: usize = self.input_shape.iter().product();
        ensure!(
            !inputs.is_empty() && inputs.len().is_multiple_of(size),
            "{} input values are not a whole number of inputs of {size} values",
            inputs.len()
        );
        let mut data = Vec::new();
        let mut dim = 0;
        for x in inputs.chunks_exact(size) {
            let out = self.layer_output(x, layer)?;
            dim = out.data.len();
            data.extend(out.data);
        }
        Ok((inputs.len() / size, dim, data))
    }

    /// The input shape the model runs with, e.g. `[1, 3, 96, 96]`.
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// The optimised plan every run goes through.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
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

/// Fixes input 0 of `model` to `input_shape` if given (checked against what the file declares and
/// the size limits), otherwise to the file's shape with a symbolic batch axis set to 1, and
/// returns the shape.
fn fix_input(model: &mut InferenceModel, input_shape: Option<&[usize]>) -> Result<Vec<usize>> {
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
            ensure!(
                wanted.iter().skip(2).all(|&d| (1..=MAX_SIDE).contains(&d)),
                "input shape {}: each side must be from 1 to {MAX_SIDE} pixels",
                shape_text(wanted)
            );
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
    Ok(dims)
}
