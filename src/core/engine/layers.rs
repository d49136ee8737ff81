//! The layer table of a model (lecture 13's tables): every ONNX node with its output shape from
//! tract's analysis, parameters, multiply-adds, and for convs and pools their window and receptive
//! field through the project's geometry.

use std::collections::HashMap;

use anyhow::Result;
use tract_onnx::prelude::*;

use super::onnx::{macs, onnx_nodes, read_onnx, OnnxNode, WEIGHT_OPS};
use super::ANALYSE;
use crate::core::error::Plainly;
use crate::core::geometry::{dilated_kernel, AxisGeometry, AxisPad, ReceptiveField};

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
pub(crate) type Probe = (usize, OutletId);

/// The layer table, the feature-map probes and every layer's outlet (see [`layer_table`]).
pub(crate) type LayerTable = (Vec<LayerInfo>, Vec<Probe>, Vec<Option<OutletId>>);

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
        let n = input[2 + a];
        match node.op.as_str() {
            "GlobalAveragePool" | "GlobalMaxPool" => {
                Some((AxisGeometry::new(n, n, AxisPad::default(), 1).ok()?, n, 1))
            }
            "Conv" | "MaxPool" | "AveragePool" | "LpPool" => {
                let w = node.window.as_ref()?;
                let k = *w.kernel.get(a)?;
                let s = w.strides.get(a).copied().unwrap_or(1).max(1);
                let d = w.dilations.get(a).copied().unwrap_or(1).max(1);
                let effective = dilated_kernel(k, d).ok()?;
                let pad = w.padding(2).resolve(a, 2, n, effective, s).ok()?;
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
    fields: &HashMap<String, [ReceptiveField; 2]>,
    shapes: &HashMap<String, Vec<usize>>,
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

/// Adds to `node`'s parameters the floating-point constants it takes that the file does not store
/// as initializers: tensors made by `Constant` or `ConstantOfShape` nodes or by any subgraph tract
/// folds into a constant (only for ops whose constants are weights, [`WEIGHT_OPS`]). The first
/// such weight gives the node's weight shape (multiply-adds, a conv's kernel) when the file gave
/// none.
fn add_constant_weights(model: &TypedModel, node: &mut OnnxNode) {
    if !WEIGHT_OPS.contains(&node.op.as_str()) {
        return;
    }
    // A node computed from constants alone (e.g. weights scaled by a `Mul`) is part of another
    // layer's weights: that layer counts the folded result.
    let constant_output = model
        .find_outlet_label(&node.output)
        .and_then(|o| model.outlet_fact(o).ok())
        .is_some_and(|f| f.konst.is_some());
    if constant_output {
        node.params = 0;
        return;
    }
    let constants: Vec<Vec<usize>> = node
        .inputs
        .iter()
        .filter(|i| !i.is_empty() && !node.counted.contains(i))
        .filter_map(|i| model.find_outlet_label(i))
        .filter_map(|o| model.outlet_fact(o).ok())
        .filter(|f| f.konst.is_some() && f.datum_type.is_float())
        .filter_map(|f| f.shape.as_concrete().map(|s| s.to_vec()))
        .collect();
    node.params += constants
        .iter()
        .map(|s| s.iter().product::<usize>())
        .sum::<usize>();
    if node.weight.is_empty() {
        if let Some(w) = constants.first() {
            node.weight = w.clone();
            if let Some(window) = node.window.as_mut() {
                if window.kernel.is_empty() && w.len() > 2 {
                    window.kernel = w[2..].to_vec();
                }
            }
        }
    }
}

/// Every ONNX node's layer facts, with output shapes from tract's analysis of `model` (a typed
/// copy whose outputs are all the nodes), and the outlets of the feature-map layers.
pub(crate) fn layer_table(model: &InferenceModel, nodes: Vec<OnnxNode>) -> Result<LayerTable> {
    let outlets: Vec<Option<OutletId>> = nodes
        .iter()
        .map(|n| model.find_outlet_label(&n.output))
        .collect();
    let mut all = model.clone();
    all.select_output_outlets(&outlets.iter().flatten().copied().collect::<Vec<_>>())?;
    let all = all.into_typed().plainly(|| ANALYSE)?;
    let mut layers = Vec::with_capacity(nodes.len());
    let mut probes = Vec::new();
    let mut k = 0;
    let mut fields = HashMap::new();
    let mut shapes = HashMap::new();
    if let (Some(input), Some(shape)) = (
        all.input_outlets()?.first(),
        all.input_fact(0)?.shape.as_concrete(),
    ) {
        let label = all.node(input.node).name.clone();
        fields.insert(label.clone(), [ReceptiveField::IDENTITY; 2]);
        shapes.insert(label, shape.to_vec());
    }
    for (mut node, outlet) in nodes.into_iter().zip(&outlets) {
        add_constant_weights(&all, &mut node);
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

/// The layer table of an architecture built with [`crate::core::graph::GraphBuilder::shapes_only`] (its
/// weights are graph inputs with shapes and no values) or of any ONNX file: shapes from tract's
/// analysis, parameters and multiply-adds as in [`LayerInfo`]. Nothing is optimised or run, so
/// VGG-16's 138 million parameters never exist in memory.
pub fn analyse(bytes: &[u8]) -> Result<Vec<LayerInfo>> {
    let (graph, model) = read_onnx(bytes)?;
    Ok(layer_table(&model, onnx_nodes(&graph)?)?.0)
}
